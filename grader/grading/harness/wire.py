"""The warden's pipes to the processes it runs: one JSON object per line, each way.

Both ends use it: the warden (warden.py) reads with ``LineReader``, which never blocks and
never holds more than its cap; a confined process (confined.py) reads its requests with a
blocking file and writes whole lines.
"""

from __future__ import annotations

import json
import os

MAX_MESSAGE_BYTES = 12 << 20  # a reply this long is refused: the whole record must fit


class MessageTooLong(ValueError):
    """A line passed MAX_MESSAGE_BYTES before it ended."""


def encode(message: dict) -> bytes:
    return (json.dumps(message, allow_nan=True, separators=(",", ":")) + "\n").encode()


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class LineReader:
    """Complete lines from a non-blocking fd, as they arrive."""

    def __init__(self, fd: int, cap: int = MAX_MESSAGE_BYTES) -> None:
        self.fd, self.cap = fd, cap
        self.buffer = bytearray()
        self.closed = False

    def read_available(self) -> list[bytes]:
        """The lines completed by what can be read now (EOF sets ``closed``)."""
        try:
            data = os.read(self.fd, 1 << 20)
        except BlockingIOError:
            return []
        if not data:
            self.closed = True
            return []
        self.buffer.extend(data)
        lines = []
        while (end := self.buffer.find(b"\n")) >= 0:
            lines.append(bytes(self.buffer[:end]))
            del self.buffer[:end + 1]
        if len(self.buffer) > self.cap:
            raise MessageTooLong(f"a message passed {self.cap} bytes")
        return lines
