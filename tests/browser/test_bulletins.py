"""The programme office drafts the month's bulletin, watches the figures being drafted, edits
the text, publishes it and downloads the PDF; a unit then reads it."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from keyprojects.bulletins.models import Bulletin
from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyReport
from keyprojects.projects.models import AnnualPlan

from .conftest import sign_in


def run_worker() -> None:
    """Run the queued background jobs here, as the worker would."""
    from django_tasks_db.management.commands import db_worker

    original = db_worker.close_old_connections
    db_worker.close_old_connections = lambda: None
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    finally:
        db_worker.close_old_connections = original


def test_the_office_drafts_edits_and_publishes_a_bulletin(world, page, phone, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    AnnualPlan.objects.create(
        project=world.project, year=2026, investment_target=Decimal("12000000")
    )
    now = timezone.now()
    for month in range(1, 11):
        MonthlyReport.objects.create(
            project=world.project,
            year=2026,
            month=month,
            investment=Decimal(400000),
            status=ReportStatus.ACCEPTED,
            submitted_at=now,
            reviewed_at=now,
            problems="征地拆迁未完成" if month == 10 else "",
        )

    sign_in(page, "office")
    page.goto("/bulletins/")
    page.fill("#id_year", "2026")
    page.select_option("#id_month", "10")
    page.click("[data-testid=draft-bulletin]")
    page.wait_for_url("**/bulletins/*/")
    page.locator("[data-testid=bulletin-job]").wait_for()
    assert page.locator("[data-testid=no-figures]").is_visible()

    run_worker()  # the page polls, sees the job done and reloads itself
    document = page.locator("[data-testid=bulletin-document]")
    document.wait_for()
    assert "老鼓楼衙署遗址公园" in document.inner_text()
    assert "征地拆迁未完成" in document.inner_text()

    page.fill("#id_next_steps", "一是加快征地拆迁，确保年底前交地。")
    page.click("[data-testid=save]")
    page.wait_for_load_state()
    assert "确保年底前交地" in page.locator("[data-testid=bulletin-document]").inner_text()
    assert page.locator("[data-testid=files-stale]").is_visible()

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=publish]")
    page.locator("[data-testid=bulletin-job]").wait_for()
    assert Bulletin.objects.get().status == "draft"
    run_worker()
    page.locator("[data-testid=published]").wait_for()
    bulletin = Bulletin.objects.get()
    assert bulletin.status == "published" and bulletin.published_by == world.office
    assert page.locator("[data-testid=bulletin-form]").count() == 0

    with page.expect_download() as download:
        page.click("[data-testid=download-pdf]")
    data = download.value.path().read_bytes()
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)
    assert "老鼓楼衙署遗址公园" in text and "确保年底前交地" in text

    page.context.clear_cookies()
    sign_in(page, "owner_user")
    page.goto("/bulletins/")
    page.click(f"[data-testid=bulletins] a[href='/bulletins/{bulletin.pk}/']")
    page.locator("[data-testid=published]").wait_for()
    assert page.locator("[data-testid=actions]").count() == 0

    sign_in(phone, "leader")
    phone.goto(f"/bulletins/{bulletin.pk}/")
    phone.locator("[data-testid=bulletin-document]").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
