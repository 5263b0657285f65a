"""Small reportlab.graphics charts shared by the reports: bars by month, a pie by scope, a line."""
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from reports.common import font

PALETTE = [colors.HexColor(c) for c in ("#1e6b45", "#6fb38a", "#d9a441", "#4f7cac", "#b5534b", "#8c8c8c")]


def _legend(drawing: Drawing, items: list[tuple], x: float, y: float) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = font(), 7
    legend.alignment = "right"
    legend.columnMaximum = 6
    legend.colorNamePairs = items
    drawing.add(legend)


def stacked_months(labels: list[str], series: list[tuple[str, list[float]]], width=460, height=180) -> Drawing:
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 45, 30, width - 150, height - 45
    chart.data = [values for _, values in series]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.categoryAxis.style = "stacked"
    for i in range(len(series)):
        chart.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    _legend(drawing, [(PALETTE[i], name) for i, (name, _) in enumerate(series)], width - 95, height - 20)
    return drawing


def pie(items: list[tuple[str, float]], width=460, height=150) -> Drawing:
    drawing = Drawing(width, height)
    items = [(name, value) for name, value in items if value > 0] or [("—", 1.0)]
    chart = Pie()
    chart.x, chart.y, chart.width, chart.height = 40, 10, height - 20, height - 20
    chart.data = [value for _, value in items]
    chart.simpleLabels = 1
    chart.labels = None
    for i in range(len(items)):
        chart.slices[i].fillColor = PALETTE[i % len(PALETTE)]
        chart.slices[i].strokeColor = colors.white
    drawing.add(chart)
    total = sum(v for _, v in items) or 1
    _legend(drawing, [(PALETTE[i], f"{name}  {value / total:.1%}") for i, (name, value) in enumerate(items)],
            width - 40, height - 30)
    return drawing


def horizontal_bars(items: list[tuple[str, float]], width=460, value_max: float | None = None) -> Drawing:
    height = 30 + 16 * max(len(items), 1)
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 15, width - 170, height - 25
    chart.data = [[v for _, v in reversed(items)] or [0]]
    chart.categoryAxis.categoryNames = [n[:18] for n, _ in reversed(items)] or ["—"]
    chart.categoryAxis.labels.fontName = font()
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    if value_max is not None:  # a score: the whole scale, so that a difference looks as large as it is
        chart.valueAxis.valueMax = value_max
        chart.valueAxis.valueStep = value_max / 5
    chart.bars[0].fillColor = PALETTE[0]
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def grouped_months(labels: list[str], series: list[tuple[str, list[float]]], title: str, width=460,
                   height=170) -> Drawing:
    """Bars side by side per month (e.g. this year and last year), the value axis from 0."""
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 55, 30, width - 160, height - 50
    chart.data = [[v or 0 for v in values] for _, values in series]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = _thousands
    for i in range(len(series)):
        chart.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    drawing.add(String(55, height - 12, title, fontName=font(), fontSize=8))
    _legend(drawing, [(PALETTE[i], name) for i, (name, _) in enumerate(series)], chart.x + chart.width + 12,
            height - 25)
    return drawing


def _thousands(value) -> str:
    return f"{value:,.0f}"


def lines(labels: list[str], series: list[tuple[str, list[float | None]]], title: str, value_min: float = 0,
          value_max: float | None = None, width=460, height=170, dashed: tuple = ()) -> Drawing:
    """Several lines over the same months on a fixed axis: from `value_min` (0 unless said) to `value_max`
    (a score's 100; None: the data's top). `dashed`: indexes of the series drawn dashed (a forecast, a path)."""
    drawing = Drawing(width, height)
    data = [[(i, v) for i, v in enumerate(values) if v is not None] for _, values in series]
    if not any(data):
        drawing.add(String(width / 2, height / 2, "—", fontName=font(), textAnchor="middle"))
        return drawing
    chart = LinePlot()
    chart.x, chart.y, chart.width, chart.height = 55, 30, width - 175, height - 50
    kept = [(k, points) for k, points in enumerate(data) if points]
    chart.data = [points for _, points in kept]
    for i, (k, _points) in enumerate(kept):
        chart.lines[i].strokeColor = PALETTE[k % len(PALETTE)]
        chart.lines[i].strokeWidth = 1.5
        if k in dashed:
            chart.lines[i].strokeDashArray = [4, 3]
    chart.xValueAxis.valueMin, chart.xValueAxis.valueMax = 0, max(len(labels) - 1, 1)
    step = max(1, len(labels) // 12)
    chart.xValueAxis.valueSteps = list(range(0, len(labels), step))
    chart.xValueAxis.labelTextFormat = lambda i: labels[int(i)] if 0 <= int(i) < len(labels) else ""
    chart.xValueAxis.labels.fontSize = 6
    chart.xValueAxis.labels.angle = 45
    chart.xValueAxis.labels.boxAnchor = "ne"
    chart.yValueAxis.valueMin = value_min
    if value_max is not None:
        chart.yValueAxis.valueMax = value_max
        chart.yValueAxis.valueStep = (value_max - value_min) / 5
    chart.yValueAxis.labels.fontSize = 7
    chart.yValueAxis.labelTextFormat = _thousands
    drawing.add(chart)
    drawing.add(String(55, height - 12, title, fontName=font(), fontSize=8))
    _legend(drawing, [(PALETTE[k % len(PALETTE)], name) for k, (name, values) in enumerate(series)
                      if any(v is not None for v in values)], chart.x + chart.width + 12, height - 25)
    return drawing


def line(labels: list[str], values: list[float | None], title: str, width=460, height=150) -> Drawing:
    drawing = Drawing(width, height)
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if not points:
        drawing.add(String(width / 2, height / 2, "—", fontName=font(), textAnchor="middle"))
        return drawing
    chart = LinePlot()
    chart.x, chart.y, chart.width, chart.height = 45, 25, width - 70, height - 45
    chart.data = [points]
    chart.lines[0].strokeColor = PALETTE[0]
    chart.lines[0].strokeWidth = 1.5
    chart.xValueAxis.valueMin, chart.xValueAxis.valueMax = 0, max(len(labels) - 1, 1)
    chart.xValueAxis.valueSteps = list(range(len(labels)))
    chart.xValueAxis.labelTextFormat = lambda i: labels[int(i)] if 0 <= int(i) < len(labels) else ""
    chart.xValueAxis.labels.fontSize = 6
    chart.xValueAxis.labels.angle = 45
    chart.xValueAxis.labels.boxAnchor = "ne"
    chart.yValueAxis.labels.fontSize = 7
    drawing.add(chart)
    drawing.add(String(45, height - 12, title, fontName=font(), fontSize=8))
    return drawing
