"""Notice that the broker lost its queued messages (a Redis restarted empty, a failover).

The sweep leaves a marker key in the broker's Redis; when a later sweep finds it gone, the
data went with it, and every submission the database still calls queued has lost its
message. Re-queueing them is safe: the claim token makes a duplicate message harmless.
"""

from __future__ import annotations

import logging

import redis

log = logging.getLogger(__name__)
MARKER = "autograder:broker-marker:{queue}"


def broker_lost_messages(broker_url: str, queue: str) -> bool:
    """Tell whether the broker's data vanished since the last sweep (True on the first too)."""
    if not broker_url.startswith(("redis://", "rediss://")):
        return False  # other brokers: the sweep's slower stale-message rule covers them
    client = redis.Redis.from_url(broker_url, socket_connect_timeout=3, socket_timeout=5)
    try:
        # Set only if absent: True means nobody set it before, or it was lost with the data.
        return bool(client.set(MARKER.format(queue=queue), "present", nx=True))
    except redis.RedisError as error:
        log.warning("cannot check the broker for lost messages: %s", error)
        return False  # unreachable: publishing fails too, and the sweep queues later
    finally:
        client.close()
