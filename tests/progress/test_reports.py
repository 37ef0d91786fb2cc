import datetime as dt
import io
import json
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from keyprojects.audit.context import acting
from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyLight
from keyprojects.progress.services import (
    lights_compute,
    report_accept,
    report_due_date,
    report_return,
    report_save,
    report_submit,
)
from keyprojects.projects.models import AnnualPlan

WAN = D(10000)


@pytest.fixture
def plan(world):
    return AnnualPlan.objects.create(project=world.project, year=2026, investment_target=1200 * WAN)


def report(world, month, wan, **extra):
    return report_save(project=world.project, year=2026, month=month, investment=wan * WAN, **extra)


def test_the_workflow_feeds_the_ledger_and_the_light(world, plan):
    with acting(actor=world.owner_user, channel="web"):
        r = report(world, 1, 100, progress_percent=D(12), progress_text="基础施工")
        report_submit(report=r)
    with acting(actor=world.office, channel="web"):
        report_accept(report=r)
    plan.refresh_from_db()
    world.project.refresh_from_db()
    assert plan.ytd_completed == 100 * WAN and plan.figures_as_of == dt.date(2026, 1, 31)
    assert world.project.progress_percent == 12 and world.project.light == "green"
    light = MonthlyLight.objects.get(project=world.project, year=2026, month=1)
    assert (light.expected_share, light.actual_share, light.gap_points) == (
        D("8.33"), D("8.33"), D("0.00"),
    )  # fmt: skip


def test_a_returned_report_keeps_every_version_and_is_resubmitted(world, plan):
    r = report(world, 2, 50)
    report_submit(report=r)
    with pytest.raises(ValidationError):
        report_return(report=r, comment=" ")
    report_return(report=r, comment="金额有误")
    r = report(world, 2, 60)
    report_submit(report=r)
    report_accept(report=r)
    events = [(rev.event, rev.values["investment"]) for rev in r.revisions.all()]
    assert events == [
        ("submitted", "500000.00"), ("returned", "500000.00"), ("submitted", "600000.00"),
        ("accepted", "600000.00"),
    ]  # fmt: skip


def test_submitting_twice_is_harmless(world, plan):
    r = report(world, 3, 10)
    report_submit(report=r)
    report_submit(report=r)
    assert r.revisions.count() == 1


@pytest.mark.parametrize(
    "step",
    [lambda r: report_accept(report=r), lambda r: report_return(report=r, comment="x")],
)
def test_a_draft_cannot_be_accepted_or_returned(world, plan, step):
    with pytest.raises(ValidationError):
        step(report(world, 4, 10))


def test_a_submitted_report_cannot_be_changed(world, plan):
    report_submit(report=report(world, 5, 10))
    with pytest.raises(ValidationError):
        report(world, 5, 20)


def test_a_negative_amount_needs_a_reason(world, plan):
    with pytest.raises(ValidationError):
        report(world, 6, -10)
    assert report(world, 6, -10, unusual_reason="冲减上月多报").investment == -10 * WAN


def test_an_amount_past_the_total_investment_needs_a_reason(world, plan):
    with pytest.raises(ValidationError):
        report(world, 7, 20000)  # total investment is 10,000 万元
    assert report(world, 7, 20000, unusual_reason="概算调整待批").pk


def test_the_ledger_figures_stand_until_reports_arrive(world, plan):
    plan.ytd_completed = 300 * WAN
    plan.figures_as_of = dt.date(2026, 3, 31)
    plan.save()
    (result,) = lights_compute(year=2026, month=3, projects=[world.project])
    assert result.actual_share == D(25) and result.light == "green"
    (result,) = lights_compute(year=2026, month=6, projects=[world.project])
    assert result.gap_points == D(-25) and result.light == "yellow"


