"""The figures and tables a bulletin is drafted from."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from keyprojects.bulletins import drafting, providers
from keyprojects.progress.models import MonthlyLight
from keyprojects.progress.services import ledger_rollup, photo_add
from keyprojects.projects.models import AnnualPlan, Project
from keyprojects.supervision import services as tasks
from tests.factories import ProjectFactory

from .conftest import MONTH, YEAR, accepted


def D(value: object) -> Decimal:
    return Decimal(str(value))


def test_the_overall_figures_are_taken_to_the_end_of_the_month(world, programme):
    content = drafting.draft_content(world.district, YEAR, MONTH)
    overall = content["overall"]
    assert overall["projects"] == 5  # the foreign project is not in it
    assert overall["annual_target"] == D("29000000")
    # The red project's November report is after the month: 5M + 6M + 3.8M.
    assert overall["ytd_completed"] == D("14800000")
    assert overall["share"] == D("51.03")
    assert overall["expected_share"] == D("83.33")
    assert overall["gap_points"] == D("-32.30")
    assert overall["month_completed"] == D("500000") + D("600000") + D("3800000")
    assert overall["lights"] == {"green": 1, "yellow": 1, "red": 2}
    assert overall["batches"] == {"new_start": 1, "continuing": 1, "completed": 2, "reserve": 1}


def test_for_the_latest_month_the_figures_are_the_ledgers_roll_up(world, programme):
    content = drafting.draft_content(world.district, YEAR, 11)
    projects = Project.objects.filter(jurisdiction=world.district)
    rollup = ledger_rollup(projects, year=YEAR, month=11)
    overall = content["overall"]
    assert overall["ytd_completed"] == rollup.ytd_completed == D("15800000")
    assert overall["annual_target"] == rollup.annual_target
    assert overall["total_investment"] == rollup.total_investment
    assert overall["share"] == rollup.plan_share


def test_drafting_brings_the_months_lights_up_to_date(world, programme):
    assert not MonthlyLight.objects.filter(year=YEAR, month=MONTH).exists()
    drafting.draft_content(world.district, YEAR, MONTH)
    lights = dict(
        MonthlyLight.objects.filter(year=YEAR, month=MONTH).values_list("project_id", "light")
    )
    assert lights[programme.red.pk] == "red"
    assert lights[programme.yellow.pk] == "yellow"
    assert lights[programme.green.pk] == "green"


def test_lagging_projects_are_named_with_their_units_gap_and_reported_problem(world, programme):
    lagging = drafting.draft_content(world.district, YEAR, MONTH)["lagging"]
    assert [row["project"] for row in lagging] == [
        "马鞍山传统风貌区",
        "老鼓楼衙署遗址公园",
        "解放碑地下停车库及连接通道三期工程",
    ]
    red = lagging[1]
    assert (red["owner_unit"], red["responsible_unit"]) == ("区城投公司", "区住房城市建委")
    assert red["gap_points"] == D("-41.66") and red["light"] == "red"
    assert red["reason"] == "征地拆迁未完成，管线迁改滞后"
    assert lagging[2]["light"] == "yellow" and lagging[2]["responsible_unit"] == "区城管局"


def test_batches_count_starts_completions_and_late_starts(world, programme):
    batches = {
        b["batch"]: b for b in drafting.draft_content(world.district, YEAR, MONTH)["batches"]
    }
    assert list(batches) == ["new_start", "continuing", "completed", "reserve"]
    new = batches["new_start"]
    assert (new["projects"], new["started"]) == (1, 0)
    assert [p["project"] for p in new["late_start"]] == ["马鞍山传统风貌区"]
    assert batches["completed"]["projects"] == 2 and batches["completed"]["finished"] == 0
    assert batches["completed"]["late_completion"] == []
    assert batches["reserve"]["projects"] == 1 and batches["reserve"]["annual_target"] == 0
    assert batches["continuing"]["share"] == D("60.00")


def test_units_are_ranked_by_pace_against_the_time_proportional_share(world, programme):
    ranking = drafting.draft_content(world.district, YEAR, MONTH)["ranking"]
    assert ranking["source"] == "pace"
    rows = [(r["rank"], r["unit"], r["gap_points"]) for r in ranking["rows"]]
    # 区城管局: (6M + 3.8M) / 15M = 65.33%; 区住房城市建委: 5M / 14M = 35.71%.
    assert rows == [(1, "区城管局", D("-18.00")), (2, "区住房城市建委", D("-47.62"))]


def test_tied_units_share_a_rank(world, programme):
    rows = [
        {
            "responsible_unit__name": name,
            "annual_target": D(100),
            "ytd": D(50),
            "light_row": {"expected_share": D("83.33"), "light": "red"},
        }
        for name in ("乙单位", "甲单位")
    ]
    ranked = providers.pace_ranking(rows)["rows"]
    assert [(r["rank"], r["unit"]) for r in ranked] == [(1, "乙单位"), (1, "甲单位")]


def test_the_assessments_ranking_is_used_when_it_has_one(world, programme, monkeypatch):
    row = SimpleNamespace(
        rank=1,
        unit_id=world.owner.pk,
        name="区城投公司",
        total=D("92.5"),
        points={"investment": D("45.5")},
        board="red",
        projects=3,
        url="",
    )
    ranking = SimpleNamespace(
        period=None,
        label="2026年10月",
        provisional=True,
        indicators=[("investment", "投资完成", D(50))],
        rows=[row],
    )
    calls = []

    def ranking_for(jurisdiction, year, month):
        calls.append((jurisdiction, year, month))
        return ranking

    monkeypatch.setattr(providers, "assessment_ranking", lambda: ranking_for)
    result = drafting.draft_content(world.district, YEAR, MONTH)["ranking"]
    assert calls == [(world.district, YEAR, MONTH)]
    assert result["source"] == "assessment"
    assert [c["label"] for c in result["columns"]][3] == "投资完成"
    assert result["rows"][0]["unit"] == "区城投公司"
    assert result["rows"][0]["score"] == D("92.5")
    assert result["rows"][0]["points_investment"] == D("45.5")


def test_without_an_assessment_ranking_the_pace_ranking_stands(world, programme, monkeypatch):
    monkeypatch.setattr(providers, "assessment_ranking", lambda: lambda *a: None)
    assert drafting.draft_content(world.district, YEAR, MONTH)["ranking"]["source"] == "pace"


def test_open_supervised_tasks_are_listed_by_unit(world, programme, monkeypatch):
    monkeypatch.setattr(providers, "problem_model", lambda: None)
    today = dt.date(2026, 11, 5)
    tasks.create_task(
        title="完成管线迁改",
        owner_unit=world.responsible,
        project=programme.red,
        deadline=dt.date(2026, 10, 31),
        issued_by=world.office,
    )
    tasks.create_task(
        title="落实征地补偿资金",
        owner_unit=world.owner,
        deadline=dt.date(2026, 12, 31),
        issued_by=world.office,
    )
    done = tasks.create_task(
        title="已办结事项",
        owner_unit=world.owner,
        deadline=dt.date(2026, 9, 30),
        issued_by=world.office,
    )
    tasks.task_cancel(done, user=world.office, reason="重复")
    scope = drafting.Scope(world.district, YEAR, MONTH)
    problems = providers.open_problems(scope, today=today)
    assert problems["source"] == "tasks"
    assert (problems["total"], problems["overdue"]) == (2, 1)
    assert problems["units"][0] == {"unit": "区住房城市建委", "open": 1, "overdue": 1}
    first = problems["items"][0]
    assert (first["title"], first["project"], first["overdue_days"]) == (
        "完成管线迁改",
        "老鼓楼衙署遗址公园",
        5,
    )


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (120, 160, 200)).save(out, "JPEG")
    return out.getvalue()


def test_photos_come_from_accepted_reports_one_per_project(world, programme):
    from keyprojects.progress.choices import ReportStatus
    from keyprojects.progress.models import MonthlyReport

    report = MonthlyReport.objects.get(project=programme.red, year=YEAR, month=MONTH)
    report.status = ReportStatus.SUBMITTED
    report.save()
    photo_add(report=report, data=jpeg(), caption="主体结构施工")
    photo_add(report=report, data=jpeg(), caption="第二张")
    MonthlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.ACCEPTED)
    waiting = MonthlyReport.objects.get(project=programme.yellow, year=YEAR, month=MONTH)
    waiting.status = ReportStatus.SUBMITTED
    waiting.save()
    photo_add(report=waiting, data=jpeg(), caption="未审核")
    photos = drafting.draft_content(world.district, YEAR, MONTH)["photos"]
    assert [(p["project"], p["caption"]) for p in photos] == [
        ("老鼓楼衙署遗址公园", "主体结构施工")
    ]


def test_drafting_takes_a_fixed_number_of_queries(world, programme):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            drafting.draft_content(world.district, YEAR, MONTH)
        return len(queries)

    before = count()
    for i in range(15):
        project = ProjectFactory(
            jurisdiction=world.district,
            name=f"新增项目{i}",
            owner_unit=world.owner,
            responsible_unit=world.responsible,
        )
        AnnualPlan.objects.create(project=project, year=YEAR, investment_target=D(1000000))
        accepted(project, MONTH, "1000", problems="资金未到位")
    assert count() == before


@pytest.mark.parametrize("month", [1, 12])
def test_a_month_without_figures_drafts_empty_tables(world, month):
    content = drafting.draft_content(world.district, 2025, month)
    assert content["overall"]["annual_target"] == 0
    assert content["overall"]["share"] is None
    assert content["lagging"] == [] and content["photos"] == []


def test_with_an_assessment_in_use_its_ranking_of_the_month_is_the_bulletins(world, programme):
    from keyprojects.assessment import services as assessment
    from keyprojects.assessment.rules import DEFAULT_WEIGHTS, default_params

    assessment.indicator_set_save(
        jurisdiction=world.district,
        user=world.office,
        name="2026年度考核",
        indicators=[
            {"kind": str(kind), "weight": weight, "params": default_params(kind)}
            for kind, weight in DEFAULT_WEIGHTS
        ],
    )
    ranking = drafting.draft_content(world.district, YEAR, MONTH)["ranking"]
    expected = assessment.ranking_for(world.district, YEAR, MONTH)
    assert ranking["source"] == "assessment"
    assert [r["unit"] for r in ranking["rows"]] == [r.name for r in expected.rows]
    assert [r["score"] for r in ranking["rows"]] == [r.total for r in expected.rows]
    assert "provisional" in ranking["basis"]


def test_open_problems_come_from_the_problem_ledger_by_the_unit_assigned(world, programme):
    from keyprojects.problems import services as problems
    from keyprojects.problems.choices import Category, Severity

    def raise_problem(title: str) -> object:
        return problems.problem_raise(
            user=world.owner_user,
            project=programme.red,
            category=Category.UTILITIES,
            severity=Severity.IMPORTANT,
            title=title,
            need="请协调供电公司尽快实施迁改",
        )

    assigned = raise_problem("10kV电力管线迁改滞后")
    problems.problem_assign(assigned, user=world.office, units=[world.responsible])
    raise_problem("施工用电报装未批复")
    withdrawn = raise_problem("已撤回的问题")
    problems.problem_withdraw(withdrawn, user=world.owner_user, reason="已自行解决")
    scope = drafting.Scope(world.district, YEAR, MONTH)
    listed = providers.open_problems(scope, today=dt.date(2026, 11, 5))
    assert listed["source"] == "problems" and listed["total"] == 2
    by_title = {item["title"]: item for item in listed["items"]}
    assert by_title["10kV电力管线迁改滞后"]["unit"] == "区住房城市建委"
    assert by_title["施工用电报装未批复"]["unit"] == "Awaiting assignment"
    assert by_title["施工用电报装未批复"]["project"] == "老鼓楼衙署遗址公园"
