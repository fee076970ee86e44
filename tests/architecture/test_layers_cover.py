"""Every module has a place in the layers lint-imports checks.

import-linter checks only the modules a layers contract names: a module left out of the
contract in pyproject.toml could import anything without failing `make test`. So every
module (or package) directly inside a contract's container must be one of its layers.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def layered_names(contract: dict) -> set[str]:
    return {name.strip() for layer in contract["layers"]
            for name in re.split(r"[|:]", layer) if name.strip()}


def modules_in(container: str) -> set[str]:
    folder = REPOSITORY.joinpath(*container.split("."))
    return {path.stem for path in folder.glob("*.py") if path.stem != "__init__"} | {
        path.name for path in folder.iterdir()
        if path.is_dir() and (path / "__init__.py").is_file()}


def test_every_module_of_a_layered_container_is_in_a_layer():
    config = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = [c for c in config["tool"]["importlinter"]["contracts"]
                 if c["type"] == "layers" and "containers" in c]
    assert contracts, "the layers contracts are gone"
    for contract in contracts:
        for container in contract["containers"]:
            missing = modules_in(container) - layered_names(contract)
            assert not missing, (f"{sorted(missing)} in {container} are in no layer of "
                                 f"{contract['name']!r} (pyproject.toml)")


def test_the_check_sees_a_module_left_out():
    contract = {"layers": ["a : b", "c | d"]}
    assert layered_names(contract) == {"a", "b", "c", "d"}