def test_the_lights_command_prints_json(world, plan):
    out = io.StringIO()
    call_command("lights", "--year", "2026", "--month", "10", "--json", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert row["code"] == world.project.code and row["light"] == "red"
    assert row["expected_share"] == 83.33 and row["gap_points"] == -83.33


def test_the_report_is_due_on_the_set_day_of_the_next_month(settings):
    settings.KEYPROJECTS_REPORT_DUE_DAY = 5
    assert report_due_date(2026, 12) == dt.date(2027, 1, 5)
    settings.KEYPROJECTS_REPORT_DUE_DAY = 31
    assert report_due_date(2026, 1) == dt.date(2026, 2, 28)


def test_a_bad_monthly_curve_is_refused(world, plan):
    plan.monthly_curve = [10] * 12
    with pytest.raises(ValidationError):
        plan.full_clean()


def test_status_starts_as_draft(world, plan):
    assert report(world, 8, 1).status == ReportStatus.DRAFT


def test_an_imported_ledger_figure_and_later_reports_add_up(world, plan):
    from keyprojects.progress.services import ledger_figures_to_reports

    ledger_figures_to_reports(
        year=2026, as_of=dt.date(2026, 9, 30), figures={world.project.pk: 900 * WAN}
    )
    r = report(world, 10, 100)
    report_submit(report=r)
    report_accept(report=r)
    (result,) = lights_compute(year=2026, month=10, projects=[world.project])
    assert result.ytd_completed == 1000 * WAN
    plan.refresh_from_db()
    assert plan.ytd_completed == 1000 * WAN
    # A month the unit already reported is left as the unit reported it.
    again = ledger_figures_to_reports(
        year=2026, as_of=dt.date(2026, 10, 31), figures={world.project.pk: 5000 * WAN}
    )
    assert again == []


def test_set_wise_rebuilds_agree_with_the_incremental_figures(world, plan):
    from keyprojects.progress.services import (
        ledger_rollup,
        ledger_rollup_from_scratch,
        lights_rebuild,
        plan_figures_rebuild,
    )
    from keyprojects.projects.models import Project

    AnnualPlan.objects.create(project=world.other_project, year=2026, investment_target=600 * WAN)
    for month, wan in ((1, 50), (2, 70), (3, 40)):
        r = report(world, month, wan)
        report_submit(report=r)
        report_accept(report=r)
    incremental = {m: MonthlyLight.objects.get(project=world.project, year=2026, month=m).light
                   for m in (1, 2, 3)}  # fmt: skip
    plan.refresh_from_db()
    kept = (plan.ytd_completed, plan.since_start_completed, plan.figures_as_of)
    AnnualPlan.objects.filter(pk=plan.pk).update(ytd_completed=None, figures_as_of=None)
    MonthlyLight.objects.all().delete()
    assert plan_figures_rebuild(year=2026) == 1
    plan.refresh_from_db()
    assert (plan.ytd_completed, plan.since_start_completed, plan.figures_as_of) == kept
    for m in (1, 2, 3):
        lights_rebuild(year=2026, month=m)
    rebuilt = {m: MonthlyLight.objects.get(project=world.project, year=2026, month=m).light
               for m in (1, 2, 3)}  # fmt: skip
    assert rebuilt == incremental
    projects = Project.objects.filter(jurisdiction=world.district)
    assert ledger_rollup(projects, year=2026, month=3) == ledger_rollup_from_scratch(
        projects, year=2026, month=3
    )
    rollup = ledger_rollup(projects, year=2026, month=3)
    assert rollup.ytd_completed == 160 * WAN and rollup.annual_target == 1800 * WAN
    assert sum(rollup.lights.values()) == 2


def test_a_share_far_past_a_tiny_target_is_kept(world):
    from keyprojects.progress.services import lights_rebuild

    AnnualPlan.objects.create(project=world.project, year=2026, investment_target=D("1.00"))
    r = report(world, 1, 900, unusual_reason="目标待调整")
    report_submit(report=r)
    report_accept(report=r)
    assert lights_rebuild(year=2026, month=1) == 1
    assert MonthlyLight.objects.get(project=world.project, month=1).actual_share == D("900000000")
