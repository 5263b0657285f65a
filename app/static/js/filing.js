// The monthly filing form: a live preview of the month's emissions while quantities are typed.
// The server computes them from the posted form (POST …/preview, with the form's CSRF token) and stores
// nothing. Without this file the page works the same; the figures then show once the month is saved.
(() => {
  const form = document.querySelector("[data-filing-form]");
  const panel = document.querySelector("[data-preview-panel]");
  if (!form || !panel || !form.dataset.previewUrl) return;
  const status = panel.querySelector("[data-preview-status]");
  const errors = panel.querySelector("[data-preview-errors]");
  const DELAY_MS = 400;
  let timer = null;
  let controller = null;

  // "2592.843" as "2,592.843": grouped as text, so no figure goes through a binary float.
  function grouped(text) {
    const negative = text.startsWith("-");
    const [whole, fraction] = (negative ? text.slice(1) : text).split(".");
    const digits = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (negative ? "−" : "") + digits + (fraction === undefined ? "" : "." + fraction);
  }

  function showErrors(messages) {
    errors.replaceChildren(...messages.map((message) => {
      const item = document.createElement("li");
      item.textContent = message;
      return item;
    }));
  }

  function show(data) {
    if (data.errors || data.error) {
      status.textContent = panel.dataset.errorText;
      showErrors(data.errors || [data.message || data.error]);
      return;
    }
    showErrors([]);
    for (const cell of form.querySelectorAll("[data-preview-line]")) cell.textContent = "—";
    for (const line of data.lines) {
      const cell = form.querySelector(`[data-preview-line="${line.source_id}"]`);
      if (cell) cell.textContent = grouped(line.tco2e);
    }
    for (const [name, value] of Object.entries(data.totals)) {
      const cell = panel.querySelector(`[data-preview-total="${name}"]`);
      if (cell) cell.textContent = grouped(value);
    }
    status.textContent = panel.dataset.doneText;
  }

  async function refresh() {
    if (controller) controller.abort(); // only the answer to the latest entries counts
    controller = new AbortController();
    status.textContent = panel.dataset.busyText;
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      show(await response.json());
    } catch (error) {
      if (error.name !== "AbortError") {
        status.textContent = panel.dataset.failedText;
        showErrors([]);
      }
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY_MS);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
