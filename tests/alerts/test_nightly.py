"""The nightly run: the month's light kept for every project, every rule over every project,
a fixed number of queries however many projects there are."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyprojects.alerts import rules as alert_rules
from keyprojects.alerts import services
from keyprojects.alerts.choices import AlertKind
from keyprojects.alerts.models import Alert, AlertRule
from keyprojects.jobs.daily import run_daily
from keyprojects.notifications.models import Notification
from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyLight, MonthlyReport
from keyprojects.projects.models import AnnualPlan
from tests.factories import ProjectFactory

from .conftest import on, tracked

JUNE = dt.date(2026, 6, 10)
STEP = "keyprojects.alerts.services.alerts_nightly"


def _behind(world, count):
    """`count` projects under construction of the owner unit, each with this year's plan
    and accepted reports worth 10% of it by May: about 32 points behind."""
    projects = [
        ProjectFactory(jurisdiction=world.district, owner_unit=world.owner,
                       responsible_unit=world.responsible)
        for _ in range(count)
    ]  # fmt: skip
    for p in projects:
        AnnualPlan.objects.create(project=p, year=2026, investment_target=Decimal(1_000_000))
        MonthlyReport.objects.create(project=p, year=2026, month=3, investment=Decimal(100_000),
                                     status=ReportStatus.ACCEPTED)  # fmt: skip
    return projects


def test_the_nightly_run_keeps_the_months_lights_and_raises_the_alerts(world):
    projects = _behind(world, 3)
    with on(JUNE):
        (run,) = run_daily(JUNE, steps=(STEP,))
    assert run.ok, run.error
    assert run.result["assessed_month"] == "2026-05"
    assert run.result["lights_kept"] == 3
    kept = MonthlyLight.objects.filter(year=2026, month=5, project__in=projects)
    assert {(lt.light, str(lt.gap_points)) for lt in kept} == {("red", "-31.67")}
    assert tracked(AlertKind.PACE_LAG) == {f"project:{p.pk}": "red" for p in projects}
    # None of the projects under construction reported May: these three, the world's two,
    # and the other district's one (by its own rules).
    assert len(tracked(AlertKind.REPORT_LATE)) == 6
    assert run.result["opened"] == len(Alert.objects.all())


def test_running_twice_a_day_does_nothing_more(world):
    _behind(world, 2)
    with on(JUNE):
        run_daily(JUNE, steps=(STEP,))
        assert run_daily(JUNE, steps=(STEP,)) == []
        again = services.alerts_nightly(JUNE)
    assert again.opened == again.cleared == again.updated == 0


def test_a_summary_rather_than_a_flood(world, settings):
    settings.LANGUAGE_CODE = "en"  # notices are written in the site's language
    _behind(world, 8)
    for rule in services.rules_for(world.district.pk).values():
        rule.creates_task = False
        rule.save()
    with on(JUNE):
        services.alerts_nightly(JUNE)
    mine = Notification.objects.filter(user=world.owner_user)
    assert [n.kind for n in mine] == ["alerts_summary"]
    assert "(8 red)" in mine[0].title


def test_the_queries_do_not_grow_with_the_number_of_projects(world):
    for rule in services.rules_for(world.district.pk).values():
        rule.creates_task = False  # a task is made one by one, through its own service
        rule.save()
    _behind(world, 8)
    counts = []
    with on(JUNE):
        services.alerts_nightly(JUNE)
        for day, more in ((11, 8), (12, 24)):
            _behind(world, more)
            with CaptureQueriesContext(connection) as queries:
                services.alerts_nightly(dt.date(2026, 6, day))
            counts.append(len(queries))
    assert len(tracked(AlertKind.PACE_LAG)) == 40
    assert counts[0] == counts[1]


def test_a_rule_switched_off_between_nights_leaves_no_alert_behind(world):
    _behind(world, 2)
    with on(JUNE):
        services.alerts_nightly(JUNE)
    AlertRule.objects.filter(jurisdiction=world.district, kind=AlertKind.PACE_LAG).update(
        enabled=False
    )
    with on(JUNE):
        services.alerts_nightly(JUNE + dt.timedelta(days=1))
    assert tracked(AlertKind.PACE_LAG) == {}


def test_a_capability_not_installed_is_skipped_and_said_so(world, monkeypatch):
    real = alert_rules._model
    monkeypatch.setattr(
        alert_rules, "_model", lambda path: None if path == alert_rules.HAZARD_MODEL else real(path)
    )
    with on(JUNE):
        run = services.alerts_nightly(JUNE)
    assert run.not_installed == [AlertKind.HAZARD_OVERDUE]
    assert AlertKind.HAZARD_OVERDUE not in run.seconds
