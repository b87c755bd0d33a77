"""The quarterly return's charts, drawn as SVG on the server by matplotlib from figures that
already went through ``suppression``: a withheld figure is drawn as no bar, marked "withheld".

The SVG stands alone: text is drawn as paths (no font is needed or fetched), every reference is
to an element of the same drawing, no script, no metadata, and no label comes from anyone's
input. ``svg_data_uri`` gives it as a ``data:`` URI for an ``<img>``, which the content security
policy allows and in which a browser runs nothing."""

import base64
import re
from collections.abc import Sequence
from datetime import date
from io import BytesIO
from typing import Any

from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

INK = "#1b1b1b"
BAR = "#1d4f91"
WITHHELD = "#6b6b6b"
SVG_PARAMS: dict[Any, Any] = {
    "svg.fonttype": "path",  # glyphs as paths: no font to load
    "svg.hashsalt": "casework-return",  # the same figures draw the same file
    "svg.image_inline": True,
    "font.family": "DejaVu Sans",  # matplotlib's own font, always present
    "font.size": 9,
    "text.usetex": False,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
}
_SAFE_TEXT = re.compile(r"[^A-Za-z0-9 .,:()/'\-]")
_OUTSIDE_REFERENCE = re.compile(
    r"""(?:href|src)\s*=\s*["'](?!#)|url\(\s*["']?(?!#)|<script|<foreignObject|@import""",
    re.IGNORECASE,
)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_XML_HEAD = re.compile(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?")

STAGE_LABELS = {
    "reported": "Reported",
    "under_investigation": "Under investigation",
    "charged": "Charged",
    "trial": "Trial",
    "verdict": "Verdict",
    "conviction": "Conviction",
}


def svg_safe(text: str) -> str:
    """A label matplotlib draws as written: no mathtext (``$``), no markup, nothing that could
    end an XML comment or attribute."""
    return _SAFE_TEXT.sub("", text)[:60]


def _svg(figure: Figure) -> str:
    buffer = BytesIO()
    with rc_context(SVG_PARAMS):
        FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None, "Creator": None})
    text = buffer.getvalue().decode()
    text = _XML_HEAD.sub("", _COMMENT.sub("", _METADATA.sub("", text)))
    if _OUTSIDE_REFERENCE.search(text):
        raise ValueError("A chart referred to something outside itself.")
    return text


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _figure(height: float) -> tuple[Figure, Any]:
    with rc_context(SVG_PARAMS):
        figure = Figure(figsize=(7.0, height), dpi=72, layout="constrained")
        axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def _bars(
    axes: Any, labels: Sequence[str], cells: Sequence[dict[str, Any]], *, horizontal: bool
) -> None:
    positions = list(range(len(labels)))
    counts = [cell["count"] or 0 for cell in cells]
    draw = axes.barh if horizontal else axes.bar
    bars = draw(positions, counts, color=BAR)
    top = max(counts, default=0) or 1
    for position, bar, cell in zip(positions, bars, cells, strict=True):
        withheld = cell["suppressed"]
        text = "withheld" if withheld else f"{cell['count']:,}"
        colour = WITHHELD if withheld else INK
        if horizontal:
            axes.text(bar.get_width() + top * 0.01, position, text, va="center", color=colour)
        else:
            axes.text(position, bar.get_height() + top * 0.01, text, ha="center", color=colour)
    safe = [svg_safe(label) for label in labels]
    if horizontal:
        axes.set_yticks(positions, safe)
        axes.invert_yaxis()
        axes.set_xlim(0, top * 1.15)
    else:
        axes.set_xticks(positions, safe, rotation=45 if len(labels) > 6 else 0, ha="right")
        axes.set_ylim(0, top * 1.15)


def funnel_svg(funnel: Sequence[dict[str, Any]]) -> str:
    """The attrition funnel: cases that reached each stage, from report to conviction."""
    figure, axes = _figure(2.6)
    labels = [STAGE_LABELS.get(cell["key"], cell["key"]) for cell in funnel]
    _bars(axes, labels, funnel, horizontal=True)
    axes.set_xlabel("Cases")
    return _svg(figure)


def months_between(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly_svg(rows: Sequence[dict[str, Any]], *, start: date, end: date, unit: str) -> str:
    """Counts by month over the range; a month with no row had none."""
    by_month = {row["key"]: row for row in rows}
    months = months_between(start, end)
    cells = [by_month.get(month, {"count": 0, "suppressed": False}) for month in months]
    figure, axes = _figure(2.4)
    labels = [date.fromisoformat(f"{month}-01").strftime("%b %Y") for month in months]
    _bars(axes, labels, cells, horizontal=False)
    axes.set_ylabel(svg_safe(unit))
    return _svg(figure)
