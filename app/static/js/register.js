// The emission source form: offer only the materials of the chosen category, and the scope 3
// fields only for scope 3. The server checks the same rules; without this file every field shows.
(() => {
  const form = document.querySelector("[data-register-source-form]");
  if (!form) return;
  const category = form.querySelector("select[name=category]");
  const material = form.querySelector("select[name=material]");
  const selectBox = form.querySelector("[data-material=select]");
  const textBox = form.querySelector("[data-material=text]");
  const scope3Box = form.querySelector("[data-scope3-only]");

  // A hidden box's fields are disabled too, so values typed before switching category are not sent.
  function show(box, visible) {
    box.hidden = !visible;
    for (const input of box.querySelectorAll("input, select")) input.disabled = !visible;
  }

  function update() {
    const chosen = category.value;
    const scope3 = chosen === "scope3";
    show(selectBox, !scope3);
    show(textBox, scope3);
    show(scope3Box, scope3);
    for (const group of material.querySelectorAll("optgroup")) {
      let any = false;
      for (const option of group.querySelectorAll("option")) {
        const fits = !chosen || (option.dataset.categories || "").split(" ").includes(chosen);
        option.hidden = !fits;
        option.disabled = !fits;
        any = any || fits;
      }
      group.hidden = !any;
    }
    const selected = material.selectedOptions[0];
    if (selected && selected.disabled) material.value = "";
  }

  category.addEventListener("change", update);
  update();
})();
