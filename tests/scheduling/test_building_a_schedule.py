"""Building a schedule in the app: deadline first, then activities, relations, calendars."""

import datetime as dt

from keyprojects.scheduling.models import ProjectSchedule, wall


def create(client, project, **extra):
    data = {"name": "进度计划", "days_per_week": "5", "data_date": "2026-09-28T08:00"}
    data.update(extra)
    return client.post(f"/projects/{project.pk}/schedule/new/", data)


def add(client, project, code, days, kind="task"):
    version = ProjectSchedule.objects.get(project=project).version
    return client.post(
        f"/projects/{project.pk}/schedule/activities/add/",
        {"code": code, "name": code, "kind": kind, "duration_days": days, "version": version},
    )


def link(client, project, pred, succ, kind="FS", lag="0"):
    schedule = ProjectSchedule.objects.get(project=project)
    return client.post(
        f"/projects/{project.pk}/schedule/relations/add/",
        {"predecessor": schedule.activities.get(code=pred).pk,
         "successor": schedule.activities.get(code=succ).pk, "kind": kind, "lag_days": lag,
         "version": schedule.version},
    )  # fmt: skip


def early(project, code):
    activity = ProjectSchedule.objects.get(project=project).activities.get(code=code)
    return wall(activity.early_start), wall(activity.early_finish)


def test_a_schedule_built_in_the_app_skips_the_national_day_holiday(world, client_for):
    client = client_for(world.owner_user)
    assert create(client, world.project).status_code == 302
    schedule = ProjectSchedule.objects.get(project=world.project)
    assert wall(schedule.deadline) == dt.datetime(2026, 12, 31, 17, 0)
    assert schedule.calendars.get().covered_years
    add(client, world.project, "A", "3")
    add(client, world.project, "B", "3")
    add(client, world.project, "M", "0", kind="finish_milestone")
    link(client, world.project, "A", "B")
    link(client, world.project, "B", "M")
    # A: Mon 28 – Wed 30 Sept; 1–7 Oct is the National Day holiday; B works Thu 8, Fri 9
    # and Saturday 10 Oct, a weekend day worked in exchange (调休).
    assert early(world.project, "A")[1] == dt.datetime(2026, 9, 30, 17, 0)
    assert early(world.project, "B") == (dt.datetime(2026, 10, 8, 8), dt.datetime(2026, 10, 10, 17))
    page = client.get(f"/projects/{world.project.pk}/schedule/")
    assert page.status_code == 200 and len(page.context["chart"].bars) == 3


def test_a_relation_that_closes_a_loop_is_refused(world, client_for):
    client = client_for(world.office)
    create(client, world.project)
    for code in ("A", "B", "C"):
        add(client, world.project, code, "1")
    link(client, world.project, "A", "B")
    link(client, world.project, "B", "C")
    response = link(client, world.project, "C", "A")
    message = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "→" in message
    assert ProjectSchedule.objects.get(project=world.project).relations.count() == 2


def test_a_duplicate_activity_code_is_refused(world, client_for):
    client = client_for(world.office)
    create(client, world.project)
    add(client, world.project, "A", "1")
    add(client, world.project, "A", "2")
    assert ProjectSchedule.objects.get(project=world.project).activities.count() == 1


def test_a_negative_lag_overlaps_the_activities(world, client_for):
    client = client_for(world.office)
    create(client, world.project)
    add(client, world.project, "A", "5")
    add(client, world.project, "B", "5")
    link(client, world.project, "A", "B", kind="FS", lag="-2")
    assert early(world.project, "B")[0] < early(world.project, "A")[1]


def test_a_deadline_past_the_holiday_data_is_reported_not_ignored(world, client_for):
    client = client_for(world.office)
    response = create(client, world.project, deadline="2031-06-30T17:00")
    message = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "2027" in message
    assert not ProjectSchedule.objects.filter(project=world.project).exists()


def test_the_programme_office_edits_calendar_exceptions(world, client_for):
    office = client_for(world.office)
    create(office, world.project)
    add(office, world.project, "A", "2")
    schedule = ProjectSchedule.objects.get(project=world.project)
    calendar = schedule.calendars.get()
    url = f"/projects/{world.project.pk}/schedule/calendars/"
    # A unit user may read the calendar but not change it.
    owner = client_for(world.owner_user)
    assert owner.get(url).status_code == 200
    data = {"calendar": calendar.pk, "day": "2026-09-29", "working": "0", "action": "set",
            "version": schedule.version}  # fmt: skip
    assert owner.post(url, data).status_code == 403
    assert office.post(url, data).status_code == 302
    _start, finish = early(world.project, "A")
    assert finish.date() == dt.date(2026, 9, 30)  # Mon 28, then Wed 30: Tue 29 is now off
    schedule.refresh_from_db()
    remove = {"calendar": calendar.pk, "day": "2026-09-29", "action": "remove",
              "version": schedule.version}  # fmt: skip
    office.post(url, remove)
    assert early(world.project, "A")[1].date() == dt.date(2026, 9, 29)
