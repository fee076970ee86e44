"""The interpreter command line: isolated flags plus a tiny bootstrap that sets sys.path."""

from __future__ import annotations

# Runs before any guest code. The byte on `started_fd` tells the host that the sandbox came up
# (so a failure before it is a sandbox-error, never the student's fault); the fd is closed
# before the guest script runs so the guest cannot use it. The script then runs as __main__
# in the interpreter's own main module, like `python script.py` does; runpy would do the same
# but costs about 20 ms of imports per run.
_COLD_START = """\
import os, sys
os.write({fd}, b"S")
os.close({fd})
sys.path[0:0] = {paths!r}
"""

# A spare (spare.py) pays for its imports before there is a job: it says "S" when it came
# up and "R" once the preloaded modules are in, then blocks on the go pipe. The go message is
# b"G" and the run's CPU limit in seconds: the run gets that much on top of the whole seconds
# the start-up used, set here by lowering RLIMIT_CPU (the host may lack CAP_SYS_RESOURCE to
# set another uid's rlimits; lowering one's own needs no privilege). Then it acknowledges
# with "G" (the host's proof that a live guest took the job), closes both fds and runs the
# script. Anything else, EOF included (the host discarded it), ends it without running it.
_SPARE_START = """\
import os, sys, resource
os.write({fd}, b"S")
sys.path[0:0] = {paths!r}
for _name in {preload!r}:
    __import__(_name)
os.write({fd}, b"R")
_go = os.read({go_fd}, 32)
if not _go.startswith(b"G"):
    os._exit(0)
_used = resource.getrusage(resource.RUSAGE_SELF)
_limit = int(_go[1:]) + int(_used.ru_utime + _used.ru_stime) + 1
resource.setrlimit(resource.RLIMIT_CPU, (_limit, _limit + 1))
os.write({fd}, b"G")
os.close({go_fd})
os.close({fd})
"""

_RUN_SCRIPT = """\
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
                   sys_path: list[str], started_fd: int, go_fd: int | None = None,
                   preload: tuple[str, ...] = ()) -> list[str]:
    """argv that runs `script` with `args` in an isolated interpreter (-I -S -B).

    With `go_fd`, the interpreter first imports `preload` and waits for the go byte there.
    """
    paths = [str(p) for p in sys_path]
    if go_fd is None:
        start = _COLD_START.format(fd=int(started_fd), paths=paths)
    else:
        start = _SPARE_START.format(fd=int(started_fd), go_fd=int(go_fd), paths=paths,
                                    preload=tuple(str(name) for name in preload))
    return [python, "-I", "-S", "-B", "-c", start + _RUN_SCRIPT, script, *args]
