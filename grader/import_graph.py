"""What a piece of the repository's code runs: its imports, followed.

Read from the source (no import is executed), so that the Gradescope zip ships exactly the
files a grading runs and the packages it needs: an import runs the module and every parent
package's `__init__.py`; the reference engine (reference/engine.py) runs the solution files
it names by path, whose own imports are followed in turn. Imports inside a function run only
when it is called, so they are followed only in the folders the caller names (for a grading:
the core, the kit and reference, the assignment, whose lazy imports a grading calls, e.g.
grading/trusted.py's door to the engine); elsewhere they are left out (grader/__init__.py's
create_app imports the whole web, and a grading never calls it). A name that resolves to no
repository file and is not in the standard library is an external module (a distribution
to install).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from grader.grading.assignments import KIT_DIR, REPOSITORY
from reference import engine

SOURCE_ROOTS = (REPOSITORY, KIT_DIR)  # where `import grader` and `import autodiff` resolve
# In the sandbox the harness folder is importable as `harness` (grader/grading/pipeline.py
# mounts it so), and its modules import one another by that name.
GUEST_PACKAGES = {"harness": REPOSITORY / "grader" / "grading" / "harness"}
ENGINE = Path(engine.__file__).resolve()


@dataclass
class Reach:
    """What running some entry files runs."""

    files: set[Path] = field(default_factory=set)  # repository files
    external: set[str] = field(default_factory=set)  # top-level modules from elsewhere


def module_file(name: str) -> Path | None:
    """The repository file that `import name` runs, or None for a module from elsewhere."""
    parts = name.split(".")
    if parts[0] in GUEST_PACKAGES:
        bases = [GUEST_PACKAGES[parts[0]].joinpath(*parts[1:])]
    else:
        bases = [root.joinpath(*parts) for root in SOURCE_ROOTS]
    for base in bases:
        for candidate in (base / "__init__.py", base.with_suffix(".py")):
            if candidate.is_file():
                return candidate
    return None


def _namespace_package(name: str) -> bool:
    """Whether a top-level name is a folder of ours without __init__.py (an assignment's
    files import one another relatively: assignments/<slug>/hidden_tests.py runs tests.py)."""
    return any((root / name).is_dir() for root in SOURCE_ROOTS)


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


def _imported_names(tree: ast.AST, path: Path, in_functions: bool) -> Iterable[str]:
    """Every dotted module name an import statement of the file may run (at import time only
    unless in_functions)."""
    for node in ast.walk(tree) if in_functions else _import_time_nodes(tree):
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


def reached(entries: Iterable[Path], lazy_imports_in: Iterable[Path] = ()) -> Reach:
    """The repository files that running `entries` runs, the solutions and external modules.

    Imports inside functions are followed in files under the folders `lazy_imports_in` only.
    """
    lazy_folders = [Path(folder).resolve() for folder in lazy_imports_in]
    reach = Reach()
    pending = [Path(entry).resolve() for entry in entries]
    while pending:
        path = pending.pop()
        if path in reach.files:
            continue
        reach.files.add(path)
        tree = ast.parse(path.read_text(), filename=str(path))
        in_functions = any(path.is_relative_to(folder) for folder in lazy_folders)
        for name in _imported_names(tree, path, in_functions):
            if not name:
                continue
            top = name.split(".")[0]
            if module_file(top) is None and not _namespace_package(top):
                if top not in sys.stdlib_module_names and top != "__future__":
                    reach.external.add(top)
                continue
            for module in _with_parents(name):
                found = module_file(module)
                if found is not None:
                    pending.append(found.resolve())
        if path == ENGINE:  # it runs solution files it names by path, not by import
            pending.extend(file.resolve() for file in engine.files())
    return reach
