"""The nightly run: every daily check of every capability, once per day, in a set order.

Run it from cron (`keyprojects nightly`), keep it running (`keyprojects nightly --loop`, as
`make run` does), or enqueue `run_nightly` on the task worker. Each step is done once per
day; a step that failed is logged and tried again by the next run, and one step's failure
does not stop the others.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import logging
import traceback
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting

from .models import DailyRun

log = logging.getLogger(__name__)

# In order: figures first (lights), then the checks that read them, then the digest that
# reports what the checks found. A capability that is not installed is skipped.
STEPS = (
    "keyprojects.progress.reminders.remind_reports",
    "keyprojects.supervision.services.tasks_check_deadlines",
    "keyprojects.problems.services.problems_check_deadlines",
    "keyprojects.inspections.services.hazards_check_deadlines",
    "keyprojects.alerts.services.alerts_nightly",
    "keyprojects.cockpit.snapshots.cockpit_nightly",
    "keyprojects.notifications.digest.send_digests",
)


def _load(path: str) -> Callable[..., Any] | None:
    module_name, _, name = path.rpartition(".")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as missing:
        if not missing.name or not (module_name + ".").startswith(missing.name + "."):
            raise  # a module that is there failed to import: that is a bug, not an absence
        return None
    return getattr(module, name, None)


def _call(step: Callable[..., Any], today: dt.date) -> Any:
    params = inspect.signature(step).parameters
    if "today" in params:
        return step(today=today)
    if "now" in params:
        return step(now=timezone.now())
    return step()


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, int | float | str | bool | dict | list) or value is None:
        return value
    return str(value)


def run_daily(today: dt.date | None = None, *, steps: tuple[str, ...] = STEPS) -> list[DailyRun]:
    """Run each step not yet done for `today`. Returns the runs made now."""
    today = today or timezone.localdate()
    made = []
    for path in steps:
        step = _load(path)
        if step is None:
            continue
        if DailyRun.objects.filter(day=today, step=path, ok=True).exists():
            continue
        run, _ = DailyRun.objects.get_or_create(day=today, step=path)
        run.started_at, run.error = timezone.now(), ""
        try:
            with acting(channel=Channel.TASK), transaction.atomic():
                run.result = _jsonable(_call(step, today))
            run.ok = True
        except IntegrityError:
            raise
        except Exception:
            log.exception("daily step %s failed", path)
            run.ok, run.error = False, traceback.format_exc()[-4000:]
        run.finished_at = timezone.now()
        run.save()
        made.append(run)
    return made


@task()
def run_nightly() -> int:
    """The nightly run as a task for the worker."""
    return sum(1 for run in run_daily() if run.ok)
