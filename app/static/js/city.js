// The city index trend: DCI and sub-indices by month, data from data-city-chart (the CSP forbids inline scripts).
document.querySelectorAll("canvas[data-city-chart]").forEach((canvas) => {
  const data = JSON.parse(canvas.dataset.cityChart);
  const labels = JSON.parse(canvas.dataset.labels || "{}");
  const colours = { S1: "#1f6f50", S2: "#7cc29a", S3: "#c9a227", S4: "#6c757d", S5: "#3d8bd0", S6: "#8a5a9f" };
  // Provisional months (too few approved filings) are drawn dashed, with hollow points.
  const provisional = data.provisional || [];
  const drawn = (colour) => ({
    segment: { borderDash: (ctx) => (provisional[ctx.p1DataIndex] ? [5, 4] : undefined) },
    pointBackgroundColor: (data.labels || []).map((_, i) => (provisional[i] ? "#fff" : colour)),
    pointStyle: (data.labels || []).map((_, i) => (provisional[i] ? "rectRot" : "circle")),
  });
  const datasets = [{ label: labels.dci || "DCI", data: data.dci, borderColor: "#111", backgroundColor: "#111", borderWidth: 3, ...drawn("#111") }];
  Object.keys(colours).forEach((key) => {
    datasets.push({ label: labels[key] || key, data: data[key], borderColor: colours[key], backgroundColor: colours[key], borderWidth: 1, ...drawn(colours[key]) });
  });
  const scales = { y: { min: 0, max: 100 } };
  // Regulator page: monthly gross emissions, their forecast to December and the 80% band, in tCO2 on a second axis.
  if (data.gross) {
    const band = { borderWidth: 0, pointRadius: 0, yAxisID: "y1", backgroundColor: "rgba(192, 57, 43, 0.15)" };
    datasets.push({ label: labels.gross || "tCO2", data: data.gross, borderColor: "#c0392b", backgroundColor: "#c0392b", borderWidth: 2, yAxisID: "y1" });
    datasets.push({ label: labels.forecast || "forecast", data: data.forecast, borderColor: "#c0392b", backgroundColor: "#c0392b", borderDash: [6, 4], borderWidth: 2, yAxisID: "y1" });
    datasets.push({ ...band, label: labels.band || "80%", data: data.low, fill: false });
    datasets.push({ ...band, label: labels.band || "80%", data: data.high, fill: "-1" });
    scales.y1 = { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } };
  }
  new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets },
    options: { animation: false, spanGaps: true, scales },
  });
});
// The public page: the city's R12 gross emissions against the path, in tCO2 on an axis from 0.
document.querySelectorAll("canvas[data-emissions-chart]").forEach((canvas) => {
  const data = JSON.parse(canvas.dataset.emissionsChart);
  const labels = JSON.parse(canvas.dataset.labels || "{}");
  const provisional = data.provisional || [];
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: labels.gross || "tCO2", data: data.gross, borderColor: "#c0392b", backgroundColor: "#c0392b", borderWidth: 2,
          segment: { borderDash: (ctx) => (provisional[ctx.p1DataIndex] ? [5, 4] : undefined) },
          pointBackgroundColor: data.labels.map((_, i) => (provisional[i] ? "#fff" : "#c0392b")) },
        { label: labels.path || "path", data: data.path, borderColor: "#1f6f50", backgroundColor: "#1f6f50", borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0 },
      ],
    },
    options: { animation: false, spanGaps: true, scales: { y: { beginAtZero: true } } },
  });
});
document.querySelectorAll("[data-autosubmit]").forEach((el) => el.addEventListener("change", () => el.form.submit()));
