"""The reference solutions, kept apart from the kit: each is the file a student would submit."""

import importlib.util
from pathlib import Path
from types import ModuleType

SOLUTIONS_DIR = Path(__file__).resolve().parent

# assignment slug -> the file students submit for it
SOLUTION_FILES = {
    "autodiff": SOLUTIONS_DIR / "autodiff" / "gradient.py",
    "backprop": SOLUTIONS_DIR / "backprop" / "backprop.py",
    "numerical": SOLUTIONS_DIR / "numerical" / "numerical.py",
}

_loaded: dict[str, ModuleType] = {}


def load(slug: str) -> ModuleType:
    """Import the reference solution of assignment ``slug`` (once per process)."""
    if slug not in _loaded:
        path = SOLUTION_FILES[slug]
        spec = importlib.util.spec_from_file_location(f"reference_solution_{slug}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _loaded[slug] = module
    return _loaded[slug]
