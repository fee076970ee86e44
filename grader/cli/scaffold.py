"""`autograder new-assignment SLUG --kind KIND`: the folder of a new assignment, ready to fill in.

It writes what assignments/README.md describes (manifest, README, starter, public tests,
the trusted tests: cases.py, or tests.py (its visible tests) for the `tests` kind, mutants/)
and a reference solution under reference/solutions/SLUG/. The solution and the tests are examples to
replace: once they are filled in, `autograder check-assignment SLUG` passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import click

from grader.grading.assignments import (
    ASSIGNMENTS_DIR,
    HIDDEN_TESTS,
    VISIBLE_TESTS,
    load_assignments,
)
from grader.grading.kinds import KINDS
from reference.solutions import SOLUTIONS_DIR

SLUG = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class KindTemplate:
    """What a new assignment of one kind starts from."""

    submit_file: str
    entry: str
    signature: str        # the entry's def line
    cases_file: str       # cases.py, or tests.py for the `tests` kind
    cases: str            # its text
    public_test: str      # a pytest test students run, on the entry imported from the file
    example_body: str     # an answer that passes the example tests, to replace


_GRAPH_PUBLIC = '''
def test_identity():
    x = ad.variable("x", (3,))
    node_to_grad = {entry}({call})
    value = node_to_grad[x]
    value = ad.evaluate([value], {{x: np.ones(3)}})[0] if isinstance(value, ad.Node) else value
    np.testing.assert_allclose(value, np.ones(3))
'''

TEMPLATES = {
    "autodiff": KindTemplate(
        "gradient.py", "gradient", "def gradient(out):", "cases.py",
        '''import autodiff as ad
from grader.grading.autodiff_cases import AutodiffCase as Case

CASES = [
    Case("identity", lambda: ad.variable("x", (3,)), description="out = x"),
]
''',
        _GRAPH_PUBLIC.format(entry="gradient", call="x"),
        "    return {out: ad.ones_like(out)}  # right for out = x only: write the walk"),
    "backprop": KindTemplate(
        "backprop.py", "gradient", "def gradient(out, feed_dict):", "cases.py",
        '''import autodiff as ad
from grader.grading.backprop_cases import BackpropCase as Case

CASES = [
    Case("identity", lambda: ad.variable("x", (3,)), description="out = x"),
]
''',
        _GRAPH_PUBLIC.format(entry="gradient", call="x, {x: np.ones(3)}"),
        "    (value,) = ad.evaluate([out], feed_dict)\n"
        "    return {out: np.ones_like(value)}  # right for out = x only: write the walk"),
    "numerical": KindTemplate(
        "numerical.py", "numerical_gradient", "def numerical_gradient(f, x, h=1e-6):",
        "cases.py",
        '''from grader.grading.numerical_cases import NumericalCase as Case

CASES = [
    Case("vector input", {"name": "cubic"}, shape=(5,), description="sum(x^3)"),
]
''',
        '''
def test_square():
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: float(np.sum(v ** 2)), x), 2 * x,
                               rtol=1e-5, atol=1e-6)
''',
        "    grad = np.zeros_like(x)\n"
        "    for i in np.ndindex(x.shape):\n"
        "        saved = x[i]\n"
        "        x[i] = saved + h\n"
        "        above = f(x)\n"
        "        x[i] = saved - h\n"
        "        below = f(x)\n"
        "        x[i] = saved\n"
        "        grad[i] = (above - below) / (2 * h)\n"
        "    return grad"),
    "tests": KindTemplate(
        "solution.py", "solve", "def solve(x):", "tests.py",
        '''import numpy as np

from grader.grading.instructor_tests import test


@test(points=1)
def doubles_a_vector(student, rng):
    """solve(x) returns 2 x (an example: replace it with the assignment's tests)"""
    x = rng.normal(size=3)
    result = student.solve(x)
    assert np.allclose(result, 2 * x), f"solve({x}) returned {result}, not {2 * x}"
''',
        '''
def test_doubles_a_vector():
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(solve(x), 2 * x)
''',
        "    return 2 * x"),
}


def _cases_docstring(slug: str, template: KindTemplate) -> str:
    if template.cases_file == VISIBLE_TESTS:
        return (f"The visible tests of `{slug}` (never mounted in the sandbox; the student "
                "package ships this\nfile: hidden and after-due-date tests go in "
                f"{HIDDEN_TESTS}, which may import helpers from here).")
    return f"The tests of `{slug}` (trusted code: never mounted in the sandbox)."


def _readme(slug: str, template: KindTemplate) -> str:
    module = template.submit_file.removesuffix(".py")
    local = (f"```\npython -m pip install autodiff_student-0.1.0-py3-none-any.whl\n"
             f"autograder test {slug} {template.submit_file}\n```\n\n"
             f"`python -m pytest test_{module}.py` runs the starter's own tests: they "
             "count different tests than `autograder test`; both should pass.\n")
    return (f"# {slug}\n\nWhat students implement, with the lecture's pseudo-code.\n\n"
            f"## What to submit\n\nOne file, `{template.submit_file}`, defining\n\n"
            f"```python\n{template.signature}\n```\n\n"
            f"## Testing on your machine\n\n{local}")


def scaffold(slug: str, kind: str, assignments_dir: Path = ASSIGNMENTS_DIR,
             solutions_dir: Path = SOLUTIONS_DIR) -> list[Path]:
    """Write the new assignment's folder and its reference solution; the files written.

    Raises click.UsageError for a slug that is taken or malformed, or an unknown kind.
    """
    if not SLUG.match(slug):
        raise click.UsageError(f"the slug {slug!r} must be lowercase letters, digits and _, "
                               "starting with a letter (it names a folder and a URL)")
    if kind not in TEMPLATES or kind not in KINDS:
        raise click.UsageError(f"unknown kind {kind!r} (known: {', '.join(sorted(TEMPLATES))})")
    folder, solution_folder = assignments_dir / slug, solutions_dir / slug
    for taken in (folder, solution_folder):
        if taken.exists():
            raise click.UsageError(f"{taken} exists already: choose another slug")
    template = TEMPLATES[kind]
    module = template.submit_file.removesuffix(".py")
    # Read afresh, not through the catalogue's cache: this process may list the folder later.
    orders = [a.order for a in load_assignments.__wrapped__(assignments_dir).values()] \
        if assignments_dir.is_dir() else []
    header = f'"""{slug}: {template.entry}(). Submit this one file."""\n\n' \
             "import numpy as np  # noqa: F401\n\nimport autodiff as ad  # noqa: F401\n\n\n"
    files = {
        folder / "assignment.toml": (
            f'title = "{slug}: replace with the title"\nkind = "{kind}"\n'
            f'submit_file = "{template.submit_file}"\nentry = "{template.entry}"\n'
            f'solution = "{slug}/{template.submit_file}"\norder = {max(orders, default=0) + 1}\n'
            '\n[policy]\nmax_submissions_per_day = 30\nscore_policy = "best"\n'
            '\n[limits.sandbox]\nwall_seconds = 60\ncpu_seconds = 60\n'),
        folder / "README.md": _readme(slug, template),
        folder / "starter" / template.submit_file: (
            f"{header}{template.signature}\n    raise NotImplementedError(\"write "
            f"{template.entry}\")\n"),
        folder / "public_tests" / f"test_{module}.py": (
            f'"""Tests students run: python -m pytest test_{module}.py"""\n\n'
            f"import numpy as np\nfrom {module} import {template.entry}\n\n"
            f"import autodiff as ad  # noqa: F401\n\n{template.public_test}"),
        folder / template.cases_file: (
            f'"""{_cases_docstring(slug, template)}"""\n\n{template.cases}'),
        folder / "mutants" / "README.md": (
            "Deliberately wrong solutions, one per classic mistake: each file's first line is "
            "`# expect: <category>`\n(grader/grading/outcome.py), the diagnosis "
            "`autograder check-assignment` requires.\n"),
        solution_folder / template.submit_file: (
            f"{header}{template.signature}\n{template.example_body}\n"),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


@click.command("new-assignment")
@click.argument("slug")
@click.option("--kind", required=True, type=click.Choice(sorted(TEMPLATES)),
              help="Which runner and judges grade it.")
def new_assignment(slug, kind):
    """Scaffold assignments/SLUG and reference/solutions/SLUG for an assignment of KIND."""
    written = scaffold(slug, kind)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"Fill in the reference solution and the tests, then: autograder check-assignment "
               f"{slug}")
