"""The nightly run: each step once a day, a failing step retried and not stopping others."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from keyprojects.jobs import daily
from keyprojects.jobs.models import DailyRun

DAY = dt.date(2026, 6, 10)
calls: list[str] = []


def good(today: dt.date) -> int:
    calls.append(f"good {today}")
    return 3


def bad(today: dt.date) -> int:
    calls.append("bad")
    raise RuntimeError("boom")


def at_now(now: dt.datetime) -> str:
    calls.append("now")
    return "fine"


STEPS = (f"{__name__}.bad", f"{__name__}.good", f"{__name__}.at_now", "keyprojects.absent.x.y")


@pytest.fixture(autouse=True)
def _clear() -> None:
    calls.clear()


def test_each_step_runs_once_a_day_and_a_failure_stops_nothing(db):
    runs = daily.run_daily(DAY, steps=STEPS)
    assert calls == ["bad", f"good {DAY}", "now"]
    assert [(r.step.rsplit(".", 1)[1], r.ok) for r in runs] == [
        ("bad", False), ("good", True), ("at_now", True),
    ]  # fmt: skip
    assert "boom" in DailyRun.objects.get(step=f"{__name__}.bad").error

    calls.clear()
    daily.run_daily(DAY, steps=STEPS)
    assert calls == ["bad"]  # only the failed step is tried again

    calls.clear()
    daily.run_daily(DAY + dt.timedelta(days=1), steps=STEPS)
    assert calls == ["bad", f"good {DAY + dt.timedelta(days=1)}", "now"]


def test_the_real_steps_run_on_an_empty_database(world):
    runs = daily.run_daily(DAY)
    assert runs and all(r.ok for r in runs), [r.error for r in runs if not r.ok]


def test_the_command_prints_each_step(world):
    out = StringIO()
    call_command("nightly", "--date", DAY.isoformat(), stdout=out)
    assert "tasks_check_deadlines: ok" in out.getvalue()
