"""Sandboxed execution of untrusted Python: bubblewrap namespaces, or a loud fallback."""

from .limits import Limits
from .mounts import Mount
from .result import SandboxResult
from .runner import run_python

__all__ = ["Limits", "Mount", "SandboxResult", "run_python"]
