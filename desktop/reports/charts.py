"""The four charts of the home page and of the summary's chart page, laid out once.

A chart is laid out here as a list of plain shapes — filled rectangles, lines and text, in
points with y upwards — that two small painters draw: QPainter on screen, copied or saved as
PNG (views/chart_painter.py), and reportlab's canvas in the PDF, as vector graphics in the
embedded font (chart_flowable.py). Chosen by measurement, on the office PCs' kind of machine:

- reportlab's own drawings would have served both, but ``reportlab.graphics`` loads
  reportlab's page layout and Pillow with it: 0.1 s more before the window shows;
- its chart classes (reportlab.graphics.charts) took 2.7 ms to lay out and 7.3 ms to paint a
  chart of 8 bars (460 × 260) against 0.6 and 0.6 ms for plain shapes, add 360 KB of modules,
  and draw axes and ticks the office does not need;
- renderPM (reportlab to PNG) needs cairo, a native library not in the bundle; Qt Charts and
  Qt Graphs are GPL-only; a QPainter-only chart would need a second layout for the PDF, which
  is made without Qt.

The layout takes the size, the font size (text keeps its size when a chart is drawn larger)
and how text is measured: by the PDF's font, or on screen by the font that paints it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from models.choices import INCUBATION_STAGES, PROJECT_SOURCES
from models.home import HomeFigures, MonthHours
from models.summary import SummaryData

Colour = tuple[float, float, float]  # red, green, blue from 0 to 1

TEXT: Colour = (0.2, 0.2, 0.2)
MUTED: Colour = (0.45, 0.45, 0.45)
RULE: Colour = (0.75, 0.75, 0.75)
WHITE: Colour = (1.0, 1.0, 1.0)
PALETTE: dict[str, list[Colour]] = {  # one hue per chart, readable in grey print too
    "stages": [(0.98, 0.78, 0.80), (0.93, 0.55, 0.60), (0.82, 0.33, 0.42), (0.62, 0.16, 0.27)],
    "projects": [(0.16, 0.53, 0.52)],
    "hours": [(0.25, 0.45, 0.75)],
    "areas": [(0.85, 0.56, 0.18)],
}
BASELINE = 0.35  # the text's baseline this many font sizes below the middle of its line

Measure = Callable[[str, float], float]  # (text, font size) → width, in the chart's units


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as printed next to the bar
    note: str = ""  # further text at the right (the funnel: how many are at this stage now)


@dataclass(frozen=True)
class ChartSpec:
    key: str  # stages | projects | hours | areas
    title: str
    kind: str  # funnel | bars (horizontal) | columns (vertical)
    bars: tuple[Bar, ...]
    note: str = ""  # a line under the chart


@dataclass(frozen=True)
class Block:
    """A filled rectangle; (x, y) is its lower left corner."""

    x: float
    y: float
    width: float
    height: float
    colour: Colour


@dataclass(frozen=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: Colour
    thickness: float


@dataclass(frozen=True)
class Label:
    """Text whose baseline is at ``y``; ``anchor`` (start, middle, end) is where ``x`` is on it."""

    x: float
    y: float
    text: str
    size: float
    anchor: str = "start"
    colour: Colour = TEXT


Shape = Block | Rule | Label


@dataclass
class ChartDrawing:
    width: float
    height: float
    shapes: list[Shape] = field(default_factory=list)

    def add(self, shape: Shape) -> None:
        self.shapes.append(shape)

    def texts(self) -> list[str]:
        return [s.text for s in self.shapes if isinstance(s, Label)]


# --- the four charts, from the figures ---------------------------------------------------


def _number(value: float | int | Decimal) -> str:
    return f"{value:,.0f}" if float(value) == int(value) else f"{value:,.1f}"


def _short(value: float) -> str:
    """Column labels: 31,233.5 → 3.1万, small values as they are."""
    return f"{value / 10000:.1f}万" if value >= 10000 else _number(round(value))


def stage_funnel(stock: Sequence[tuple[str, int]], not_incubated: int, at: str = "当前") -> ChartSpec:
    """``stock``: (stage label, organizations at that stage on the day) in the stages' order;
    ``at`` names the day (当前, or 期末 for a period that has ended). A layer is every
    organization that has reached the stage: the stages only move forward."""
    reached = [sum(n for _label, n in stock[i:]) for i in range(len(stock))]
    bars = tuple(Bar(label, total, _number(total), f"{at} {_number(now)}")
                 for (label, now), total in zip(stock, reached, strict=True))
    return ChartSpec("stages", "社会组织孵化进程", "funnel", bars,
                     f"每层为已进入该阶段（含已进入后续阶段）的组织；未入孵 {_number(not_incubated)} 个")


def project_amounts(rows: Sequence[tuple[str, int, Decimal]]) -> ChartSpec:
    """``rows``: (source label, projects, granted yuan)."""
    bars = tuple(Bar(label, float(amount), f"{amount / 10000:,.2f} 万元（{count} 个）")
                 for label, count, amount in rows)
    return ChartSpec("projects", "项目立项金额（按来源）", "bars", bars)


def monthly_hours(months: Sequence[MonthHours]) -> ChartSpec:
    bars = tuple(Bar(f"{m.month.number}月", float(m.hours), _short(float(m.hours))) for m in months)
    span = f"{months[0].month.label}–{months[-1].month.label}" if months else ""
    return ChartSpec("hours", "志愿服务时长（小时，按月）", "columns", bars, span)


def service_areas(rows: Sequence[tuple[str, int]]) -> ChartSpec:
    bars = tuple(Bar(label, count, _number(count)) for label, count in rows)
    return ChartSpec("areas", "社会组织（按服务领域）", "bars", bars,
                     "一个组织可有多个服务领域，在每个领域各计一次")


def home_charts(figures: HomeFigures) -> list[ChartSpec]:
    """The home page's charts: the year so far."""
    stock = [(label, figures.stages[code]) for code, label in INCUBATION_STAGES]
    projects = [(label, figures.projects[code].count, figures.projects[code].amount)
                for code, label in PROJECT_SOURCES]
    areas = [(a.name, a.organizations) for a in figures.service_areas]
    return [stage_funnel(stock, figures.stages[None]), project_amounts(projects),
            monthly_hours(figures.months), service_areas(areas)]


