"""Reading the output dir back: symlinks, special files and sizes never fool the host."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.grading.sandbox.result import collect_output_files

from .helpers import run_code


@pytest.mark.usefixtures("sandbox_mode")
def test_symlinks_and_special_files_are_not_followed(tmp_path: Path) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("host canary")
    canary.chmod(0o644)
    result = run_code(
        f"""
        import os
        out = os.environ["SANDBOX_OUT"]
        os.symlink("/etc/shadow", out + "/shadow.json")
        os.symlink({str(canary)!r}, out + "/canary.json")
        os.symlink("/proc/self/environ", out + "/environ.json")
        os.mkfifo(out + "/pipe.json")
        os.mkdir(out + "/nested")
        with open(out + "/nested/inner.json", "w") as handle:
            handle.write("nested")
        with open(out + "/result.json", "w") as handle:
            handle.write("real")
        os.link(out + "/result.json", out + "/hardlink.json")
        with open(out + "/plain.json", "w") as handle:
            handle.write("plain")
        """)
    assert result.reason is None, result.stderr
    # Hard links are refused too: result.json now has two names, so neither is read.
    assert result.files == {"plain.json": b"plain"}


def test_collect_caps_the_total_and_skips_what_does_not_fit(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"a" * 600)
    (tmp_path / "b").write_bytes(b"b" * 600)
    (tmp_path / "c").write_bytes(b"c" * 300)
    os.symlink("/etc/passwd", tmp_path / "d")
    assert collect_output_files(tmp_path, max_total=1000) == {"a": b"a" * 600, "c": b"c" * 300}


def test_collect_of_a_missing_or_symlinked_dir_is_empty(tmp_path: Path) -> None:
    assert collect_output_files(tmp_path / "missing", max_total=100) == {}
    os.symlink("/etc", tmp_path / "link")
    assert collect_output_files(tmp_path / "link", max_total=1 << 20) == {}
