"""October 2026 scored end to end, against hand calculations; who answers for a project;
freezing at closing; reopening; the refusals; the problem ledger and inspections as sources."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from keyprojects.assessment import explain, services
from keyprojects.assessment.choices import PeriodStatus
from keyprojects.assessment.engine import Rules
from keyprojects.assessment.inputs import problem_model, safety_source
from keyprojects.assessment.models import IndicatorSet, Period, PeriodEvent, Score
from keyprojects.assessment.results import (
    results_for,
    results_intact,
    stored_results,
    subject_detail,
)
from keyprojects.progress.models import MonthlyReport
from keyprojects.projects.choices import Milestone
from keyprojects.projects.models import AnnualPlan
from keyprojects.supervision.choices import TaskStatus
from keyprojects.supervision.models import Task

from .conftest import CLOSING_DAY, YEAR, at, default_indicators


def by_name(results):
    return {s.name: s for s in results.units}


def points(result):
    return {line.kind: line.points for line in result.lines}


class TestOctoberByHand:
    """world.project: investment 600 万元 ÷ (1,200 万元 × 83.33%) = 0.6000 × 40 = 24.00;
    milestone late, (0 + 1 × 0.5) ÷ 1 × 20 = 10.00; its October report on time, 1 ÷ 1 × 10
    = 10.00; problems 1 closed of 3, 0.3333 × 20 = 6.67 less 1 overdue × 2 = 4.67; safety left
    out. 48.67 ÷ 90 × 100 = 54.08.

    world.other_project: 700 万元 ÷ (600 万元 × 83.33%) = 1.4001, capped at 1.2 × 40 = 48.00;
    milestone on time 20.00; October's report late 0.00; no problems, no safety: left out.
    68.00 ÷ 70 × 100 = 97.14."""

    def test_every_unit_scores_as_worked_out_by_hand(self, world, october, fallback):
        results = results_for(october, today=CLOSING_DAY)
        units = by_name(results)
        assert set(units) == {"区城投公司", "区住房城市建委", "区城管局"}
        p1 = {
            "investment_completion": D("24.00"),
            "milestones": D("10.00"),
            "reporting_on_time": D("10.00"),
            "problem_closure": D("4.67"),
            "safety": None,
        }
        # By kind: the company for the project it owns, the department for the one it
        # answers for; both for world.project, so both score the same.
        for name in ("区城投公司", "区住房城市建委"):
            assert points(units[name]) == p1
            assert (units[name].points_sum, units[name].weight_counted) == (D("48.67"), 90)
            assert units[name].total == D("54.08")
        bystander = units["区城管局"]
        assert points(bystander) == {
            "investment_completion": D("48.00"),
            "milestones": D("20.00"),
            "reporting_on_time": D("0.00"),
            "problem_closure": None,
            "safety": None,
        }
        assert bystander.total == D("97.14")

    def test_the_ranking_shares_a_full_tie_and_the_lists_take_it(self, world, october, fallback):
        results = results_for(october, today=CLOSING_DAY)
        assert [(s.rank, s.name, s.board) for s in results.units] == [
            (1, "区城管局", "red"),
            (2, "区住房城市建委", "black"),
            (2, "区城投公司", "black"),
        ]
        assert results.provisional

    def test_projects_are_scored_on_themselves(self, world, october, fallback):
        results = results_for(october, today=CLOSING_DAY)
        assert [(s.rank, s.name, s.total) for s in results.projects] == [
            (1, "珊瑚公园滨江公园", D("97.14")),
            (2, "老鼓楼衙署遗址公园", D("54.08")),
        ]

    def test_the_arithmetic_reads_as_the_hand_calculation(self, world, october, fallback):
        detail = subject_detail(october, "unit", world.owner.pk, today=CLOSING_DAY)
        lines = {line.kind: explain.steps(line) for line in detail.result.lines}
        assert lines["investment_completion"] == [
            "Completed this year 600.00 of an annual plan of 1,200.00 (10,000 yuan) = 50.00%; "
            "the pace (序时) expects 83.33% by now, that is 999.96.",
            "Completed this year 600.00 ÷ expected 999.96 = 0.6000.",
            "min(0.6000, 1.2) × 40 = 24.00 points.",
        ]
        assert lines["problem_closure"][1:] == [
            "1 of 3 problems closed (销号): 1 ÷ 3 = 0.3333; 0.3333 × 20 = 6.67.",
            "1 past the deadline × 2 = 2.00 points off.",
            "6.67 − 2.00 = 4.67 points (never below 0).",
        ]
        assert lines["safety"][0].startswith("Nothing to measure: inspections are not yet")
        assert explain.total_steps(detail.result) == [
            "Points: 24.00 + 10.00 + 10.00 + 4.67 = 48.67.",
            "The indicators counted weigh 90 of 100, so the total is scaled: "
            "48.67 ÷ 90 × 100 = 54.08.",
        ]
        investment = detail.result.line("investment_completion")
        assert investment.items == [
            {
                "project_id": world.project.pk,
                "project": "老鼓楼衙署遗址公园",
                "planned": D("12000000.00"),
                "completed": D("6000000.00"),
                "expected_share": D("83.33"),
                "expected": D("9999600.00"),
            }
        ]

    def test_capped_investment_reads_as_such(self, world, october, fallback):
        detail = subject_detail(october, "project", world.other_project.pk, today=CLOSING_DAY)
        steps = explain.steps(detail.result.line("investment_completion"))
        assert steps[1:] == [
            "Completed this year 700.00 ÷ expected 499.98 = 1.4001.",
            "min(1.4001, 1.2) × 40 = 48.00 points.",
        ]


@pytest.mark.parametrize(
    ("basis", "expected"),
    [
        ("by_kind", {"区城投公司": ["老鼓楼衙署遗址公园"], "区住房城市建委": ["老鼓楼衙署遗址公园"],
                     "区城管局": ["珊瑚公园滨江公园"]}),
        ("owner", {"区城投公司": ["老鼓楼衙署遗址公园"], "区城管局": ["珊瑚公园滨江公园"]}),
        ("responsible", {"区住房城市建委": ["老鼓楼衙署遗址公园"],
                         "区城管局": ["珊瑚公园滨江公园"]}),
        ("both", {"区城投公司": ["老鼓楼衙署遗址公园"], "区住房城市建委": ["老鼓楼衙署遗址公园"],
                  "区城管局": ["珊瑚公园滨江公园"]}),
    ],
)  # fmt: skip
def test_which_units_answer_for_a_project(world, october, fallback, basis, expected):
    IndicatorSet.objects.filter(pk=october.indicator_set_id).update(unit_basis=basis, version=9)
    october.refresh_from_db()
    results = results_for(october, today=CLOSING_DAY)
    found = {s.name: [p["project"] for p in s.projects] for s in results.units}
    assert found == expected


def test_by_kind_a_company_named_responsible_does_not_answer(world, october, fallback):
    """A company is scored for the projects it owns, never for those it is named the
    responsible unit of; a department never for those it owns."""
    world.responsible.kind = "state_company"
    world.responsible.save()
    units = by_name(results_for(october, today=CLOSING_DAY))
    assert "区住房城市建委" not in units
    assert [p["role"] for p in units["区城管局"].projects] == ["responsible"]


class TestClosing:
    def test_closing_is_refused_before_the_last_report_is_due(self, world, october):
        for day in (dt.date(2026, 10, 20), dt.date(2026, 11, 5)):
            with pytest.raises(ValidationError, match="can be closed from 2026-11-06"):
                services.period_close(period=october, user=world.office, today=day)
        assert not Score.objects.exists()
        assert Period.objects.get(pk=october.pk).status == PeriodStatus.OPEN

    def test_only_the_programme_office_closes(self, world, october):
        for person in (world.leader, world.owner_user, world.auditor, world.outsider):
            with pytest.raises(PermissionDenied):
                services.period_close(period=october, user=person, today=CLOSING_DAY)
        assert not Score.objects.exists()

    def test_results_are_frozen_when_the_period_is_closed(self, world, october, fallback):
        before = results_for(october, today=CLOSING_DAY)
        services.period_close(period=october, user=world.office, today=CLOSING_DAY)
        october.refresh_from_db()
        assert october.is_closed and october.edition == 1
        frozen = [(s.name, s.total, s.rank, s.board, s.points) for s in before.units]

        # Everything changes afterwards: figures, problems, milestones and the rules.
        MonthlyReport.objects.filter(project=world.other_project, month=10).update(
            submitted_at=at(dt.date(2026, 11, 1))
        )
        Task.objects.filter(status=TaskStatus.OPEN).update(status=TaskStatus.DONE)
        AnnualPlan.objects.filter(project=world.project).update(investment_target=D(1))
        rows = default_indicators()
        rows[0]["weight"], rows[1]["weight"] = 50, 10
        services.indicator_set_save(
            jurisdiction=world.district,
            user=world.office,
            name="改过的",
            indicators=rows,
            indicator_set=october.indicator_set,
            version=october.indicator_set.version,
        )
        later = dt.date(2027, 3, 1)
        after = results_for(Period.objects.get(pk=october.pk), today=later)
        assert [(s.name, s.total, s.rank, s.board, s.points) for s in after.units] == frozen
        detail = subject_detail(october, "unit", world.owner.pk, today=later)
        assert not detail.provisional
        assert detail.result.line("investment_completion").figures["ratio"] == "0.6000"
        assert [i.weight for i in detail.rules.indicators] == [40, 20, 10, 20, 10]
        assert results_intact(october)

    def test_closing_twice_is_refused(self, world, october):
        services.period_close(period=october, user=world.office, today=CLOSING_DAY)
        with pytest.raises(ValidationError, match="was closed on"):
            services.period_close(period=october, user=world.office, today=CLOSING_DAY)
        assert Score.objects.filter(period=october).values("edition").distinct().count() == 1

    def test_an_altered_score_shows(self, world, october, en_client_for):
        services.period_close(period=october, user=world.office, today=CLOSING_DAY)
        october.refresh_from_db()
        assert results_intact(october)
        page = en_client_for(world.leader).get(f"/assessment/periods/{october.pk}/")
        assert 'data-testid="intact"' in page.content.decode()
        Score.objects.filter(period=october, name="区城管局").update(total=D(100))
        assert not results_intact(october)
        page = en_client_for(world.leader).get(f"/assessment/periods/{october.pk}/")
        assert 'data-testid="tampered"' in page.content.decode()

    def test_the_closing_is_audited_with_its_fingerprint(self, world, october):
        from keyprojects.audit.models import AuditEntry

        services.period_close(period=october, user=world.office, today=CLOSING_DAY)
        entry = AuditEntry.objects.filter(model="assessment.period", action="update").last()
        assert entry.after["status"] == "closed"
        assert entry.after["results_digest"] == Period.objects.get().results_digest
        assert entry.actor_id is None or entry.actor_id == world.office.pk

    def test_the_units_and_leaders_are_told(
        self, world, october, fallback, django_capture_on_commit_callbacks
    ):
        from keyprojects.notifications.models import Notification

        with django_capture_on_commit_callbacks(execute=True):
            services.period_close(period=october, user=world.office, today=CLOSING_DAY)
        told = Notification.objects.filter(kind="assessment_final")
        assert set(told.values_list("user__username", flat=True)) == {
            "owner_user",
            "responsible_user",
            "bystander_user",
            "leader",
        }
        assert "ranks 1 of 3" in told.get(user=world.bystander_user).title


class TestReopening:
    def test_only_the_office_reopens_and_only_with_a_reason(self, world, october):
        services.period_close(period=october, user=world.office, today=CLOSING_DAY)
        with pytest.raises(PermissionDenied):
            services.period_reopen(period=october, user=world.leader, reason="重算")
        with pytest.raises(ValidationError, match="reason"):
            services.period_reopen(period=october, user=world.office, reason="  ")
        assert Period.objects.get(pk=october.pk).is_closed

    def test_the_earlier_closing_stays_readable_and_a_new_one_is_made(
        self, world, october, fallback
    ):
        services.period_close(period=october, user=world.office, today=CLOSING_DAY)
        services.period_reopen(
            period=october, user=world.office, reason="区城管局10月月报系统故障，予以更正"
        )
        october.refresh_from_db()
        assert october.status == PeriodStatus.OPEN and october.edition == 1
        assert PeriodEvent.objects.get(kind="reopened").reason.startswith("区城管局")
        with pytest.raises(ValidationError, match="open already"):
            services.period_reopen(period=october, user=world.office, reason="再次")

        MonthlyReport.objects.filter(project=world.other_project, month=10).update(
            submitted_at=at(dt.date(2026, 11, 5))
        )
        services.period_close(period=october, user=world.office, today=dt.date(2026, 11, 9))
        october.refresh_from_db()
        first = by_name(stored_results(october, 1))["区城管局"]
        second = by_name(results_for(october))["区城管局"]
        assert (first.total, second.total) == (D("97.14"), D("111.43"))
        # 48 + 20 + 10 = 78 ÷ 70 × 100 = 111.43: ahead of the pace earns more than 100.
        assert october.edition == 2
        assert results_intact(october, 1) and results_intact(october, 2)

    def test_a_period_closed_once_is_not_deleted(self, world, october):
        services.period_close(period=october, user=world.office, today=CLOSING_DAY)
        services.period_reopen(period=october, user=world.office, reason="更正")
        with pytest.raises(ValidationError, match="cannot be deleted"):
            services.period_delete(period=october, user=world.office)


class TestOpening:
    def test_refusals(self, world, indicator_set):
        def open_(**kw):
            values = {"kind": "month", "year": YEAR, "number": 10, "today": CLOSING_DAY}
            values.update(kw)
            return services.period_create(jurisdiction=world.district, user=world.office, **values)

        with pytest.raises(ValidationError, match="has not begun"):
            open_(number=12)
        with pytest.raises(ValidationError, match="month from 1 to 12"):
            open_(number=13)
        with pytest.raises(ValidationError, match="quarter from 1 to 4"):
            open_(kind="quarter", number=5)
        open_()
        with pytest.raises(ValidationError, match="already open or closed"):
            open_()
        assert open_(kind="year", number=7).number == 0
        with pytest.raises(PermissionDenied):
            services.period_create(
                jurisdiction=world.district, user=world.leader, kind="month", year=YEAR, number=9
            )

    def test_no_period_without_a_set_in_use(self, world):
        with pytest.raises(ValidationError, match="No indicator set is in use"):
            services.period_create(
                jurisdiction=world.district, user=world.office, kind="month", year=YEAR,
                number=10, today=CLOSING_DAY,
            )  # fmt: skip


class TestSources:
    def test_open_periods_follow_the_data_and_the_set(self, world, october, fallback):
        before = by_name(results_for(october, today=CLOSING_DAY))["区城管局"].total
        report_ = MonthlyReport.objects.get(project=world.other_project, month=10)
        report_.submitted_at = at(dt.date(2026, 11, 2))
        report_.save()  # audited: the remembered results are stale
        after = by_name(results_for(october, today=CLOSING_DAY))["区城管局"].total
        assert (before, after) == (D("97.14"), D("111.43"))

    def test_reports_count_for_projects_under_construction_that_month(
        self, world, october, fallback
    ):
        # Completed before October and not reporting: nothing due. Not started: nothing due.
        world.other_project.actual_completion = dt.date(2026, 9, 15)
        world.other_project.save()
        MonthlyReport.objects.filter(project=world.other_project, month=10).delete()
        results = results_for(october, today=CLOSING_DAY)
        line = results.subject("project", world.other_project.pk).line("reporting_on_time")
        assert line.no_data and line.points is None

    def test_a_draft_is_not_a_report_on_time(self, world, october, fallback):
        MonthlyReport.objects.filter(project=world.other_project, month=10).update(
            status="draft", submitted_at=at(dt.date(2026, 11, 1))
        )
        results = results_for(october, today=CLOSING_DAY)
        line = results.subject("project", world.other_project.pk).line("reporting_on_time")
        assert (line.figures["on_time"], line.figures["due"], line.points) == (0, 1, D("0.00"))

    def test_grace_days_move_the_due_day(self, world, october, fallback):
        rows = default_indicators(
            milestones={"late_credit": 0.5}, reporting_on_time={"grace_days": 2}
        )
        services.indicator_set_save(
            jurisdiction=world.district, user=world.office, name="宽限", indicators=rows,
            indicator_set=october.indicator_set, version=october.indicator_set.version,
            red_list_size=1, black_list_size=1,
        )  # fmt: skip
        october.refresh_from_db()
        # Due 5 November + 2 days: the report of 7 November is on time; the closing waits.
        assert "2026-11-08" in services.closing_refusal(october, CLOSING_DAY)
        results = results_for(october, today=dt.date(2026, 11, 8))
        assert by_name(results)["区城管局"].points["reporting_on_time"] == D("10.00")

    def test_preliminary_work_is_done_when_the_last_approval_is(self, world, october, fallback):
        from keyprojects.approvals.models import ProcedureStep

        AnnualPlan.objects.filter(project=world.other_project).update(
            milestone=Milestone.PRELIMINARY, milestone_quarter=3
        )
        for n, (status, day) in enumerate(
            [("done", dt.date(2026, 6, 1)), ("not_needed", None), ("done", dt.date(2026, 9, 20))]
        ):
            ProcedureStep.objects.create(
                project=world.other_project, position=n, name=f"第{n}步", phase="project_land",
                status=status, approved_on=day,
            )  # fmt: skip
        line = (
            results_for(october, today=CLOSING_DAY)
            .subject("project", world.other_project.pk)
            .line("milestones")
        )
        assert line.items[0]["reached_on"] == dt.date(2026, 9, 20)
        assert line.items[0]["outcome"] == "on_time"
        ProcedureStep.objects.filter(position=2).update(status="in_progress", approved_on=None)
        Task.objects.create(  # any audited write makes the remembered results stale
            jurisdiction=world.district, title="x", owner_unit=world.owner, deadline=CLOSING_DAY
        )
        line = (
            results_for(october, today=CLOSING_DAY)
            .subject("project", world.other_project.pk)
            .line("milestones")
        )
        assert (line.items[0]["outcome"], line.points) == ("missed", D("0.00"))

    def test_problem_closure_from_the_problem_ledger(self, world, october, no_inspections):
        if problem_model() is None:
            pytest.skip("the problem ledger is not installed")
        from keyprojects.problems.models import Problem

        def problem(title, raised, status="assigned", deadline=None, closed=None, **kw):
            return Problem.objects.create(
                jurisdiction=world.district, project=world.project, raised_by_unit=world.owner,
                category="land", title=title, need="协调", status=status, deadline=deadline,
                raised_at=at(raised), closed_at=at(closed) if closed else None, **kw,
            )  # fmt: skip

        problem(
            "征地", dt.date(2026, 9, 20), "closed", dt.date(2026, 10, 15), dt.date(2026, 10, 10)
        )
        problem("管线", dt.date(2026, 10, 5), deadline=dt.date(2026, 10, 20))
        problem("用电", dt.date(2026, 10, 25), deadline=dt.date(2026, 11, 15))
        problem("早已销号", dt.date(2026, 8, 1), "closed", None, dt.date(2026, 9, 1))
        problem("重复", dt.date(2026, 10, 6), "merged")
        problem("撤回", dt.date(2026, 10, 6), "withdrawn")
        problem("已解决待确认", dt.date(2026, 10, 2), "resolved", dt.date(2026, 10, 9),
                resolved_at=at(dt.date(2026, 10, 8)))  # fmt: skip
        line = (
            results_for(october, today=CLOSING_DAY)
            .subject("unit", world.owner.pk)
            .line("problem_closure")
        )
        # On the desk: 征地, 管线, 用电, 已解决待确认; closed: 征地; overdue: 管线 (the
        # resolved one was resolved before its deadline). 1 ÷ 4 = 0.25 × 20 = 5.00 − 2 = 3.00.
        assert line.figures["source"] == "problems"
        assert sorted(i["title"] for i in line.items) == ["已解决待确认", "征地", "用电", "管线"]
        assert (line.figures["closed"], line.figures["overdue"], line.points) == (1, 1, D("3.00"))

    def test_work_safety_from_inspections(self, world, october, problems_from_tasks):
        if safety_source() is None:
            pytest.skip("inspections are not installed")
        from keyprojects.inspections.models import Incident

        Incident.objects.create(
            jurisdiction=world.district, project=world.project, occurred_on=dt.date(2026, 10, 12),
            kind="safety", severity="general", description="脚手架坠物致一人轻伤",
        )  # fmt: skip
        results = results_for(october, today=CLOSING_DAY)
        owner = results.subject("unit", world.owner.pk)
        # 10 − one general accident × 5 = 5.00; 48.67 + 5 = 53.67 of 100.
        assert owner.line("safety").points == D("5.00")
        assert owner.total == D("53.67")
        assert results.subject("unit", world.bystander_unit.pk).line("safety").points == 10


class TestRankingFor:
    def test_a_period_gives_its_ranking(self, world, october, fallback):
        ranking = services.ranking_for(world.district, YEAR, 10, today=CLOSING_DAY)
        assert ranking.period == october and ranking.provisional
        assert [(r.rank, r.name, r.total) for r in ranking.rows] == [
            (1, "区城管局", D("97.14")),
            (2, "区住房城市建委", D("54.08")),
            (2, "区城投公司", D("54.08")),
        ]
        assert ranking.rows[0].points["investment_completion"] == D("48.00")
        assert [r.name for r in ranking.red] == ["区城管局"]
        assert (
            ranking.rows[0].url
            == f"/assessment/periods/{october.pk}/units/{world.bystander_unit.pk}/"
        )
        assert ranking.indicators[0][0] == "investment_completion"
        services.period_close(period=october, user=world.office, today=CLOSING_DAY)
        closed = services.ranking_for(world.district.pk, YEAR, 10)
        assert not closed.provisional and closed.rows[0].total == D("97.14")

    def test_without_a_period_the_set_in_use_scores_live(self, world, october, fallback):
        ranking = services.ranking_for(world.district, YEAR, 10, kind="quarter", today=CLOSING_DAY)
        assert ranking.period is None and ranking.provisional
        assert ranking.label == "2026, quarter 4"
        assert {r.name for r in ranking.rows} == {"区城管局", "区住房城市建委", "区城投公司"}

    def test_nothing_without_a_set(self, world):
        assert services.ranking_for(world.district, YEAR, 10) is None


def test_rules_survive_the_round_trip(indicator_set):
    rules = Rules.from_set(indicator_set)
    assert Rules.from_json(rules.as_json()) == rules


def test_ranking_for_refuses_a_month_no_period_holds(world):
    with pytest.raises(ValueError):
        services.ranking_for(world.district, YEAR, 13)
    with pytest.raises(ValueError):
        services.ranking_for(world.district, YEAR, 3, kind="week")


def test_supervised_tasks_count_for_the_unit_that_owns_them(world, october, no_inspections):
    """Tasks closed: for a unit, the tasks it owns; for a project, the tasks about it.
    区住房城市建委 owns two October tasks: one done, one past its deadline.
    1 ÷ 2 = 0.5 × 10 = 5.00, less 1 × 2 = 3.00."""
    rows = default_indicators(milestones={"late_credit": 0.5})
    rows[4] = {"kind": "task_closure", "weight": 10, "params": {"overdue_deduction": 2}}
    services.indicator_set_save(
        jurisdiction=world.district, user=world.office, name="督办", indicators=rows,
        indicator_set=october.indicator_set, version=october.indicator_set.version,
    )  # fmt: skip
    common = {"jurisdiction": world.district, "owner_unit": world.responsible}
    Task.objects.create(
        title="落实施工围挡", project=world.other_project, deadline=dt.date(2026, 10, 20),
        created_at=at(dt.date(2026, 10, 2)), status=TaskStatus.DONE,
        closed_at=at(dt.date(2026, 10, 18)), **common,
    )  # fmt: skip
    Task.objects.create(
        title="报送整改方案", deadline=dt.date(2026, 10, 25), created_at=at(dt.date(2026, 10, 9)),
        **common,
    )  # fmt: skip
    Task.objects.create(  # cancelled: not counted
        title="作废", deadline=dt.date(2026, 10, 25), created_at=at(dt.date(2026, 10, 9)),
        status=TaskStatus.CANCELLED, **common,
    )  # fmt: skip
    results = results_for(october, today=CLOSING_DAY)
    unit = results.subject("unit", world.responsible.pk).line("task_closure")
    assert (unit.figures["closed"], unit.figures["considered"], unit.points) == (1, 2, D("3.00"))
    assert results.subject("unit", world.owner.pk).line("task_closure").points is None
    project = results.subject("project", world.other_project.pk).line("task_closure")
    assert (project.figures["considered"], project.points) == (1, D("10.00"))
