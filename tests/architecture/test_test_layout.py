"""The tests' own layout: fixtures in tests/conftest.py, shared helpers in tests/support.

A test module imported by another ties two folders together (and its names leak into the
other's collection); a conftest imported by name hands its fixtures to pytest a second time.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_modules(source: str, package: tuple[str, ...]) -> list[str]:
    """The modules and names a file in `package` imports, relative imports made absolute."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = list(package[:len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *filter(None, (node.module or "").split("."))])
            names += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return names


def forbidden(names: list[str]) -> list[str]:
    """The imported names that are a test module or a conftest of the tests package."""
    return [name for name in names if name.startswith("tests.")
            and any(part.startswith(("test_", "conftest")) for part in name.split(".")[1:])]


def test_no_test_module_or_conftest_is_imported():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        package = path.relative_to(TESTS.parent).parent.parts
        for name in forbidden(imported_modules(path.read_text(encoding="utf-8"), package)):
            offenders.append(f"{path.relative_to(TESTS.parent)} imports {name}")
    assert offenders == []


def test_the_check_catches_absolute_and_relative_imports():
    source = ("from .conftest import compose_v2_problem\n"
              "from tests.web.test_api import post_file\n"
              "from tests.support.forms import post_file\n"
              "from . import test_policy\n"
              "import tests.instructor.conftest\n")
    assert forbidden(imported_modules(source, ("tests", "deploy"))) == [
        "tests.deploy.conftest", "tests.deploy.conftest.compose_v2_problem",
        "tests.web.test_api", "tests.web.test_api.post_file",
        "tests.deploy.test_policy", "tests.instructor.conftest",
    ]
