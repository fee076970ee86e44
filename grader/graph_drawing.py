"""Draw a small computation graph as SVG, one node marked: where a student's adjoint is wrong.

The graphs drawn are the assignments' visible test graphs (a few to a few dozen nodes), so a
small layered layout does: each node one row below its lowest input (leaves one row above
their first consumer), rows ordered by a few barycentre sweeps to uncross the edges (the
idea of Sugiyama's method, without its long-edge routing, which graphs this small rarely
need). The SVG is built with ElementTree, which escapes every label and attribute, and uses
presentation attributes only (the pages' Content-Security-Policy refuses inline styles) and
no ids (a page may hold several drawings).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from markupsafe import Markup

BOX_HEIGHT, ROW_GAP, COLUMN_GAP, MARGIN = 34, 40, 16, 8
FONT_SIZE, CHARACTER_WIDTH, BOX_PADDING = 15, 9.2, 22  # a monospace label's advance
SWEEPS = 4
INK, LINE, WRONG, PAPER, OUT = "#1d2433", "#6b7588", "#b5402f", "#ffffff", "#e8eef8"
SYMBOLS = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "neg": "negate", "matmul": "@"}


@dataclass
class Placed:
    node: object
    label: str
    row: int
    x: float = 0.0
    width: float = 0.0

    @property
    def y(self) -> float:
        return MARGIN + self.row * (BOX_HEIGHT + ROW_GAP)


def label(node) -> str:
    """What a node's box says: a leaf's name or value, an op's symbol and constant."""
    op = node.op.name
    if op == "variable":
        return str(node.name)
    if op == "constant":
        value = node.attrs.get("value")
        return f"{float(value):g}" if getattr(value, "ndim", 0) == 0 and value is not None \
            else "constant"
    if op == "add_const":
        return f"+ {float(node.attrs.get('const', 0.0)):g}"
    if op == "mul_const":
        return f"× {float(node.attrs.get('const', 1.0)):g}"
    if op == "power":
        return f"** {float(node.attrs.get('exponent', 1.0)):g}"
    return SYMBOLS.get(op, op)


def layers(order: list, out) -> dict[int, int]:
    """Row of each node (by id): inputs above their consumers, out at the bottom."""
    row: dict[int, int] = {}
    for node in order:
        row[id(node)] = 1 + max((row[id(i)] for i in node.inputs), default=-1)
    consumers: dict[int, list] = {}
    for node in order:
        for inp in node.inputs:
            consumers.setdefault(id(inp), []).append(node)
    for node in order:  # a leaf sits just above its first consumer, not at the very top
        if not node.inputs and consumers.get(id(node)):
            row[id(node)] = min(row[id(c)] for c in consumers[id(node)]) - 1
    return row


def ordered_rows(order: list, row: dict[int, int]) -> list[list]:
    """Nodes per row, ordered to cross few edges (barycentre sweeps down and up)."""
    rows: list[list] = [[] for _ in range(max(row.values()) + 1)]
    for node in order:
        rows[row[id(node)]].append(node)
    consumers: dict[int, list] = {}
    for node in order:
        for inp in node.inputs:
            consumers.setdefault(id(inp), []).append(node)
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        indices = range(1, len(rows)) if downward else range(len(rows) - 2, -1, -1)
        for r in indices:
            reference = rows[r - 1] if downward else rows[r + 1]
            where = {id(n): i for i, n in enumerate(reference)}
            current = {id(n): i for i, n in enumerate(rows[r])}

            def centre(node, where=where, current=current, downward=downward):
                linked = node.inputs if downward else consumers.get(id(node), [])
                spots = [where[id(n)] for n in linked if id(n) in where]
                return sum(spots) / len(spots) if spots else current[id(node)]

            rows[r].sort(key=centre)
    return rows


