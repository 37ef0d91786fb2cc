"""An owner unit reports on a phone-sized screen; the programme office returns and accepts."""

from decimal import Decimal

from keyprojects.progress.models import MonthlyReport
from keyprojects.projects.models import AnnualPlan

from .conftest import sign_in


def test_reporting_on_a_phone_and_reviewing(world, phone, page):
    AnnualPlan.objects.create(
        project=world.project, year=2026, investment_target=Decimal("12000000")
    )
    sign_in(phone, "owner_user")
    phone.goto(f"/projects/{world.project.pk}/reports/2026/10/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.fill("#id_investment", "300")
    phone.fill("#id_progress_percent", "40")
    phone.fill("#id_workers", "60")
    phone.click("[data-testid=submit-report]")
    phone.wait_for_url(f"**/projects/{world.project.pk}/reports/")
    assert MonthlyReport.objects.get().status == "submitted"
    assert "2026-10" in phone.inner_text("[data-testid=reports]")

    sign_in(page, "office")
    page.goto("/reports/review/")
    row = page.locator("[data-testid=review] tbody tr").first
    row.locator("input[name=comment]").fill("请补充形象进度说明")
    row.locator("[data-testid=return]").click()
    page.wait_for_url("**/reports/review/")
    assert MonthlyReport.objects.get().status == "returned"

    phone.goto(f"/projects/{world.project.pk}/reports/2026/10/")
    assert "请补充形象进度说明" in phone.content()
    phone.fill("#id_progress_text", "主体结构施工至8层")
    phone.click("[data-testid=submit-report]")
    phone.wait_for_url(f"**/projects/{world.project.pk}/reports/")

    page.goto("/reports/review/")
    page.locator("[data-testid=review] tbody tr [data-testid=accept]").first.click()
    page.wait_for_url("**/reports/review/")
    report = MonthlyReport.objects.get()
    assert report.status == "accepted" and report.revisions.count() == 4
