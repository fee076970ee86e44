"""Helpers shared by the sandbox tests: secrets, small limits, running guest code."""

from __future__ import annotations

import textwrap

from grader.grading.sandbox import Limits, SandboxResult, run_python
from grader.grading.sandbox.config import slot_uids
from grader.grading.sandbox.slots import processes_of_uid

SECRETS = {
    "SECRET_KEY": "s3cr3t-key-never-in-the-sandbox",
    "DATABASE_URL": "postgresql://grader:db-password-never-in-the-sandbox@127.0.0.1/db",
    "REDIS_URL": "redis://:redis-password-never-in-the-sandbox@127.0.0.1:6379/0",
}

TEST_UID_POOL = "61900-61915"

# Small limits keep the suite fast; memory stays at the documented floor numpy needs.
FAST_LIMITS = Limits(wall_seconds=6.0, cpu_seconds=2, memory_bytes=512 << 20, processes=16,
                     file_bytes=1 << 20, open_files=64, output_bytes=64 << 10,
                     tmp_bytes=4 << 20, result_bytes=1 << 20)


def leaked_secrets(result: SandboxResult) -> list[str]:
    """The secret values found anywhere in what the sandbox handed back."""
    blobs = [result.stdout, result.stderr, *result.files.values()]
    return [value for value in SECRETS.values()
            if any(value.encode() in blob for blob in blobs)]


def surviving_sandbox_processes() -> dict[int, list[int]]:
    """Processes still running under any uid of the pool."""
    alive = {uid: processes_of_uid(uid) for uid in slot_uids()}
    return {uid: pids for uid, pids in alive.items() if pids}


def run_code(source: str, *, limits: Limits = FAST_LIMITS, **options) -> SandboxResult:
    """Run `source` as /sandbox/in/main.py (extra input files via files=)."""
    files = {"main.py": textwrap.dedent(source).encode(), **options.pop("files", {})}
    return run_python("/sandbox/in/main.py", mounts=options.pop("mounts", []), files=files,
                      limits=limits, **options)