def summary_charts(data: SummaryData, months: Sequence[MonthHours]) -> list[ChartSpec]:
    """The summary's charts, from its own tables (the same rows, the same labels)."""
    at = "期末" if data.as_of >= data.period.end else "当前"
    stages = data.section("org_stages").rows
    incubation = len(INCUBATION_STAGES.codes())
    stock = [(label, count) for label, count, _entered in stages[:incubation]]
    not_incubated = sum(count for _label, count, _entered in stages[incubation:])
    projects = [(label, count, amount) for label, count, amount, _served in data.section("projects").rows]
    areas = list(data.section("org_areas").rows)
    return [stage_funnel(stock, not_incubated, at), project_amounts(projects), monthly_hours(months),
            service_areas(areas)]


# --- laying out ---------------------------------------------------------------------------


def pdf_width(text: str, size: float) -> float:
    """Text width in the PDF's font (reportlab is loaded and the fonts read when first needed)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from .pdf import SANS, register_fonts

    register_fonts()
    return stringWidth(text, SANS, size)


def _text(x: float, middle: float, text: str, size: float, anchor: str = "start",
          colour: Colour = TEXT) -> Label:
    """``text`` whose line is centred on ``middle``."""
    return Label(x, middle - BASELINE * size, text, size, anchor, colour)


def _fit(text: str, size: float, room: float, width: Measure) -> str:
    """``text``, cut with … when it is wider than ``room``."""
    if width(text, size) <= room:
        return text
    while text and width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def draw_chart(spec: ChartSpec, width: float, height: float, font_size: float,
               measure: Measure = pdf_width) -> ChartDrawing:
    """``spec`` laid out in ``width`` × ``height`` with text of ``font_size`` as ``measure``
    measures it: the title at the top, the note at the bottom, the bars between."""
    drawing = ChartDrawing(width, height)
    line = font_size * 1.5
    drawing.add(_text(0, height - line / 2, spec.title, font_size * 1.15))
    top = height - line * 1.4
    bottom = line if spec.note else font_size * 0.3
    if spec.note:
        drawing.add(_text(0, line / 2, _fit(spec.note, font_size * 0.9, width, measure), font_size * 0.9,
                          colour=MUTED))
    if not spec.bars or not any(bar.value for bar in spec.bars):
        drawing.add(_text(width / 2, (top + bottom) / 2, "暂无数据", font_size, "middle", MUTED))
        return drawing
    layout = {"funnel": _funnel, "bars": _bars, "columns": _columns}[spec.kind]
    layout(drawing, spec, _Box(0, bottom, width, top - bottom), font_size, measure)
    return drawing


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    h: float


def _colour(spec: ChartSpec, i: int) -> Colour:
    shades = PALETTE[spec.key]
    return shades[min(i, len(shades) - 1)]


def _bars(d: ChartDrawing, spec: ChartSpec, box: _Box, size: float, width: Measure) -> None:
    """Horizontal bars: the label at the left, the value after the bar."""
    x, y, w, h = box.x, box.y, box.w, box.h
    labels = min(max(width(b.label, size) for b in spec.bars) + size * 0.6, w * 0.35)
    values = max(width(b.text, size) for b in spec.bars) + size * 0.5
    room = max(w - labels - values, 1)
    most = max(b.value for b in spec.bars)
    row = h / len(spec.bars)
    thick = min(row * 0.62, size * 1.6)
    for i, bar in enumerate(spec.bars):
        middle = y + h - row * (i + 0.5)
        d.add(_text(x + labels - size * 0.4, middle, _fit(bar.label, size, labels - size * 0.4, width),
                    size, "end"))
        length = room * bar.value / most if most else 0
        if length:
            d.add(Block(x + labels, middle - thick / 2, length, thick, _colour(spec, i)))
        d.add(_text(x + labels + length + size * 0.3, middle, bar.text, size))


def _columns(d: ChartDrawing, spec: ChartSpec, box: _Box, size: float, width: Measure) -> None:
    """Vertical bars over a baseline: the label under each, the value above it (above every
    bar when the values fit, else above the highest and the last)."""
    x, y, w, h = box.x, box.y, box.w, box.h
    small = size * 0.85
    base = y + size * 1.4
    room = h - size * 1.4 - small * 1.5
    most = max(b.value for b in spec.bars)
    step = w / len(spec.bars)
    thick = step * 0.62
    labelled = max(width(b.text, small) for b in spec.bars) <= step * 1.05
    d.add(Rule(x, base, x + w, base, RULE, max(size / 12, 0.5)))
    for i, bar in enumerate(spec.bars):
        centre = x + step * (i + 0.5)
        length = room * bar.value / most if most else 0
        if length:
            d.add(Block(centre - thick / 2, base, thick, length, _colour(spec, i)))
        d.add(_text(centre, y + size * 0.6, bar.label, small, "middle", MUTED))
        if labelled or bar.value == most or i == len(spec.bars) - 1:
            d.add(_text(centre, base + length + small * 0.8, bar.text, small, "middle"))


def _funnel(d: ChartDrawing, spec: ChartSpec, box: _Box, size: float, width: Measure) -> None:
    """Layers centred on one axis, each as wide as its value: name left, value inside (or
    beside a narrow layer), the note at the right."""
    x, y, w, h = box.x, box.y, box.w, box.h
    labels = max(width(b.label, size) for b in spec.bars) + size * 0.8
    notes = max(width(b.note, size * 0.9) for b in spec.bars) + size * 0.6
    room = max(w - labels - notes, 1)
    centre = x + labels + room / 2
    most = max(b.value for b in spec.bars)
    row = h / len(spec.bars)
    thick = min(row * 0.8, size * 2.4)
    for i, bar in enumerate(spec.bars):
        middle = y + h - row * (i + 0.5)
        d.add(_text(x + labels - size * 0.5, middle, bar.label, size, "end"))
        length = room * bar.value / most if most else 0
        if length:
            d.add(Block(centre - length / 2, middle - thick / 2, length, thick, _colour(spec, i)))
        inside = width(bar.text, size) + size * 0.6 <= length
        colour = WHITE if inside and i >= 2 else TEXT
        d.add(_text(centre if inside else centre + length / 2 + size * 0.3, middle, bar.text, size,
                    "middle" if inside else "start", colour))
        d.add(_text(x + w, middle, bar.note, size * 0.9, "end", MUTED))
