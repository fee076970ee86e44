"""The reference solutions, kept apart from the kit: each is the file a student would submit.

Which file is an assignment's reference solution is said in one place, the assignment's
manifest (``solution = "<path under reference/solutions/>"`` in
assignments/<slug>/assignment.toml); this module reads that key and nothing else of it.
"""

import importlib.util
import tomllib
from pathlib import Path
from types import ModuleType

SOLUTIONS_DIR = Path(__file__).resolve().parent
ASSIGNMENTS_DIR = SOLUTIONS_DIR.parents[1] / "assignments"

_loaded: dict[str, ModuleType] = {}


def resolve(name: str) -> Path:
    """The file a manifest's ``solution = name`` names: a path under reference/solutions/."""
    path = (SOLUTIONS_DIR / name).resolve()
    if SOLUTIONS_DIR not in path.parents:
        raise ValueError(f"a reference solution lives under {SOLUTIONS_DIR}, not at {name!r}")
    return path


def path(slug: str, assignments: Path = ASSIGNMENTS_DIR) -> Path:
    """The reference solution of assignment ``slug``, as its manifest names it."""
    manifest = (assignments / slug / "assignment.toml").read_text(encoding="utf-8")
    return resolve(tomllib.loads(manifest)["solution"])


def load(slug: str) -> ModuleType:
    """Import the reference solution of assignment ``slug`` (once per process)."""
    return load_path(path(slug))


def load_file(name: str) -> ModuleType:
    """Import the solution file ``name`` (a path under reference/solutions/), once."""
    return load_path(resolve(name))


def load_path(file: Path) -> ModuleType:
    """Import the solution file at ``file`` (a manifest's resolved ``solution``), once."""
    key = str(Path(file).resolve())
    if key not in _loaded:
        spec = importlib.util.spec_from_file_location(
            f"reference_solution_{len(_loaded)}_{Path(file).stem}", key)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _loaded[key] = module
    return _loaded[key]
