"""What a piece of the repository's code runs: its imports and reference-solution loads, followed.

Read from the source (no import is executed), so that the Gradescope zip ships exactly the
reference solutions a grading reaches: an import runs the module and every parent package's
`__init__.py`; a `solutions.load("slug")` call runs the solution file that assignment slug's
manifest names, whose own imports and loads are followed in turn. Imports inside a function
are left out: they run only when the function is called, and the ones that would drag in
everything (the starter zip's student package, which snapshots every case) are never called
by a grading. Solution loads are looked for everywhere, since they always sit inside
functions.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from grader.grading.assignments import KIT_DIR, REPOSITORY
from reference import solutions

SOURCE_ROOTS = (REPOSITORY, KIT_DIR)  # where `import grader` and `import autodiff` resolve


def module_file(name: str) -> Path | None:
    """The repository file that `import name` runs, or None for a module from elsewhere."""
    parts = name.split(".")
    for root in SOURCE_ROOTS:
        base = root.joinpath(*parts)
        for candidate in (base / "__init__.py", base.with_suffix(".py")):
            if candidate.is_file():
                return candidate
    return None


def _package_of(path: Path) -> list[str]:
    """The dotted package a repository file belongs to, as parts."""
    root = KIT_DIR if path.is_relative_to(KIT_DIR) else REPOSITORY  # the kit lies inside
    return list(path.relative_to(root).parent.parts)


def _import_time_nodes(tree: ast.AST) -> Iterable[ast.AST]:
    """The nodes that run when the module is imported: all but function bodies."""
    pending = [tree]
    while pending:
        node = pending.pop()
        yield node
        pending.extend(child for child in ast.iter_child_nodes(node) if not isinstance(
            child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))


def _imported_names(tree: ast.AST, path: Path) -> Iterable[str]:
    """Every dotted module name an import statement run at import time may run."""
    for node in _import_time_nodes(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package_of(path)
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield module
            # `from package import name` runs package.name when that is a module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def _with_parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def solution_loads(tree: ast.AST) -> set[str]:
    """The slugs of the reference solutions a parsed file loads by name.

    Two spellings: `solutions.load("slug")` and grading/trusted.py's `solution("slug")`.
    """
    return {node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _loads_a_solution(node.func) and node.args
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)}


def _loads_a_solution(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "solution"
    if isinstance(func, ast.Attribute):
        return func.attr == "solution" or (
            func.attr == "load" and isinstance(func.value, ast.Name)
            and func.value.id == "solutions")
    return False


def reached(entries: Iterable[Path]) -> tuple[set[Path], set[str]]:
    """The repository files that running `entries` runs, and the solution slugs it loads."""
    files: set[Path] = set()
    slugs: set[str] = set()
    pending = [Path(entry).resolve() for entry in entries]
    while pending:
        path = pending.pop()
        if path in files:
            continue
        files.add(path)
        tree = ast.parse(path.read_text(), filename=str(path))
        for name in _imported_names(tree, path):
            for module in _with_parents(name):
                found = module_file(module) if module else None
                if found is not None:
                    pending.append(found.resolve())
        for slug in solution_loads(tree) - slugs:
            slugs.add(slug)
            pending.append(solutions.path(slug))  # the file slug's manifest names
    return files, slugs
