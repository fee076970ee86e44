"""Beat's scheduler: Celery's persistent one, touching a heartbeat file on every tick.

`workers.health beat` reads the file's age: a beat that stopped ticking (hung, or wedged on a
dead broker) stops touching it. The schedule file itself is no such signal: some dbm backends
keep their writes in memory until beat exits.
"""

from __future__ import annotations

from pathlib import Path

from celery.beat import PersistentScheduler


def heartbeat_path(schedule_filename: str) -> Path:
    """Where beat with this schedule file leaves its heartbeat."""
    return Path(f"{schedule_filename}.heartbeat")


class HeartbeatScheduler(PersistentScheduler):
    """PersistentScheduler that proves each tick on disk."""

    def tick(self, *args, **kwargs):
        """Send what is due, then touch the heartbeat; return the seconds to the next tick."""
        delay = super().tick(*args, **kwargs)
        heartbeat_path(self.schedule_filename).touch()
        return delay
