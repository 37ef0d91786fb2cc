"""The cockpit's figures: counts, investment against plan and 序时, lights, the ranking of
owner units, closure, and the map, each as the reader may see it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keyprojects.cockpit.figures import figures_for
from keyprojects.cockpit.models import SnapshotState
from keyprojects.cockpit.snapshots import cockpit_nightly, snapshot_build
from keyprojects.cockpit.tasks import refresh_snapshot
from keyprojects.organisations.models import User
from keyprojects.progress.models import MonthlyLight
from keyprojects.progress.services import lights_rebuild
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import AnnualPlan

from ..factories import AnnualPlanFactory, ProjectFactory
from .conftest import MONTH, TODAY, YEAR, accepted

pytestmark = pytest.mark.django_db


def figures(user, month=MONTH, year=YEAR):
    return figures_for(user, year=year, month=month, today=TODAY)


def test_counts_by_batch_and_stage_cover_the_readers_district_only(programme):
    f = figures(programme.world.office)
    assert f.projects == 6
    assert f.by_batch == {"completed": 2, "continuing": 1, "new_start": 1, "reserve": 1}
    assert f.by_stage == {"construction": 3, "preliminary": 1, "reserve": 1, "cancelled": 1}
    assert f.not_started == 1  # the new start, planned for May and not started by October
    assert f.with_coordinates == 3


def test_the_plan_and_its_xushi_amount_follow_each_plans_own_curve(programme):
    f = figures(programme.world.office)
    assert f.annual_target == Decimal(28_000_000)
    # October: 12M × 83.33% (even pace) + 6M × 80% (curve) + 10M × 83.33%.
    assert f.expected_now == Decimal("9999600") + Decimal("4800000") + Decimal("8333000")
    # January: 8.33% of the even plans, 2% of the curved one.
    assert f.expected[0] == Decimal("999600") + Decimal("120000") + Decimal("833000")
    assert f.expected[11] == Decimal(28_000_000)


def test_completed_is_the_cumulative_accepted_investment_or_the_plans_carried_figure(programme):
    f = figures(programme.world.office)
    # 1.1M a month reported; the continuing project's imported 4M counts from June.
    assert f.completed[4] == Decimal(5_500_000)
    assert f.completed[5] == Decimal(6_600_000) + Decimal(4_000_000)
    assert f.completed_now == Decimal(11_000_000) + Decimal(4_000_000)
    assert f.completed[11] == f.completed_now  # nothing reported after October
    assert f.share == Decimal("53.57")
    assert f.gap_points == Decimal("53.57") - Decimal("82.62")


def test_lights_are_counted_month_by_month_from_the_kept_lights(programme):
    f = figures(programme.world.office)
    assert f.lights_in(MONTH) == {"green": 1, "yellow": 0, "red": 2}
    kept = MonthlyLight.objects.filter(
        year=YEAR, month=2, project__jurisdiction=programme.world.district
    )
    for light in ("green", "yellow", "red"):
        assert f.lights_in(2)[light] == kept.filter(light=light).count()
    assert f.lights_in(12) == {"green": 0, "yellow": 0, "red": 0}


def test_owner_units_are_ranked_by_their_gap_to_xushi(programme):
    world = programme.world
    f = figures(world.office)
    names = [row.name for row in f.units]
    assert names[:2] == [world.owner.name, world.bystander_unit.name]
    first, second = f.units[0], f.units[1]
    assert (first.projects, first.paced_projects) == (4, 1)
    assert first.share == Decimal("83.33") and first.gap_points == Decimal("0.00")
    assert (first.red, first.yellow, first.overdue_tasks) == (0, 0, 1)
    assert second.annual_target == Decimal(16_000_000)
    assert second.completed == Decimal(5_000_000)
    assert second.expected == Decimal("13133000.00")
    assert (second.red, second.overdue_tasks) == (2, 1)
    assert second.share == Decimal("31.25") and second.expected_share == Decimal("82.08")


def test_task_closure_counts_done_open_and_overdue_today(programme):
    f = figures(programme.world.office)
    t = f.tasks
    assert (t.closed, t.open, t.overdue, t.dropped) == (1, 3, 2, 1)
    assert t.rate == Decimal("25.00")


def test_a_unit_user_sees_the_districts_projects_but_only_its_own_tasks(programme):
    world = programme.world
    f = figures(world.owner_user)
    assert f.projects == 6
    assert (f.tasks.closed, f.tasks.open, f.tasks.overdue) == (1, 2, 1)
    f = figures(world.responsible_user)
    assert (f.tasks.closed, f.tasks.open, f.tasks.overdue, f.tasks.dropped) == (1, 1, 1, 1)


def test_someone_from_another_district_sees_only_their_own(programme):
    world = programme.world
    f = figures(world.outsider)
    assert f.projects == 1
    assert f.annual_target == Decimal(5_000_000)
    assert f.completed_now == Decimal(100_000)
    assert (f.tasks.closed, f.tasks.open, f.tasks.overdue) == (0, 1, 1)
    assert [row.name for row in f.units] == [world.foreign_project.owner_unit.name]
    assert [p[0] for p in f.points] == []


def test_the_map_shows_red_first_then_by_size_and_keeps_to_the_limit(programme, settings):
    world = programme.world
    f = figures(world.office)
    ids = [p[0] for p in f.points]
    assert ids == [programme.continuing.pk, world.project.pk, programme.new_start.pk]
    assert [p[4] for p in f.points] == ["red", "green", ""]
    _pk, name, lon, lat, _light = f.points[0]
    assert (name, lon, lat) == ("朝天门片区城市更新", 106.586, 29.566)
    settings.KEYPROJECTS_COCKPIT_MAP_POINTS = 1
    assert [p[0] for p in figures(world.office).points] == [programme.continuing.pk]


def test_an_empty_jurisdiction_gives_zeros_not_errors(world, today):
    f = figures(world.outsider, month=1)
    assert f.projects == 1 and f.annual_target == 0 and f.share is None
    assert f.completed == [Decimal(0)] * 12 and f.gap_points is None
    assert f.tasks.rate is None


def test_the_query_count_does_not_grow_with_the_programme(programme):
    world = programme.world

    def count(build: bool) -> int:
        with CaptureQueriesContext(connection) as captured:
            if build:
                snapshot_build(YEAR, today=TODAY)
            else:
                reader = User.objects.get(pk=world.owner_user.pk)  # nothing remembered on it
                figures_for(reader, year=YEAR, month=MONTH, today=TODAY)
        return len(captured.captured_queries)

    before_build, before_read = count(build=True), count(build=False)
    for i in range(15):
        project = ProjectFactory(
            jurisdiction=world.district, name=f"新增项目{i}", latitude=Decimal("29.55"),
            longitude=Decimal("106.55"),
        )  # fmt: skip
        AnnualPlanFactory(project=project, investment_target=Decimal(1_000_000))
        accepted(project, 3, 10_000)
    lights_rebuild(year=YEAR, month=3)
    assert count(build=True) == before_build
    assert count(build=False) == before_read
    assert before_read <= 10


def test_kept_figures_are_rebuilt_once_an_audited_change_is_made(programme):
    world = programme.world
    first = figures_for(world.office, year=YEAR, month=MONTH, today=TODAY)
    with CaptureQueriesContext(connection) as captured:
        again = figures_for(world.office, year=YEAR, month=MONTH, today=TODAY)
    assert len(captured.captured_queries) <= 5  # nothing rebuilt
    assert again.projects == first.projects == 6 and again.current
    ProjectFactory(jurisdiction=world.district, name="后来的项目", stage=Stage.RESERVE)
    assert figures_for(world.office, year=YEAR, month=MONTH, today=TODAY).projects == 7


def test_a_large_ledgers_figures_are_rebuilt_by_the_worker_meanwhile_the_kept_ones_show(
    programme, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    world = programme.world
    figures_for(world.office, year=YEAR, month=MONTH, today=TODAY)
    settings.KEYPROJECTS_COCKPIT_SYNC_SECONDS = -1  # as if a rebuild took long
    ProjectFactory(jurisdiction=world.district, name="后来的项目", stage=Stage.RESERVE)
    with django_capture_on_commit_callbacks(execute=True):
        stale = figures_for(world.office, year=YEAR, month=MONTH, today=TODAY)
        figures_for(world.leader, year=YEAR, month=MONTH, today=TODAY)
    assert (stale.projects, stale.current) == (6, False)
    assert DBTaskResult.objects.count() == 1  # asked once, not once a reader
    state = SnapshotState.objects.get(year=YEAR)
    assert state.refresh_requested_at is not None
    refresh_snapshot.call(year=YEAR)
    fresh = figures_for(world.office, year=YEAR, month=MONTH, today=TODAY)
    assert (fresh.projects, fresh.current) == (7, True)


def test_old_figures_whose_refresh_no_worker_took_up_are_rebuilt_at_once(programme, settings):
    world = programme.world
    figures_for(world.office, year=YEAR, month=MONTH, today=TODAY)
    settings.KEYPROJECTS_COCKPIT_SYNC_SECONDS = -1
    ProjectFactory(jurisdiction=world.district, name="后来的项目", stage=Stage.RESERVE)
    assert not figures_for(world.office, year=YEAR, month=MONTH, today=TODAY).current
    asked = timezone.now() - dt.timedelta(minutes=5)
    SnapshotState.objects.filter(year=YEAR).update(refresh_requested_at=asked)
    # Figures under an hour old are shown while the worker may still come.
    assert figures_for(world.office, year=YEAR, month=MONTH, today=TODAY).projects == 6
    SnapshotState.objects.filter(year=YEAR).update(built_at=timezone.now() - dt.timedelta(hours=2))
    assert figures_for(world.office, year=YEAR, month=MONTH, today=TODAY).projects == 7


def test_kept_figures_from_another_day_are_rebuilt_for_overdue_counts(programme):
    world = programme.world
    figures_for(world.office, year=YEAR, month=MONTH, today=TODAY)
    later = figures_for(world.office, year=YEAR, month=MONTH, today=dt.date(2026, 12, 16))
    assert later.tasks.overdue == 3  # the task due on 15 December is now late too
    assert SnapshotState.objects.get(year=YEAR).built_for == dt.date(2026, 12, 16)


def test_the_nightly_step_rebuilds_every_kept_year(programme):
    figures_for(programme.world.office, year=2025, month=3, today=TODAY)
    assert cockpit_nightly(today=TODAY) == [2025, 2026]
    assert set(SnapshotState.objects.values_list("year", flat=True)) == {2025, 2026}


def test_what_one_reader_sees_is_not_shown_to_another(programme):
    world = programme.world
    office = figures_for(world.office, year=YEAR, month=MONTH, today=TODAY)
    unit = figures_for(world.owner_user, year=YEAR, month=MONTH, today=TODAY)
    outsider = figures_for(world.outsider, year=YEAR, month=MONTH, today=TODAY)
    assert office.tasks.open == 3 and unit.tasks.open == 2 and outsider.projects == 1


def test_a_plan_dated_in_an_earlier_year_counts_from_january(world, today):
    plan = AnnualPlan.objects.create(
        project=world.project, year=YEAR, investment_target=Decimal(1_000_000),
        ytd_completed=Decimal(300_000), figures_as_of=dt.date(2025, 12, 31),
    )  # fmt: skip
    f = figures(world.office)
    assert f.completed[0] == plan.ytd_completed
