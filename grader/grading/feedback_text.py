"""How feedback reads, in one wording for the site and the terminal.

The submission page (grader/templates/student/_feedback.html), `autograder grade`, and the
student package's `autograder test` and `autograder submit` (grader/cli/report.py, shipped
in the wheel) all word a result document with these functions: the same labels, the same
numbers to the same digits, the same marks on hidden tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# A diagnosis's entries laid out by name, in this order; any others follow, then the hint.
LAID_OUT = ("category", "node", "op", "expected", "received", "abs_error", "rel_error", "hint")
WITHHELD = {"until_due": "hidden until the due date", "always": "hidden"}


@dataclass(frozen=True)
class DiagnosisLine:
    """One labelled line of a diagnosis. kind says how a page sets it: "text", "code" (a
    name from the student's graph), "value" (an array or a traceback: kept as laid out) or
    "hint" (the generic advice, last)."""

    label: str
    text: str
    kind: str = "text"


def format_value(value: Any, limit: int = 400) -> str:
    """Show a value from a result document compactly as text (arrays as nested lists)."""
    if isinstance(value, dict) and "values" in value:  # an array as the grader summarises it
        more = ", …" if value.get("truncated") else ""
        shape = "×".join(str(n) for n in value.get("shape", [])) or "scalar"
        text = f"{format_value(value['values'], limit)}{more}  (shape {shape})"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, float):
        text = f"{value:.6g}"
    elif isinstance(value, list):
        text = "[" + ", ".join(format_value(item, limit) for item in value) + "]"
    else:
        text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def diagnosis_lines(diagnosis: dict[str, Any] | None) -> list[DiagnosisLine]:
    """Word a test's diagnosis: the problem, where, expected against received, the error,
    anything else it carries, and the hint last."""
    if not diagnosis:
        return []
    lines = []
    if diagnosis.get("category"):
        lines.append(DiagnosisLine("Problem", str(diagnosis["category"])))
    if diagnosis.get("node"):
        op = f" (op {diagnosis['op']})" if diagnosis.get("op") else ""
        lines.append(DiagnosisLine("Node", f"{diagnosis['node']}{op}", "code"))
    for key in ("expected", "received"):
        if key in diagnosis:
            lines.append(DiagnosisLine(key.capitalize(), format_value(diagnosis[key]), "value"))
    if "abs_error" in diagnosis:
        error = f"absolute {format_value(diagnosis['abs_error'])}"
        if "rel_error" in diagnosis:
            error += f", relative {format_value(diagnosis['rel_error'])}"
        lines.append(DiagnosisLine("Error", error))
    for key, value in diagnosis.items():
        if key not in LAID_OUT:
            kind = "value" if key == "traceback" else "code"
            lines.append(DiagnosisLine(key.replace("_", " ").capitalize(), format_value(value),
                                       kind))
    if diagnosis.get("hint"):
        lines.append(DiagnosisLine("Hint", str(diagnosis["hint"]), "hint"))
    return lines


def diagnosis_of(test: dict[str, Any]) -> dict[str, Any] | None:
    """Return the test's diagnosis (node, expected vs received, hint) if it has one."""
    extra = test.get("extra_data") or {}
    found = extra.get("diagnosis") if isinstance(extra, dict) else None
    return found if isinstance(found, dict) and found else None


def withheld_label(test: dict[str, Any]) -> str | None:
    """The mark of a test whose details the reader cannot see (its `withheld` reason)."""
    return WITHHELD.get(test.get("withheld") or "")


def score_text(value: float | None, max_value: float | None = None) -> str:
    """A score as every page and command shows it: two decimals at most, "—" for none."""
    if value is None:
        return "—"
    text = f"{round(value, 2):g}"
    return f"{text} / {max_value:g}" if max_value else text


def late_text(penalty: float) -> str:
    """The late penalty as a fraction of the score lost, in percent."""
    return f"late −{penalty * 100:g} %"