def place(order: list, out) -> tuple[dict[int, Placed], float, float]:
    """Every node's box, and the drawing's width and height."""
    row = layers(order, out)
    rows = ordered_rows(order, row)
    placed: dict[int, Placed] = {}
    widths = []
    for r, nodes in enumerate(rows):
        x = float(MARGIN)
        for node in nodes:
            text = label(node)
            box = Placed(node, text, r, x, max(52.0, len(text) * CHARACTER_WIDTH + BOX_PADDING))
            placed[id(node)] = box
            x += box.width + COLUMN_GAP
        widths.append(x - COLUMN_GAP + MARGIN)
    width = max(widths)
    for nodes, used in zip(rows, widths):  # centre each row
        for node in nodes:
            placed[id(node)].x += (width - used) / 2
    height = MARGIN * 2 + len(rows) * BOX_HEIGHT + (len(rows) - 1) * ROW_GAP
    return placed, width, height


def draw(order: list, out, wrong=None, *, title: str, names=None) -> Markup:
    """The graph as an inline SVG document; ``wrong`` (a node of ``order``) is marked.

    names: a node's full name for its tooltip (grader.grading.naming.NodeNames.name).
    """
    placed, width, height = place(order, out)
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "class": "graph-drawing", "role": "img",
        "aria-label": title, "viewBox": f"0 0 {width:.0f} {height:.0f}",
        "width": f"{width:.0f}", "height": f"{height:.0f}",
        "font-family": "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
        "font-size": str(FONT_SIZE)})
    edges = ET.SubElement(svg, "g", {"stroke": LINE, "fill": LINE, "stroke-width": "1.3"})
    leaving: dict[int, list] = {}  # each node's output edges, so that they leave apart
    for node in order:
        for slot, inp in enumerate(node.inputs):
            leaving.setdefault(id(inp), []).append((node, slot))
    for node in order:
        for slot, inp in enumerate(node.inputs):
            spread = leaving[id(inp)]
            _edge(edges, placed[id(inp)], placed[id(node)], slot, len(node.inputs),
                  spread.index((node, slot)), len(spread))
    for node in order:
        box = placed[id(node)]
        _box(svg, box, node is wrong, node is out, names(node) if names else box.label)
    return Markup(ET.tostring(svg, encoding="unicode"))


def _edge(parent, source: Placed, target: Placed, slot: int, slots: int, leaves: int,
          leaving: int) -> None:
    """An arrow from an input's box to its consumer's, entering at the input's slot and
    leaving at its own place among the input's output edges (x * x: two arrows)."""
    x1 = source.x + source.width * (leaves + 1) / (leaving + 1)
    y1 = source.y + BOX_HEIGHT
    x2 = target.x + target.width * (slot + 1) / (slots + 1)
    y2 = target.y
    ET.SubElement(parent, "line", {"x1": f"{x1:.1f}", "y1": f"{y1:.1f}", "x2": f"{x2:.1f}",
                                   "y2": f"{y2 - 5:.1f}"})
    ET.SubElement(parent, "polygon", {
        "points": f"{x2:.1f},{y2:.1f} {x2 - 4:.1f},{y2 - 7:.1f} {x2 + 4:.1f},{y2 - 7:.1f}"})


def _box(parent, box: Placed, is_wrong: bool, is_out: bool, name: str) -> None:
    group = ET.SubElement(parent, "g", {"data-node": name})
    if is_wrong:
        group.set("data-wrong", "true")
    ET.SubElement(group, "title").text = name + (" — its adjoint is wrong" if is_wrong else "")
    ET.SubElement(group, "rect", {
        "x": f"{box.x:.1f}", "y": f"{box.y:.1f}", "width": f"{box.width:.1f}",
        "height": str(BOX_HEIGHT), "rx": "6",
        "fill": "#fde7e5" if is_wrong else (OUT if is_out else PAPER),
        "stroke": WRONG if is_wrong else INK, "stroke-width": "3" if is_wrong else "1"})
    text = ET.SubElement(group, "text", {
        "x": f"{box.x + box.width / 2:.1f}", "y": f"{box.y + BOX_HEIGHT / 2 + FONT_SIZE / 3:.1f}",
        "text-anchor": "middle", "fill": WRONG if is_wrong else INK})
    text.text = box.label + ("  ✗" if is_wrong else "")
    if is_wrong:
        text.set("font-weight", "bold")
