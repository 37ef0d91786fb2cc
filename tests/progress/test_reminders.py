import datetime as dt

from django.core import mail

from keyprojects.notifications.models import Notification
from keyprojects.progress.reminders import missing_reports, remind_reports
from keyprojects.progress.services import report_save, report_submit
from keyprojects.projects.models import Project

D = dt.date


def submit_other(world):
    other = report_save(project=world.other_project, year=2026, month=10, investment=0)
    report_submit(report=other)


def test_reminders_before_and_after_the_due_day(world, settings):
    submit_other(world)
    settings.KEYPROJECTS_REPORT_DUE_DAY = 5
    settings.KEYPROJECTS_REMIND_DAYS_BEFORE = 3
    world.owner_user.email = "chengtou@example.org"
    world.owner_user.save()
    assert remind_reports(D(2026, 11, 1)) == 0  # too early for October's report
    assert remind_reports(D(2026, 11, 2)) == 1
    assert remind_reports(D(2026, 11, 2)) == 0  # once a day at most
    assert remind_reports(D(2026, 11, 5)) == 0  # the "due" notice was sent already
    assert remind_reports(D(2026, 11, 6)) == 1  # late
    assert remind_reports(D(2026, 11, 7)) == 1  # and every day after
    kinds = list(Notification.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["report_due", "report_late", "report_late"]
    assert len(mail.outbox) == 3 and world.project.name in mail.outbox[0].subject


def test_a_submitted_report_stops_the_reminders(world):
    submit_other(world)
    report_submit(report=report_save(project=world.project, year=2026, month=10, investment=0))
    assert remind_reports(D(2026, 11, 8)) == 0


def test_missing_reports_are_flagged_late_after_the_due_day(world):
    projects = Project.objects.filter(jurisdiction=world.district)
    (a, b) = missing_reports(projects, 2026, 10, D(2026, 11, 6))
    assert a.late and b.late and a.due == D(2026, 11, 5)


def test_the_inbox(world, client_for):
    submit_other(world)
    remind_reports(D(2026, 11, 3))
    client = client_for(world.owner_user)
    page = client.get("/projects/")
    assert page.context["unread_count"] == 1
    notice = Notification.objects.get()
    response = client.post(f"/messages/{notice.pk}/open/")
    assert response["Location"] == f"/projects/{world.project.pk}/reports/2026/10/"
    assert client.get("/projects/").context["unread_count"] == 0
    assert client_for(world.office).post(f"/messages/{notice.pk}/open/").status_code == 404
