"""Sandboxed execution of untrusted Python: bubblewrap namespaces, or a loud fallback."""

from .limits import Limits
from .mounts import Mount
from .probe import isolation_mode
from .result import SandboxResult
from .runner import run_python
from .watch import OutputWatch

__all__ = ["Limits", "Mount", "OutputWatch", "SandboxResult", "isolation_mode",
           "run_python"]
