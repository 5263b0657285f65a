// Draws charts whose data sits in a data-chart attribute (no inline scripts: the CSP forbids them).
document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
  const data = JSON.parse(canvas.dataset.chart);
  const label = (key) => canvas.dataset["label" + key.charAt(0).toUpperCase() + key.slice(1)] || key;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: label("scope1"), data: data.scope1, backgroundColor: "#1f6f50", stack: "t" },
        { label: label("scope2"), data: data.scope2, backgroundColor: "#7cc29a", stack: "t" },
        { label: label("exported"), data: data.exported, backgroundColor: "#c9a227", stack: "t" },
        { label: label("intensity"), data: data.intensity, type: "line", yAxisID: "y1", borderColor: "#555", backgroundColor: "#555" },
      ],
    },
    options: {
      animation: false,
      scales: {
        y: { stacked: true, title: { display: true, text: "tCO2e" } },
        y1: { position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: label("intensity") } },
      },
    },
  });
});
document.querySelectorAll("[data-autosubmit]").forEach((el) => el.addEventListener("change", () => el.form.submit()));
