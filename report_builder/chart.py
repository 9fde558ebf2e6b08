"""The RAG chart: a stacked bar per section and for the whole plan, drawn by matplotlib as a print-quality PNG."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from report_builder.context import NOT_RATED_FILL
from workbook.schema import RAG_FILLS

DPI = 200
WIDTH_CM, ROW_CM, FRAME_CM = 24.0, 0.85, 2.3
PX = DPI / 72  # pixels per point
MARGIN_PT = 4.0
# Below the axes: tick labels (8 pt), the axis title (8 pt), the legend (7.5 pt), and the gaps between them.
BOTTOM_PT = MARGIN_PT + 7.5 * 1.3 + 6 + 8 * 1.2 + 4 + 8 * 1.2 + 7
PNG_LEVEL = 3  # zlib level: a third of the time of the default for a picture a few kilobytes larger
# (label, count key, fill, hatch): hatching keeps the bars apart in black-and-white print and for colour-blind readers
SERIES = (
    ("Completed by deadline (G)", "completed", "#" + RAG_FILLS["G"], ""),
    ("Ongoing within deadline (A)", "ongoing", "#" + RAG_FILLS["A"], ".."),
    ("Not completed by deadline (R)", "not_completed", "#" + RAG_FILLS["R"], "//"),
    ("Not rated (NR)", "not_rated", "#" + NOT_RATED_FILL, "xx"),
)
LETTERS = {"completed": "G", "ongoing": "A", "not_completed": "R", "not_rated": "NR"}


@dataclass(frozen=True)
class ChartBar:
    """One bar of the chart: its label and the counts by RAG (keys as in the report context's ``counts``)."""

    label: str
    counts: dict[str, int]


def chart_bars(context: dict) -> list[ChartBar]:
    """The bars for a report context: one per section, then the whole plan."""
    bars = [ChartBar(s["heading"], s["counts"]) for s in context["sections"]]
    bars.append(ChartBar("Whole plan", context["overall"]))
    return bars


def chart_description(bars: list[ChartBar]) -> str:
    """The chart's figures in words, used as the picture's alternative text for screen readers."""
    parts = []
    for bar in bars:
        counts = ", ".join(f"{bar.counts.get(key, 0)} {LETTERS[key]}" for _, key, _, _ in SERIES)
        parts.append(f"{bar.label}: {counts}")
    return "RAG chart. " + "; ".join(parts) + "."


def rag_chart_png(bars: list[ChartBar]) -> tuple[bytes, float, float]:
    """Draw the chart; return the PNG bytes and its size in centimetres (width, height) for the document."""
    import matplotlib

    matplotlib.use("Agg")  # no display: the report is built headless as well as from Excel
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    # At 200 dpi glyphs need no hinting to the pixel grid, which costs a fifth of the drawing.
    with warnings.catch_warnings(), matplotlib.rc_context({"text.hinting": "no_hinting"}):
        warnings.simplefilter("ignore", UserWarning)  # a section title with an emoji the font lacks: drawn as a box
        return _draw(Figure, FigureCanvasAgg, FontProperties, bars)


def _draw(Figure, Canvas, FontProperties, bars: list[ChartBar]) -> tuple[bytes, float, float]:  # noqa: N803
    """Draw the bars on a matplotlib Figure and save it as PNG.

    The margins are worked out from the labels' measured widths rather than by a layout engine (which draws
    everything twice to find them): the axis labels on the left, the legend and axis title below, and room on
    the right for the longest total written after its bar.
    """
    height_cm = FRAME_CM + ROW_CM * len(bars)
    width_px, height_px = WIDTH_CM / 2.54 * DPI, height_cm / 2.54 * DPI
    figure = Figure(figsize=(WIDTH_CM / 2.54, height_cm / 2.54), dpi=DPI)
    renderer = Canvas(figure).get_renderer()

    def extent(text: str, size: float) -> float:
        font = FontProperties(size=size)
        return max(renderer.get_text_width_height_descent(line, font, ismath=False)[0] for line in text.split("\n"))

    labels = [_wrap(bar.label) for bar in reversed(bars)]
    widest = max([sum(bar.counts.get(key, 0) for _, key, _, _ in SERIES) for bar in bars] + [1])
    notes = []
    for bar in reversed(bars):
        total = sum(bar.counts.get(key, 0) for _, key, _, _ in SERIES)
        small = [f"{LETTERS[key]} {bar.counts.get(key, 0)}" for _, key, _, _ in SERIES
                 if 0 < bar.counts.get(key, 0) < widest * 0.06]  # too narrow to hold their own label
        notes.append((total, f"{total} actions" + (f" (incl. {', '.join(small)})" if small else "")))
    left = MARGIN_PT * PX + max(extent(label, 8) for label in labels) + 7 * PX  # tick mark and its gap
    row_px = (height_px - (BOTTOM_PT + MARGIN_PT) * PX) / len(bars)
    top = MARGIN_PT * PX + max(0.0, (labels[-1].count("\n") + 1) * 8 * 1.2 * PX / 2 - row_px / 2)  # a tall top label
    axes = figure.add_axes((left / width_px, BOTTOM_PT * PX / height_px, 1 - (left + MARGIN_PT * PX) / width_px,
                            1 - (top + BOTTOM_PT * PX) / height_px))
    axes_px = width_px - left - MARGIN_PT * PX
    limit = widest * 1.2
    for total, note in notes:  # the scale leaves room for each total written after its bar
        limit = max(limit, (total + widest * 0.01) / (1 - (extent(note, 7.5) + 2 * PX) / axes_px))
    positions = range(len(bars))
    starts = [0] * len(bars)
    for name, key, fill, hatch in SERIES:
        values = [bar.counts.get(key, 0) for bar in reversed(bars)]
        drawn = axes.barh(positions, values, left=starts, color=fill, edgecolor="black", linewidth=0.6, hatch=hatch,
                          label=name, height=0.62)
        for rect, value in zip(drawn, values):
            if value >= widest * 0.06:  # narrower segments are named by the total at the end of the bar
                axes.text(rect.get_x() + rect.get_width() / 2, rect.get_y() + rect.get_height() / 2,
                          f"{LETTERS[key]} {value}", ha="center", va="center", fontsize=7.5, fontweight="bold",
                          color="black", bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                               "edgecolor": "none", "alpha": 0.85})
        starts = [a + b for a, b in zip(starts, values)]
    for position, (total, note) in zip(positions, notes):
        axes.text(total + widest * 0.01, position, note, ha="left", va="center", fontsize=7.5)
    axes.set_yticks(list(positions), labels, fontsize=8)
    axes.set_xlabel("Number of actions", fontsize=8)
    axes.tick_params(axis="x", labelsize=8)
    axes.set_xlim(0, limit)
    axes.set_ylim(-0.5, len(bars) - 0.5)
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(loc="lower center", bbox_to_anchor=(0.5, MARGIN_PT * PX / height_px), ncol=4, fontsize=7.5,
                  frameon=False, borderaxespad=0, borderpad=0)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": PNG_LEVEL})
    return buffer.getvalue(), WIDTH_CM, height_cm


def _wrap(label: str, width: int = 30) -> str:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:3])
