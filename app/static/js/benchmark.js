// Benchmark trend: the enterprise's monthly intensity against the group's monthly median and, per unit of product,
// the national benchmark. Data sits in a data-benchmark-chart attribute (no inline scripts: the CSP forbids them);
// a month without a value (not approved, or a group too small or dominated) is a gap, not a zero.
document.querySelectorAll("canvas[data-benchmark-chart]").forEach((canvas) => {
  const data = JSON.parse(canvas.dataset.benchmarkChart);
  const datasets = [
    { label: canvas.dataset.labelOwn, data: data.own, borderColor: "#1f6f50", backgroundColor: "#1f6f50" },
    { label: canvas.dataset.labelMedian, data: data.median, borderColor: "#888", backgroundColor: "#888", borderDash: [6, 4] },
  ];
  if (data.national) {
    datasets.push({ label: canvas.dataset.labelNational, data: data.national, borderColor: "#b35c00",
                    backgroundColor: "#b35c00", borderDash: [2, 3], pointRadius: 0 });
  }
  new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets },
    options: {
      animation: false,
      spanGaps: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: canvas.dataset.unit } } },
    },
  });
});
document.querySelectorAll("[data-autosubmit]").forEach((el) => el.addEventListener("change", () => el.form.submit()));
