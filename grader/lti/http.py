"""Every HTTP call to an LMS goes through this session: none may wait forever."""

from __future__ import annotations

import requests

# Seconds to connect, then to wait between bytes. An LMS slower than that is treated as down:
# its grade post is retried later, and nothing else waits on it.
CONNECT_TIMEOUT = 3
READ_TIMEOUT = 10


class TimeoutSession(requests.Session):
    """A requests session whose calls all have a timeout unless one is given."""

    def request(self, method, url, **kwargs):  # noqa: D102 (requests' own signature)
        kwargs.setdefault("timeout", (CONNECT_TIMEOUT, READ_TIMEOUT))
        return super().request(method, url, **kwargs)


def lms_session() -> requests.Session:
    """Return a session for calls to an LMS."""
    session = TimeoutSession()
    session.headers["User-Agent"] = "autodiff-autograder LTI tool"
    return session
