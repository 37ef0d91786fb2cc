from decimal import Decimal as D

import pytest

from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyReport
from keyprojects.projects.models import AnnualPlan

FORM = {"investment": "120", "progress_percent": "35", "progress_text": "主体施工",
        "managers": "5", "workers": "80"}  # fmt: skip


@pytest.fixture
def plan(world):
    return AnnualPlan.objects.create(
        project=world.project, year=2026, investment_target=D(1200) * 10000
    )


def url(world, month=10):
    return f"/projects/{world.project.pk}/reports/2026/{month}/"


def test_an_owner_unit_reports_and_the_office_accepts(world, client_for, plan):
    owner = client_for(world.owner_user)
    assert owner.post(url(world), {**FORM, "submit": "1"}).status_code == 302
    report = MonthlyReport.objects.get(project=world.project)
    assert report.status == ReportStatus.SUBMITTED and report.investment == D(1200000)
    office = client_for(world.office)
    page = office.get("/reports/review/").content.decode()
    assert world.project.name in page
    office.post(f"/reports/{report.pk}/decide/", {"decision": "accept"})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    plan.refresh_from_db()
    assert plan.ytd_completed == D(1200000)
    behind = office.get("/reports/behind/", {"year": 2026, "month": 10})
    assert world.project.name in behind.content.decode()  # 10% against 83.33%: red


def test_a_return_needs_a_comment_and_the_owner_resubmits(world, client_for, plan):
    owner = client_for(world.owner_user)
    owner.post(url(world), {**FORM, "submit": "1"})
    report = MonthlyReport.objects.get(project=world.project)
    office = client_for(world.office)
    office.post(f"/reports/{report.pk}/decide/", {"decision": "return", "comment": ""})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    office.post(f"/reports/{report.pk}/decide/", {"decision": "return", "comment": "请核实金额"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert "请核实金额" in owner.get(url(world)).content.decode()
    owner.post(url(world), {**FORM, "investment": "100", "submit": "1", "version": report.version})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.investment == D(1000000)
    assert report.revisions.count() == 3


def test_a_negative_amount_without_a_reason_is_refused_in_place(world, client_for, plan):
    response = client_for(world.owner_user).post(url(world), {**FORM, "investment": "-5"})
    assert response.status_code == 200 and "investment" in response.context["form"].errors
    assert not MonthlyReport.objects.exists()


def test_a_submitted_report_cannot_be_posted_again(world, client_for, plan):
    owner = client_for(world.owner_user)
    owner.post(url(world), {**FORM, "submit": "1"})
    assert owner.post(url(world), {**FORM, "investment": "999"}).status_code == 403


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [("office", 200, 302), ("leader", 200, 403), ("owner_user", 200, 302),
     ("bystander_user", 200, 403), ("auditor", 200, 403), ("outsider", 404, 404)],
)  # fmt: skip
def test_report_pages_by_role(world, client_for, plan, persona, read, write):
    client = client_for(world.personas()[persona])
    assert client.get(f"/projects/{world.project.pk}/reports/").status_code == read
    assert client.get(url(world)).status_code == read
    assert client.post(url(world), FORM).status_code == write


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("office", 200), ("leader", 403), ("owner_user", 403), ("auditor", 403), ("outsider", 200)],
)
def test_review_page_by_role(world, client_for, persona, expected):
    assert client_for(world.personas()[persona]).get("/reports/review/").status_code == expected


def test_another_district_cannot_decide_on_this_districts_report(world, client_for, plan):
    client_for(world.owner_user).post(url(world), {**FORM, "submit": "1"})
    report = MonthlyReport.objects.get()
    response = client_for(world.outsider).post(
        f"/reports/{report.pk}/decide/", {"decision": "accept"}
    )
    assert response.status_code == 404


def test_a_project_whose_planned_start_passed_shows_on_the_behind_list(world, client_for):
    import datetime as dt

    from keyprojects.projects.choices import Stage

    world.other_project.stage = Stage.PRELIMINARY
    world.other_project.actual_start = None
    world.other_project.planned_start = dt.date(2026, 8, 10)
    world.other_project.save()
    client = client_for(world.leader)
    september = client.get("/reports/behind/", {"year": 2026, "month": 9}).context
    assert list(september["not_started"]) == [world.other_project]
    august = client.get("/reports/behind/", {"year": 2026, "month": 8}).context
    assert list(august["not_started"]) == []
