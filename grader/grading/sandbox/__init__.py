"""Sandboxed execution of untrusted Python: bubblewrap namespaces, or a loud fallback."""

from .guest import Mount
from .host import isolation_mode
from .limits import Limits
from .result import SandboxResult
from .runner import run_python
from .supervise import OutputWatch

__all__ = ["Limits", "Mount", "OutputWatch", "SandboxResult", "isolation_mode",
           "run_python"]
