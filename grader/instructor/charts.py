"""The dashboard's charts, drawn on the server as SVG with matplotlib (no script, no CDN)."""

from __future__ import annotations

import functools
import io

import matplotlib

matplotlib.use("Agg")  # no display: render to files only

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)

BLUE, GREEN, RED = "#2f6db5", "#2e8540", "#b5402f"
# Text sizes are fixed when artists are made, so charts are drawn (not only saved) with these.
# The charts are sized so that, shown at the width of their card, labels read at about 12 px.
SVG_OPTIONS = {"svg.fonttype": "none", "svg.hashsalt": "grader", "font.size": 12}
LABEL_CHARACTERS = 32  # longer test names are cut, so the labels do not squeeze the bars


def drawn_with_style(chart):
    """Draw chart under SVG_OPTIONS."""

    @functools.wraps(chart)
    def wrapped(*args, **kwargs):
        with matplotlib.rc_context(SVG_OPTIONS):
            return chart(*args, **kwargs)

    return wrapped


def to_svg(figure: Figure) -> str:
    """Render a figure as an SVG document (text kept as text, ids stable)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


@drawn_with_style
def histogram_svg(counts: list[int], labels: list[str]) -> str:
    """Bar chart of how many students scored in each range."""
    figure = Figure(figsize=(5, 3))
    axes = figure.add_subplot()
    axes.bar(range(len(counts)), counts, color=BLUE, gid="histogram-bars")
    axes.set_xticks(range(len(labels)), labels, rotation=45)
    axes.set_xlabel("counted score (% of maximum)")
    axes.set_ylabel("students")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    return to_svg(figure)


def short(name: str) -> str:
    return name if len(name) <= LABEL_CHARACTERS else name[:LABEL_CHARACTERS - 1] + "…"


@drawn_with_style
def horizontal_bars(names: list[str], values: list[float], xlabel: str, color: str,
                    xmax: float | None = None) -> str:
    """Horizontal bars, one per name, first at the top."""
    height = max(1.4, 0.3 * len(names) + 0.9)
    figure = Figure(figsize=(4, height))
    axes = figure.add_subplot()
    positions = range(len(names))
    axes.barh(positions, values, color=color)
    axes.set_yticks(positions, [short(n) for n in names])
    axes.invert_yaxis()
    axes.set_xlabel(xlabel)
    if xmax is not None:
        axes.set_xlim(0, xmax)
    if not names:
        axes.text(0.5, 0.5, "no data yet", ha="center", va="center", transform=axes.transAxes)
    axes.spines[["top", "right"]].set_visible(False)
    return to_svg(figure)


def pass_rates_svg(rates) -> str:
    """Share of counted submissions passing each test."""
    return horizontal_bars([r.name for r in rates], [100 * r.rate for r in rates],
                           "% of counted submissions passing", GREEN, xmax=100)


def categories_svg(categories: list[tuple[str, int]]) -> str:
    """How often each diagnosis category appears among failed tests."""
    return horizontal_bars([c for c, _ in categories], [n for _, n in categories],
                           "failed tests with this diagnosis", RED)
