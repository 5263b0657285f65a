// The report job page: poll the job's status until it is done or failed (no inline scripts: CSP).
(() => {
  const box = document.querySelector("[data-status-url]");
  if (!box || ["done", "failed"].includes(box.dataset.status)) return;
  const bar = box.querySelector("[data-job-bar]");
  const link = box.querySelector("[data-job-download]");
  const poll = async () => {
    const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const job = await response.json();
    bar.value = job.progress;
    bar.textContent = `${job.progress}%`;
    box.dataset.status = job.status;
    if (job.status === "done") {
      link.classList.remove("d-none");
      box.querySelector("[data-job-message]").textContent = link.textContent;
    } else if (job.status === "failed") {
      box.querySelector("[data-job-message]").textContent = job.error || "failed";
    } else {
      setTimeout(poll, 1000);
    }
  };
  setTimeout(poll, 500);
})();
