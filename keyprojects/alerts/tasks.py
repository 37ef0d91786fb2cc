"""Background work for alerts, run by the task worker (`keyprojects db_worker`)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting


@task()
def make_alert_tasks() -> int:
    """Make the supervised task of every open alert that should have one: what an evaluation
    left for later, when it found more than it makes at once."""
    from .evaluation import make_tasks

    with acting(channel=Channel.TASK):
        return make_tasks(None, timezone.localdate(), everything=True)[0]
