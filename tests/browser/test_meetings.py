"""Holding a dispatch meeting in the browser: the agenda proposed, attendance recorded, a
decision issued as a task, and the next meeting opening with it. Then a leader on site
records an instruction from a phone."""

import datetime as dt

from django.utils import timezone

from keyprojects.meetings import services, visits
from keyprojects.meetings.models import Meeting
from keyprojects.supervision import services as tasks
from keyprojects.supervision.models import Task

from .conftest import sign_in


def test_holding_a_meeting_and_the_next_one_opening_with_its_decision(world, page):
    today = timezone.localdate()
    tasks.create_task(
        title="完成管线迁改方案", owner_unit=world.owner, project=world.project,
        deadline=today - dt.timedelta(days=4), issued_by=world.office,
    )  # fmt: skip
    page.on("dialog", lambda dialog: dialog.accept())

    sign_in(page, "office")
    page.goto("/meetings/")
    page.click("[data-testid=add-meeting]")
    page.fill("#id_date", today.isoformat())
    page.fill("#id_place", "区政府第一会议室")
    page.select_option("#id_chair", str(world.leader.pk))
    page.click("[data-testid=save]")
    page.wait_for_url("**/meetings/*/")
    meeting = Meeting.objects.get()
    assert "区政府第一会议室" in page.content()

    page.click("[data-testid=propose]")
    page.wait_for_url(f"**/meetings/{meeting.pk}/#agenda")
    agenda = page.locator("[data-testid=agenda] tbody")
    assert "完成管线迁改方案" in agenda.inner_text()
    assert agenda.locator("[data-outcome=overdue]").count() == 1

    page.click("[data-testid=invite]")
    page.wait_for_url(f"**/meetings/{meeting.pk}/#attendance")
    presence = page.locator("[data-testid=presence]")
    assert presence.count() == 1
    presence.first.select_option("present")
    page.click("[data-testid=save-attendance]")
    page.wait_for_url(f"**/meetings/{meeting.pk}/#attendance")

    page.locator("[data-testid=decision-form]").evaluate("f => f.closest('details').open = true")
    page.fill("#id_decision-text", "区城投公司一周内报送管线迁改方案")
    page.select_option("#id_decision-agenda_item", index=1)
    page.select_option("#id_decision-owner_unit", str(world.owner.pk))
    page.fill("#id_decision-deadline", (today + dt.timedelta(days=7)).isoformat())
    page.click("[data-testid=add-decision]")
    page.wait_for_url(f"**/meetings/{meeting.pk}/#decisions")
    assert "区城投公司一周内报送管线迁改方案" in page.inner_text("[data-testid=decisions]")

    page.fill("[data-testid=minutes]", "会议研究了管线迁改问题，明确了责任单位和时限。")
    page.click("[data-testid=hold]")
    page.wait_for_selector("[data-testid=meeting-status][data-status=held]")
    page.click("[data-testid=close]")
    page.wait_for_selector("[data-testid=meeting-status][data-status=closed]")

    decision = meeting.decisions.get()
    task = Task.objects.get(pk=decision.task_id)
    assert task.owner_unit == world.owner and task.project == world.project
    assert f"/tasks/{task.pk}/" in page.inner_html("[data-testid=decisions]")

    following = services.meeting_create(
        user=world.office, jurisdiction=world.district, date=today + dt.timedelta(days=14)
    )
    page.goto("/meetings/")
    page.click(f"text={following.title}")
    page.wait_for_url(f"**/meetings/{following.pk}/")
    opening = page.locator("[data-testid=opening]")
    assert meeting.title in opening.inner_text()
    assert "区城投公司一周内报送管线迁改方案" in opening.inner_text()
    assert opening.locator("[data-outcome=open]").count() >= 1
    page.click("[data-testid=propose]")
    page.wait_for_url(f"**/meetings/{following.pk}/#agenda")
    assert "区城投公司一周内报送管线迁改方案" in page.inner_text("[data-testid=agenda]")


def test_a_leader_records_an_instruction_on_site_from_a_phone(world, phone):
    today = timezone.localdate()
    visit = visits.visit_create(
        user=world.office, jurisdiction=world.district, date=today, title="分管副区长现场办公",
        leaders=[world.leader],
    )  # fmt: skip
    visits.stop_add(visit, user=world.office, project=world.project, findings="管线迁改滞后")

    sign_in(phone, "leader")
    phone.goto(f"/visits/{visit.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click("[data-testid=stop-instruction]")
    phone.wait_for_url(f"**/visits/{visit.pk}/instructions/add/?stop=*")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.fill("#id_text", "一个月内完成管线迁改，每周报告进展")
    phone.fill("#id_deadline", (today + dt.timedelta(days=30)).isoformat())
    phone.click("[data-testid=save]")
    phone.wait_for_url(f"**/visits/{visit.pk}/#instruction-*")

    instruction = phone.locator("[data-testid=instruction]")
    assert "一个月内完成管线迁改" in instruction.inner_text()
    task = Task.objects.get()
    assert task.issued_by == world.leader and task.owner_unit == world.responsible
