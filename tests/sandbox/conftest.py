"""Fixtures for the sandbox tests: secrets in the environment and a listener on the host."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from .helpers import SECRETS, TEST_UID_POOL


@pytest.fixture(autouse=True)
def private_uid_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """A uid pool of our own, so that other sandbox users on this machine cannot blur the
    "no process of the pool survives" checks (and we cannot disturb theirs)."""
    monkeypatch.setenv("AUTOGRADER_SANDBOX_UIDS", TEST_UID_POOL)


@pytest.fixture(autouse=True)
def host_secrets(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Secret-looking variables in the test process, as a real worker would have them."""
    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)
    return SECRETS


@dataclass
class Listener:
    """A TCP server on the host's loopback that counts who reached it."""

    port: int
    accepted: list[tuple[str, int]] = field(default_factory=list)


@pytest.fixture
def host_listener() -> Iterator[Listener]:
    """A listener on 127.0.0.1 of the host that guests try to reach."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    listener = Listener(server.getsockname()[1])
    stop = threading.Event()

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except TimeoutError:
                continue
            listener.accepted.append(peer)
            conn.close()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        stop.set()
        thread.join()
        server.close()


@pytest.fixture
def fallback_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the fallback launcher, as on a host where bubblewrap cannot create namespaces."""
    monkeypatch.setenv("AUTOGRADER_SANDBOX", "fallback")


@pytest.fixture(params=["bubblewrap", "fallback"])
def sandbox_mode(request, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test in each mode: the fallback must keep the promises it shares with bwrap."""
    monkeypatch.setenv("AUTOGRADER_SANDBOX", request.param)
    return request.param
