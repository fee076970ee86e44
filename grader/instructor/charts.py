"""The dashboard's charts, drawn on the server as SVG with matplotlib (no script, no CDN)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: render to files only

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)

BLUE, GREEN, RED = "#2f6db5", "#2e8540", "#b5402f"
SVG_OPTIONS = {"svg.fonttype": "none", "svg.hashsalt": "grader", "font.size": 9}


def to_svg(figure: Figure) -> str:
    """Render a figure as an SVG document (text kept as text, ids stable)."""
    with matplotlib.rc_context(SVG_OPTIONS):
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def histogram_svg(counts: list[int], labels: list[str]) -> str:
    """Bar chart of how many students scored in each range."""
    figure = Figure(figsize=(6, 2.8))
    axes = figure.add_subplot()
    axes.bar(range(len(counts)), counts, color=BLUE, gid="histogram-bars")
    axes.set_xticks(range(len(labels)), labels, rotation=30)
    axes.set_xlabel("counted score (% of maximum)")
    axes.set_ylabel("students")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    return to_svg(figure)


def horizontal_bars(names: list[str], values: list[float], xlabel: str, color: str,
                    xmax: float | None = None) -> str:
    """Horizontal bars, one per name, first at the top."""
    height = max(1.2, 0.28 * len(names) + 0.8)
    figure = Figure(figsize=(6, height))
    axes = figure.add_subplot()
    positions = range(len(names))
    axes.barh(positions, values, color=color)
    axes.set_yticks(positions, [n if len(n) <= 40 else n[:39] + "…" for n in names])
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
