"""Concurrent runs get distinct uids from the pool, and the pool's locks hold across users."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.grading.sandbox.config import slot_uids
from grader.grading.sandbox.slots import NoFreeSlot, acquire_slot

from .helpers import run_code, surviving_sandbox_processes

OVERLAP = """
import os, time
print(os.getuid(), time.time(), flush=True)
time.sleep(1.0)
print(time.time())
"""


def test_concurrent_runs_use_distinct_uids() -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: run_code(OVERLAP), range(4)))
    assert all(r.reason is None for r in results), [r.stderr for r in results]
    lines = [r.stdout.split() for r in results]
    uids = [int(line[0]) for line in lines]
    assert len(set(uids)) == 4 and set(uids) <= set(slot_uids())
    starts, ends = [float(line[1]) for line in lines], [float(line[2]) for line in lines]
    assert max(starts) < min(ends)  # they really ran at the same time
    assert surviving_sandbox_processes() == {}


def test_slots_are_exclusive_and_run_out(tmp_path: Path) -> None:
    uids = [62000, 62001]
    with acquire_slot(tmp_path, uids) as first, acquire_slot(tmp_path, uids) as second:
        assert {first.uid, second.uid} == set(uids)
        started = time.monotonic()
        with pytest.raises(NoFreeSlot), acquire_slot(tmp_path, uids, wait_seconds=0.2):
            pass
        assert time.monotonic() - started >= 0.2
    with acquire_slot(tmp_path, uids) as again:  # released on exit
        assert again.uid in uids
