"""One home for what a student is told about a diagnosis: grader/grading/sentences.py.

Every category of outcome.py has its sentence there, the judges take their hints from it
(never a string of their own), and an assignment's hints.toml names only real categories
and words one only to say something else than the catalogue.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from grader.grading.assignments import load_assignments
from grader.grading.outcome import CATEGORIES
from grader.grading.sentences import SENTENCES, SITUATIONS, sentence

GRADING = Path(__file__).resolve().parents[2] / "grader" / "grading"
CATALOGUE = GRADING / "sentences.py"


def test_every_category_has_a_sentence_and_nothing_else_does():
    assert set(SENTENCES) == set(CATEGORIES)
    assert set(SITUATIONS) <= set(CATEGORIES)
    worded = [*SENTENCES.values(), *(s for by in SITUATIONS.values() for s in by.values())]
    assert all(isinstance(s, str) and s.strip() == s and s[-1] in ".)" for s in worded)


def _is_literal(node: ast.AST) -> bool:
    """Text written in place: a string, an f-string, or one joined or chosen from them (a
    call's arguments are not: ``sentence("wrong-seed")`` asks the catalogue)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp):
        return _is_literal(node.left) or _is_literal(node.right)
    if isinstance(node, ast.IfExp):
        return _is_literal(node.body) or _is_literal(node.orelse)
    return isinstance(node, ast.JoinedStr)


def literal_hints(source: str) -> list[int]:
    """Lines where a hint is given as text instead of asked of the catalogue."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "hint" and _is_literal(node.value):
            lines.append(node.value.lineno)
        elif isinstance(node, ast.Dict):
            lines += [value.lineno for key, value in zip(node.keys, node.values)
                      if isinstance(key, ast.Constant) and key.value == "hint"
                      and _is_literal(value)]
        elif isinstance(node, ast.Assign) and _is_literal(node.value) and any(
                isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant)
                and t.slice.value == "hint" for t in node.targets):
            lines.append(node.lineno)
    return lines


def catalogues_of_their_own(source: str) -> list[str]:
    """Module-level tables of hints or sentences: a second home in the making."""
    return [target.id for node in ast.parse(source).body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)
            and isinstance(node.value, ast.Dict)
            and any(word in target.id.upper() for word in ("HINT", "SENTENCE"))]


def catalogue_calls(source: str) -> list[tuple[int, tuple]]:
    """The sentence(...) calls whose arguments are written out, with those arguments."""
    return [(node.lineno, tuple(arg.value for arg in node.args))
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "sentence" and node.args
            and all(isinstance(arg, ast.Constant) for arg in node.args)]


def judges() -> list[Path]:
    return [path for path in sorted(GRADING.rglob("*.py")) if path != CATALOGUE]


def test_no_judge_words_a_hint_of_its_own():
    offenders = []
    for path in judges():
        source = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(GRADING)}:{line} gives a hint as text"
                      for line in literal_hints(source)]
        offenders += [f"{path.relative_to(GRADING)} keeps its own table {name}"
                      for name in catalogues_of_their_own(source)]
    assert offenders == []


def test_every_sentence_a_judge_asks_for_is_in_the_catalogue():
    asked = [(path, line, args) for path in judges()
             for line, args in catalogue_calls(path.read_text(encoding="utf-8"))]
    assert len(asked) > 20  # the scan sees the judges' calls
    for path, line, args in asked:
        assert sentence(*args), f"{path.name}:{line}"


def test_the_scans_catch_a_hint_written_in_place():
    source = (
        'failed("wrong-value", "m", hint="Sum them.")\n'
        'failed("wrong-value", "m", hint=f"Sum {n}.")\n'
        'failed("wrong-value", "m", hint="Sum " + "them.")\n'
        'details = {"hint": "Sum them."}\n'
        'details["hint"] = "Sum them."\n'
        'failed("wrong-value", "m", hint=sentence("wrong-value"))\n'
        'details = {"hint": sentence("wrong-seed")}\n'
        'HINTS = {"wrong-value": "Sum them."}\n'
        'sentence("no-such-category")\n'
        'failed("wrong-value", "m", hint=sentence("x") if a else "Sum them.")\n'
    )
    assert sorted(literal_hints(source)) == [1, 2, 3, 4, 5, 10]
    assert catalogues_of_their_own(source) == ["HINTS"]
    assert (9, ("no-such-category",)) in catalogue_calls(source)
    with pytest.raises(KeyError):
        sentence("no-such-category")
    with pytest.raises(KeyError):
        sentence("wrong-value", "no-such-situation")


@pytest.mark.parametrize("path", [a.folder / "hints.toml" for a in load_assignments().values()
                                  if (a.folder / "hints.toml").is_file()],
                         ids=lambda path: path.parent.name)
def test_a_hints_toml_names_categories_and_overrides_only_to_differ(path):
    slug = path.parent.name
    ladder = tomllib.loads(path.read_text(encoding="utf-8"))
    assert set(ladder) <= set(CATEGORIES), set(ladder) - set(CATEGORIES)
    for category, rungs in ladder.items():
        # An override that repeats the catalogue is a second home for the same words.
        assert rungs.get("sentence") != SENTENCES[category], (slug, category)


AUTODIFF_WORDS = ("op.gradient", "sum_node_list", "ones_like(out)")


@pytest.mark.parametrize("mutant", load_assignments()["backprop"].mutants(),
                         ids=lambda path: path.stem)
def test_backprop_feedback_speaks_of_op_vjp_not_of_autodiffs_ops(mutant):
    """Backpropagation computes adjoint values with op.vjp: a hint that told a backprop
    student to call op.gradient or sum_node_list would send them to the wrong assignment."""
    from grader.grading.pipeline import grade_submission

    document = grade_submission("backprop", mutant.read_text())
    hints = [test["extra_data"]["diagnosis"]["hint"] for test in document["tests"]
             if "hint" in test.get("extra_data", {}).get("diagnosis", {})]
    assert not [hint for hint in hints if any(word in hint for word in AUTODIFF_WORDS)], hints
