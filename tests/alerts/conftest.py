"""Helpers for alert tests: time frozen on a day, lights and rules set, alerts read back."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from keyprojects.alerts import services
from keyprojects.alerts.models import Alert
from keyprojects.progress.models import MonthlyLight

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """Messages are compared in English, the language they are written in; pages are asked
    for in English with the language cookie (`english`)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def english(client_for: Any) -> Any:
    """A signed-in client that reads the pages in English."""
    from django.conf import settings

    def make(user: Any) -> Any:
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@contextmanager
def on(day: dt.date, hour: int = 9) -> Iterator[None]:
    """Freeze the clock on `day` (local time)."""
    with time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI), tick=False):
        yield


def evaluate(world: Any, day: dt.date, *kinds: str) -> Any:
    """Evaluate the district's rules (of `kinds`, else all) with the clock frozen on `day`."""
    with on(day):
        return services.alerts_evaluate(
            jurisdiction_id=world.district.pk, kinds=list(kinds) or None
        )


def tracked(kind: str, project: Any = None) -> dict[str, str]:
    """The open (or acknowledged) alerts of a kind (about `project`): subject → severity."""
    alerts = Alert.objects.active().filter(kind=kind)
    if project is not None:
        alerts = alerts.filter(project=project)
    return dict(alerts.values_list("subject", "severity"))


def set_rule(world: Any, kind: str, **fields: Any) -> None:
    rule = services.rules_for(world.district.pk)[kind]
    services.rule_update(rule=rule, user=world.office, **fields)


def light(project: Any, year: int, month: int, gap: str, shade: str | None = None) -> None:
    """A month of the project's light history, as the progress capability keeps it."""
    gap_points = Decimal(gap)
    expected = Decimal(100 * month / 12).quantize(Decimal("0.01"))
    if shade is None:
        behind = -gap_points
        shade = "red" if behind > 30 else "green" if behind < 10 else "yellow"
    MonthlyLight.objects.update_or_create(
        project=project,
        year=year,
        month=month,
        defaults={
            "annual_target": Decimal(1_000_000),
            "ytd_completed": Decimal(10_000) * (expected + gap_points),
            "expected_share": expected,
            "actual_share": expected + gap_points,
            "gap_points": gap_points,
            "light": shade,
        },
    )


@pytest.fixture
def quiet_rules(world: Any) -> None:
    """Every rule of the district off but the one a test switches on, so that a test sees
    only what it is about."""
    for rule in services.rules_for(world.district.pk).values():
        rule.enabled = False
        rule.save()


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """A block whose changes are committed (and their commit hooks run) at its end, as a
    request's would be."""
    from keyprojects.alerts.signals import forget

    @contextmanager
    def block() -> Iterator[None]:
        forget()
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return block
