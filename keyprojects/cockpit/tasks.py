"""Background work for the cockpit, run by the task worker (`keyprojects db_worker`)."""

from __future__ import annotations

from django_tasks import task

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting

from .snapshots import snapshot_build


@task()
def refresh_snapshot(year: int) -> float:
    """Rebuild a year's cockpit figures; returns how long it took (seconds)."""
    with acting(channel=Channel.TASK):
        return snapshot_build(year).build_seconds
