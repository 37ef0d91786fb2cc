"""Meeting and visit pages as every persona, the workflow through the pages, and query counts
that do not grow with the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keyprojects.meetings import agenda, attendance, services, visits
from keyprojects.meetings.agenda import agenda_propose
from keyprojects.meetings.choices import MeetingStatus
from keyprojects.meetings.models import AgendaItem, Attendance, Decision, Meeting, SiteVisit
from keyprojects.supervision import services as tasks
from keyprojects.supervision.models import Task
from tests.web.test_permission_matrix import PERSONAS, expect

from .conftest import TODAY, hold
from .test_visits import jpeg

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404

EVERYONE = expect(**dict.fromkeys(PERSONAS, OK))
OFFICES = expect(
    office=OK, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=FORBIDDEN, auditor=FORBIDDEN, outsider=OK,
)  # fmt: skip
# The owner unit is invited and owns world.project, the responsible unit is given a decision
# about it and answers for it; the bystander unit has nothing to do with either.
READERS = expect(
    office=OK, leader=OK, owner_user=OK, responsible_user=OK, bystander_user=NOT_FOUND,
    auditor=OK, outsider=NOT_FOUND,
)  # fmt: skip
RUNNERS = expect(
    office=OK, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=NOT_FOUND, auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip
INSTRUCTORS = {**RUNNERS, "leader": OK}

PAGES = [
    ("/meetings/", EVERYONE),
    ("/meetings/?status=planned&year=2026&q=调度", EVERYONE),
    ("/meetings/add/", OFFICES),
    ("/meetings/{meeting}/", READERS),
    ("/meetings/{meeting}/edit/", RUNNERS),
    ("/meetings/{meeting}/decisions/{decision}/", RUNNERS),
    ("/visits/", EVERYONE),
    ("/visits/?year=2026&q=老鼓楼", EVERYONE),
    ("/visits/add/", OFFICES),
    ("/visits/{visit}/", READERS),
    ("/visits/{visit}/edit/", RUNNERS),
    ("/visits/{visit}/stops/{stop}/", RUNNERS),
    ("/visits/{visit}/instructions/add/", INSTRUCTORS),
    ("/api/meetings/", EVERYONE),
    ("/api/meetings/{meeting}/", READERS),
    ("/api/visits/", EVERYONE),
    ("/api/visits/{visit}/", READERS),
]


def _ids(decided, visit):
    return {
        "meeting": decided.pk,
        "decision": decided.decisions.get().pk,
        "visit": visit.pk,
        "stop": visit.stops.get().pk,
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_answers_each_persona_as_its_role_allows(
    world, client_for, decided, visit, persona, url, expected
):
    user = world.personas()[persona]
    response = client_for(user).get(url.format(**_ids(decided, visit)))
    assert response.status_code == expected[persona], (persona, url)


WRITERS = {**RUNNERS, "office": REDIRECT}
LEADER_TOO = {**WRITERS, "leader": REDIRECT}
# Another district's office may plan its own meetings: its form refuses this district.
CREATORS = {**OFFICES, "office": REDIRECT}
LATER = "2026-06-20"
ACTIONS = [
    ("/meetings/add/", {"jurisdiction": "{district}", "date": LATER}, CREATORS),
    ("/meetings/{meeting}/edit/", {"date": LATER, "place": "第三会议室"}, WRITERS),
    ("/meetings/{meeting}/act/", {"action": "propose"}, WRITERS),
    ("/meetings/{meeting}/act/", {"action": "invite"}, WRITERS),
    ("/meetings/{meeting}/act/", {"action": "minutes", "minutes": "纪要"}, WRITERS),
    ("/meetings/{meeting}/act/", {"action": "hold", "minutes": "纪要"}, WRITERS),
    ("/meetings/{meeting}/act/", {"action": "close"}, WRITERS),
    ("/meetings/{meeting}/act/", {"action": "cancel", "reason": "改期"}, WRITERS),
    ("/meetings/{meeting}/act/", {"action": "delete"}, WRITERS),
    ("/meetings/{meeting}/agenda/", {"agenda-kind": "other", "agenda-text": "议题"}, WRITERS),
    ("/meetings/{meeting}/agenda/{item}/", {"action": "up"}, WRITERS),
    ("/meetings/{meeting}/agenda/{item}/", {"action": "remove"}, WRITERS),
    ("/meetings/{meeting}/attendance/", {"attend-name": "区长"}, WRITERS),
    ("/meetings/{meeting}/attendance/mark/", {"presence_{row}": "present"}, WRITERS),
    ("/meetings/{meeting}/attendance/{row}/remove/", {}, WRITERS),
    ("/meetings/{meeting}/decisions/",
     {"decision-text": "新决定", "decision-owner_unit": "{unit}", "decision-deadline": LATER},
     WRITERS),
    ("/meetings/{meeting}/decisions/{decision}/",
     {"decision-text": "改", "decision-owner_unit": "{unit}", "decision-deadline": LATER},
     WRITERS),
    ("/meetings/{meeting}/decisions/{decision}/", {"action": "remove"}, WRITERS),
    ("/visits/add/", {"jurisdiction": "{district}", "date": LATER, "leader_names": "区长"},
     CREATORS),
    ("/visits/{visit}/edit/", {"date": "2026-06-10", "leader_names": "区长"}, WRITERS),
    ("/visits/{visit}/stops/", {"stop-name": "区政府座谈会"}, WRITERS),
    ("/visits/{visit}/stops/{stop}/", {"name": "老鼓楼", "findings": "到岗率九成"}, WRITERS),
    ("/visits/{visit}/stops/{stop}/act/", {"action": "down"}, WRITERS),
    ("/visits/{visit}/stops/{stop}/act/", {"action": "remove"}, WRITERS),
    ("/visits/{visit}/stops/{stop}/photos/", {"caption": "现场"}, LEADER_TOO),
    ("/visits/{visit}/photos/{photo}/remove/", {}, WRITERS),
    ("/visits/{visit}/instructions/add/",
     {"text": "限期整改", "owner_unit": "{unit}", "deadline": LATER, "leader_name": "区长"},
     LEADER_TOO),
    ("/visits/{visit}/delete/", {}, WRITERS),
]  # fmt: skip


def _state():
    return (
        list(Meeting.objects.values_list("status", "minutes", "version", "place")),
        list(AgendaItem.objects.values_list("order", "text")),
        list(Attendance.objects.values_list("presence", flat=True)),
        list(Decision.objects.values_list("text", flat=True)),
        list(SiteVisit.objects.values_list("leader_names", flat=True)),
        list(visits.VisitStop.objects.values_list("name", "findings", "order")),
        visits.VisitPhoto.objects.count(),
        Task.objects.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("url", "data", "expected"), ACTIONS, ids=[f"{a[0]}{sorted(a[1])}" for a in ACTIONS]
)
def test_only_the_office_changes_meetings_and_visits(
    world, client_for, decided, visit, settings, tmp_path, persona, url, data, expected
):
    settings.MEDIA_ROOT = tmp_path
    agenda.agenda_add(decided, user=world.office, text="甲")
    agenda.agenda_add(decided, user=world.office, text="乙")
    known = _ids(decided, visit)
    stop = visit.stops.get()
    visits.stop_add(visit, user=world.office, name="区政府座谈会")
    photo = visits.photo_add(stop, user=world.office, data=jpeg())
    ids = {
        **known,
        "row": decided.attendance.get().pk,
        "item": decided.agenda.last().pk,
        "photo": photo.pk,
        "district": world.district.pk,
        "unit": world.owner.pk,
    }
    data = {k.format(**ids): v.format(**ids) for k, v in data.items()}
    data.setdefault("version", str(Meeting.objects.get(pk=decided.pk).version))
    before = _state()
    response = client_for(world.personas()[persona]).post(url.format(**ids), data)
    assert response.status_code == expected[persona], (persona, url)
    if expected[persona] != REDIRECT:
        assert _state() == before


@pytest.mark.parametrize(
    "url", ["/meetings/", "/meetings/1/", "/visits/", "/visits/1/", "/visits/1/instructions/add/"]
)
def test_signed_out_visitors_are_sent_to_sign_in(db, url):
    response = Client().get(url)
    assert response.status_code == REDIRECT and response["Location"].startswith("/login/")


def test_holding_a_meeting_through_the_pages(world, client_for, meeting):
    office = client_for(world.office)
    overdue = tasks.create_task(
        title="完成管线迁改方案", owner_unit=world.responsible, project=world.project,
        deadline=TODAY - dt.timedelta(days=2),
    )  # fmt: skip

    page = office.post(f"/meetings/{meeting.pk}/act/", {"action": "propose"}, follow=True)
    assert "完成管线迁改方案" in page.content.decode()
    item = meeting.agenda.get()
    assert item.source == overdue
    office.post(f"/meetings/{meeting.pk}/act/", {"action": "invite"})
    rows = list(meeting.attendance.order_by("id"))
    assert [r.unit for r in rows] == [world.owner, world.responsible]
    marks = {f"presence_{rows[0].pk}": "present", f"presence_{rows[1].pk}": "delegate",
             f"delegate_{rows[1].pk}": "王科长"}  # fmt: skip
    office.post(f"/meetings/{meeting.pk}/attendance/mark/", marks)
    office.post(
        f"/meetings/{meeting.pk}/decisions/",
        {"decision-text": "区住房城市建委一周内报送迁改方案", "decision-agenda_item": item.pk,
         "decision-owner_unit": world.responsible.pk, "decision-deadline": "2026-06-17"},
    )  # fmt: skip
    meeting.refresh_from_db()
    page = office.post(
        f"/meetings/{meeting.pk}/act/",
        {"action": "hold", "minutes": "会议研究了管线迁改问题。", "version": meeting.version},
        follow=True,
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    page = office.post(
        f"/meetings/{meeting.pk}/act/", {"action": "close", "version": meeting.version},
        follow=True,
    )  # fmt: skip

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED
    decision = meeting.decisions.get()
    assert decision.project == world.project and decision.task.owner_unit == world.responsible
    text = page.content.decode()
    assert f"/tasks/{decision.task.pk}/" in text
    assert 'name="minutes"' not in text  # final: no longer a form


def test_a_refusal_is_shown_and_changes_nothing(world, client_for, meeting):
    page = client_for(world.office).post(
        f"/meetings/{meeting.pk}/act/", {"action": "close", "version": meeting.version},
        follow=True,
    )  # fmt: skip
    assert page.status_code == 200
    assert "alert-danger" in page.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_a_bad_form_is_shown_again_with_its_errors(world, client_for, meeting):
    response = client_for(world.office).post(
        f"/meetings/{meeting.pk}/decisions/",
        {"decision-text": "x", "decision-owner_unit": world.owner.pk, "decision-deadline": "x"},
    )
    assert response.status_code == 422
    assert 'data-field="deadline"' in response.content.decode()
    assert not Decision.objects.exists()


def test_the_next_meeting_page_opens_with_the_last_ones_decisions(world, client_for, decided):
    hold(decided, world.office)
    services.meeting_close(decided, user=world.office)
    decision = decided.decisions.get()
    tasks.task_submit(decision.task, user=world.responsible_user, text="已完成")
    tasks.task_accept(decision.task, user=world.office)
    following = services.meeting_create(
        user=world.office, jurisdiction=world.district, date=TODAY + dt.timedelta(days=14)
    )

    page = client_for(world.leader).get(f"/meetings/{following.pk}/").content.decode()

    opening = page.split('data-testid="opening"')[1].split('id="agenda"')[0]
    assert decided.title in opening and decision.text in opening
    assert 'data-outcome="done"' in opening


def test_a_meeting_page_is_read_only_for_readers(world, client_for, decided):
    page = client_for(world.auditor).get(f"/meetings/{decided.pk}/").content.decode()
    assert 'data-testid="propose"' not in page and 'name="minutes"' not in page
    assert "区住房城市建委牵头完成管线迁改方案" in page


def test_the_leader_records_an_instruction_from_a_phone_form(world, client_for, visit):
    stop = visit.stops.get()
    leader = client_for(world.leader)
    form = leader.get(f"/visits/{visit.pk}/instructions/add/?stop={stop.pk}").content.decode()
    assert 'name="leader_name"' not in form  # a leader records their own
    assert f'value="{world.responsible.pk}" selected' in form  # the project's responsible unit

    response = leader.post(
        f"/visits/{visit.pk}/instructions/add/",
        {"stop": stop.pk, "text": "一个月内完成管线迁改", "owner_unit": world.responsible.pk,
         "deadline": "2026-07-10"},
    )  # fmt: skip

    task = Task.objects.get()
    assert response.status_code == REDIRECT and task.issued_by == world.leader
    page = client_for(world.responsible_user).get(f"/visits/{visit.pk}/").content.decode()
    assert "一个月内完成管线迁改" in page and f"/tasks/{task.pk}/" in page


def test_photos_are_uploaded_to_a_stop_and_served_to_signed_in_people(
    world, client_for, visit, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    stop = visit.stops.get()
    upload = SimpleUploadedFile("site.jpg", jpeg(), content_type="image/jpeg")
    client_for(world.leader).post(
        f"/visits/{visit.pk}/stops/{stop.pk}/photos/", {"photos": [upload], "caption": "现场"}
    )
    photo = stop.photos.get()
    page = client_for(world.owner_user).get(f"/visits/{visit.pk}/").content.decode()
    assert photo.thumbnail.url in page
    assert client_for(world.owner_user).get(photo.thumbnail.url).status_code == OK
    assert Client().get(photo.thumbnail.url).status_code == REDIRECT


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == OK
    return len(queries)


def _grow_meeting(world, meeting, n, start=0):
    for i in range(start, start + n):
        item = agenda.agenda_add(meeting, user=world.office, text=f"议题{i}", unit=world.owner,
                                   project=world.project)  # fmt: skip
        attendance.attendance_add(meeting, user=world.office, name=f"参会人{i}")
        services.decision_add(
            meeting, user=world.office, text=f"决定{i}", owner_unit=world.owner,
            deadline=TODAY + dt.timedelta(days=9), agenda_item=item, project=world.project,
        )  # fmt: skip


def test_query_counts_do_not_grow_with_the_rows(world, client_for, decided, visit):
    office = client_for(world.office)
    hold(decided, world.office)
    services.meeting_close(decided, user=world.office)
    nxt = services.meeting_create(user=world.office, jurisdiction=world.district, date=TODAY)
    _grow_meeting(world, nxt, 2)
    tasks.create_task(title="逾期", owner_unit=world.owner, deadline=TODAY - dt.timedelta(days=1))
    agenda_propose(nxt, user=world.office)
    urls = [
        "/meetings/", f"/meetings/{nxt.pk}/", "/visits/", f"/visits/{visit.pk}/",
        f"/api/meetings/{nxt.pk}/", f"/api/visits/{visit.pk}/",
    ]  # fmt: skip
    small = {url: _count(office, url) for url in urls}

    _grow_meeting(world, nxt, 6, start=2)
    for i in range(5):
        other = services.meeting_create(user=world.office, jurisdiction=world.district, date=TODAY)
        _grow_meeting(world, other, 1)
        extra = visits.visit_create(
            user=world.office, jurisdiction=world.district, date=TODAY, leaders=[world.leader]
        )
        visits.stop_add(extra, user=world.office, name=f"地点{i}")
        stop = visits.stop_add(visit, user=world.office, name=f"站点{i}")
        visits.instruction_add(
            visit, user=world.leader, stop=stop, text=f"批示{i}", owner_unit=world.owner,
            deadline=TODAY + dt.timedelta(days=5),
        )  # fmt: skip

    large = {url: _count(office, url) for url in urls}
    assert large == small
