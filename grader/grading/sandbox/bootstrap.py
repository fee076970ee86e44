"""The interpreter command line: isolated flags plus a tiny bootstrap that sets sys.path."""

from __future__ import annotations

# Runs before any guest code. The byte on `started_fd` tells the host that the sandbox came up
# (so a failure before it is a sandbox-error, never the student's fault); the fd is closed
# before the guest script runs so the guest cannot use it. The script then runs as __main__
# in the interpreter's own main module, like `python script.py` does; runpy would do the same
# but costs about 20 ms of imports per run.
_BOOTSTRAP = """\
import os, sys
os.write({fd}, b"S")
os.close({fd})
sys.path[0:0] = {paths!r}
del sys.argv[0]
def _main(path=sys.argv[0], main=sys.modules["__main__"], builtins=__builtins__):
    with open(path, "rb") as handle:
        code = compile(handle.read(), path, "exec")
    namespace = main.__dict__
    namespace.clear()
    namespace.update(__name__="__main__", __file__=path, __builtins__=builtins,
                     __doc__=None, __package__=None, __spec__=None, __loader__=None)
    exec(code, namespace)
_main()
"""


def python_command(python: str, script: str, args: list[str] | tuple[str, ...],
                   sys_path: list[str], started_fd: int) -> list[str]:
    """argv that runs `script` with `args` in an isolated interpreter (-I -S -B)."""
    code = _BOOTSTRAP.format(fd=int(started_fd), paths=[str(p) for p in sys_path])
    return [python, "-I", "-S", "-B", "-c", code, script, *args]
