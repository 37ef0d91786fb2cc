"""Meetings and visits through the JSON API: the same visibility and refusals as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from keyprojects.meetings import agenda, attendance
from keyprojects.meetings.choices import MeetingStatus
from keyprojects.meetings.models import Meeting, SiteVisit
from keyprojects.supervision.models import Task
from tests.web.test_permission_matrix import PERSONAS

from .conftest import TODAY
from .test_visits import jpeg

PATHS = {
    "/api/meetings/": {"get", "post"},
    "/api/meetings/{meeting_id}/": {"get"},
    "/api/meetings/{meeting_id}/agenda/propose/": {"post"},
    "/api/meetings/{meeting_id}/agenda/": {"post"},
    "/api/meetings/{meeting_id}/agenda/{item_id}/": {"delete"},
    "/api/meetings/{meeting_id}/attendance/": {"post", "put"},
    "/api/meetings/{meeting_id}/minutes/": {"put"},
    "/api/meetings/{meeting_id}/hold/": {"post"},
    "/api/meetings/{meeting_id}/decisions/": {"post"},
    "/api/meetings/{meeting_id}/close/": {"post"},
    "/api/meetings/{meeting_id}/cancel/": {"post"},
    "/api/visits/": {"get", "post"},
    "/api/visits/{visit_id}/": {"get"},
    "/api/visits/{visit_id}/stops/": {"post"},
    "/api/visits/{visit_id}/stops/{stop_id}/photos/": {"post"},
    "/api/visits/{visit_id}/instructions/": {"post"},
}


def test_the_openapi_document_lists_every_meeting_and_visit_path(db):
    document = Client().get("/api/openapi.json").json()
    paths = {path: set(ops) for path, ops in document["paths"].items()}
    assert {path: paths.get(path) for path in PATHS} == PATHS
    schemas = document["components"]["schemas"]
    assert "previous_decisions" in schemas["MeetingDetailOut"]["properties"]
    assert set(schemas["DecisionOutcome"]["enum"]) >= {"done", "overdue", "open", "not_issued"}


def test_no_other_capability_takes_the_names_of_these_schemas(db):
    """Schemas share one namespace in the document: a name taken twice shows one of them."""
    from ninja import Schema

    from keyprojects.meetings import choices, schemas

    document = Client().get("/api/openapi.json").json()["components"]["schemas"]
    ours = [
        obj for obj in vars(schemas).values()
        if isinstance(obj, type) and issubclass(obj, Schema) and obj.__module__ == schemas.__name__
    ]  # fmt: skip
    assert len(ours) >= 20
    for schema in ours:
        fields = {f.alias or name for name, f in schema.model_fields.items()}
        assert set(document[schema.__name__]["properties"]) == fields, schema.__name__
    for enum in (choices.MeetingStatus, choices.AgendaKind, choices.Presence,
                 choices.DecisionOutcome):  # fmt: skip
        assert set(document[enum.__name__]["enum"]) == set(enum.values), enum.__name__


def test_the_office_holds_a_meeting_through_the_api(world, api_for):
    api = api_for(world.office)
    Task.objects.create(
        jurisdiction=world.district, title="完成管线迁改方案", owner_unit=world.responsible,
        deadline=TODAY - dt.timedelta(days=3), project=world.project,
    )  # fmt: skip

    created = api.post("/api/meetings/", {"date": "2026-06-10", "place": "区政府第一会议室"})
    assert created.status_code == 201, created.json()
    meeting = created.json()
    assert meeting["status"] == "planned" and meeting["jurisdiction_id"] == world.district.pk
    base = f"/api/meetings/{meeting['id']}/"

    proposed = api.post(f"{base}agenda/propose/").json()
    assert [(i["kind"], i["text"], i["state"]) for i in proposed] == [
        ("escalated_task", "完成管线迁改方案", "overdue"),
    ]
    assert api.post(f"{base}agenda/propose/").json() == []
    row = api.post(f"{base}attendance/", {"unit_id": world.responsible.pk}).json()
    marked = api.put(f"{base}attendance/", {"marks": [{"id": row["id"], "presence": "present"}]})
    assert marked.json()[0]["presence"] == "present"
    decision = api.post(
        f"{base}decisions/",
        {"text": "一周内报送迁改方案", "owner_unit_id": world.responsible.pk,
         "deadline": "2026-06-17", "agenda_item_id": proposed[0]["id"]},
    )  # fmt: skip
    assert decision.status_code == 201 and decision.json()["outcome"] == "not_issued"
    assert decision.json()["project_id"] == world.project.pk

    held = api.post(
        f"{base}hold/", {"minutes": "研究了管线迁改问题。", "version": meeting["version"]}
    )
    assert held.status_code == 200 and held.json()["status"] == "held"
    closed = api.post(f"{base}close/", {"version": held.json()["version"]}).json()

    assert closed["status"] == "closed"
    issued = closed["decisions"][0]
    assert issued["task_id"] and issued["outcome"] == "open"
    task = Task.objects.get(pk=issued["task_id"])
    assert task.source_kind == "meeting" and task.owner_unit == world.responsible


def test_an_illegal_move_answers_422_with_the_reason(world, api_for, meeting):
    response = api_for(world.office, "en").post(
        f"/api/meetings/{meeting.pk}/close/", {"version": meeting.version}
    )
    assert response.status_code == 422
    messages = [m for ms in response.json()["errors"].values() for m in ms]
    assert "before closing it" in " ".join(messages)
    assert Meeting.objects.get().status == MeetingStatus.PLANNED


def test_a_stale_version_is_refused(world, api_for, meeting):
    api = api_for(world.office)
    api.put(f"/api/meetings/{meeting.pk}/minutes/", {"minutes": "一稿", "version": meeting.version})
    stale = api.put(
        f"/api/meetings/{meeting.pk}/minutes/", {"minutes": "旧稿", "version": meeting.version}
    )
    assert stale.status_code == 422
    assert Meeting.objects.get().minutes == "一稿"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("office", 201), ("leader", 403), ("owner_user", 403), ("auditor", 403),
     ("bystander_user", 404), ("outsider", 404), (None, 401)],
)  # fmt: skip
def test_only_the_office_records_decisions(world, api_for, decided, persona, expected):
    user = getattr(world, persona) if persona else None
    response = api_for(user).post(
        f"/api/meetings/{decided.pk}/decisions/",
        {"text": "x", "owner_unit_id": world.owner.pk, "deadline": "2026-06-20"},
    )
    assert response.status_code == expected
    assert decided.decisions.count() == (2 if expected == 201 else 1)


def test_ids_outside_the_meetings_district_are_refused(world, api_for, meeting):
    api = api_for(world.office)
    foreign_unit = world.foreign_project.owner_unit.pk
    response = api.post(
        f"/api/meetings/{meeting.pk}/decisions/",
        {"text": "x", "owner_unit_id": foreign_unit, "deadline": "2026-06-20"},
    )
    assert response.status_code == 422 and "owner_unit_id" in response.json()["errors"]
    response = api.post(
        f"/api/meetings/{meeting.pk}/agenda/", {"text": "x", "project_id": world.foreign_project.pk}
    )
    assert response.status_code == 422 and "project_id" in response.json()["errors"]


def test_a_unit_sees_only_the_meetings_and_visits_that_involve_it(world, api_for, decided, visit):
    assert api_for(world.owner_user).get("/api/meetings/").json()["count"] == 1
    assert api_for(world.bystander_user).get("/api/meetings/").json()["count"] == 0
    assert api_for(world.bystander_user).get("/api/visits/").json()["count"] == 0
    assert api_for(world.outsider).get("/api/visits/").json()["count"] == 0
    assert api_for(world.auditor).get("/api/visits/").json()["count"] == 1


def test_a_leader_on_site_records_an_instruction_and_a_photo(
    world,
    api_for,
    visit,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    api = api_for(world.leader)
    stop_id = visit.stops.get().pk
    response = api.post(
        f"/api/visits/{visit.pk}/instructions/",
        {"text": "一个月内完成管线迁改", "owner_unit_id": world.responsible.pk,
         "deadline": "2026-07-10", "stop_id": stop_id},
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["leader_id"] == world.leader.pk and body["project_id"] == world.project.pk
    assert Task.objects.get(pk=body["task_id"]).issued_by == world.leader

    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = api.client.post(
        f"/api/visits/{visit.pk}/stops/{stop_id}/photos/",
        {"photo": SimpleUploadedFile("a.jpg", jpeg()), "caption": "现场"},
    )
    assert photo.status_code == 201 and photo.json()["thumbnail_url"].startswith("http")
    detail = api.get(f"/api/visits/{visit.pk}/").json()
    assert [s["name"] for s in detail["stops"]] == ["老鼓楼衙署遗址公园"]
    assert len(detail["stops"][0]["photos"]) == 1
    assert detail["instructions"][0]["outcome"] == "open"

    refused = api_for(world.owner_user).post(
        f"/api/visits/{visit.pk}/instructions/",
        {"text": "x", "owner_unit_id": world.owner.pk, "deadline": "2026-07-10"},
    )
    assert refused.status_code == 403


def test_the_office_records_a_visit_through_the_api(world, api_for):
    api = api_for(world.office)
    created = api.post(
        "/api/visits/",
        {"date": "2026-06-10", "title": "区长现场办公", "leader_ids": [world.leader.pk],
         "unit_ids": [world.owner.pk]},
    )  # fmt: skip
    assert created.status_code == 201
    visit_id = created.json()["id"]
    stop = api.post(f"/api/visits/{visit_id}/stops/", {"project_id": world.project.pk})
    assert stop.status_code == 201 and stop.json()["stops"][0]["project_id"] == world.project.pk
    assert api.post("/api/visits/", {"date": "2026-06-10", "leader_ids": [world.owner_user.pk]}
                    ).status_code == 422  # fmt: skip
    assert api_for(world.leader).post("/api/visits/", {"date": "2026-06-10"}).status_code == 403
    assert SiteVisit.objects.count() == 1


API_PERSONAS = [*PERSONAS, None]  # None: no token


def _expect(office, leader=403, outsider=404, creator=False):
    """Units and auditors read but may not write (the bystander's unit does not even read)."""
    return {
        "office": office, "leader": leader, "owner_user": 403, "responsible_user": 403,
        "bystander_user": 403 if creator else 404, "auditor": 403,
        "outsider": outsider, None: 401,
    }  # fmt: skip


WRITES = [
    ("post", "/api/meetings/", {"date": "2026-06-20", "jurisdiction_id": "{district}"},
     _expect(201, outsider=422, creator=True)),
    ("post", "{m}agenda/propose/", {}, _expect(200)),
    ("post", "{m}agenda/", {"text": "议题"}, _expect(201)),
    ("delete", "{m}agenda/{item}/", None, _expect(204)),
    ("post", "{m}attendance/", {"name": "区长"}, _expect(201)),
    ("put", "{m}attendance/", {"marks": [{"id": "{row}", "presence": "absent"}]}, _expect(200)),
    ("put", "{m}minutes/", {"minutes": "纪要", "version": "{version}"}, _expect(200)),
    ("post", "{m}hold/", {"minutes": "纪要", "version": "{version}"}, _expect(200)),
    ("post", "{m}decisions/", {"text": "x", "owner_unit_id": "{unit}", "deadline": "2026-06-20"},
     _expect(201)),
    ("post", "{m}close/", {"version": "{version}"}, _expect(422)),
    ("post", "{m}cancel/", {"reason": "改期", "version": "{version}"}, _expect(200)),
    ("post", "/api/visits/", {"date": "2026-06-20", "jurisdiction_id": "{district}",
                              "leader_names": "区长"}, _expect(201, outsider=422, creator=True)),
    ("post", "{v}stops/", {"name": "区政府座谈会"}, _expect(201)),
    ("post", "{v}instructions/",
     {"text": "限期整改", "owner_unit_id": "{unit}", "deadline": "2026-06-20",
      "leader_name": "区长"}, _expect(201, leader=201)),
]  # fmt: skip


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.mark.parametrize("persona", API_PERSONAS)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), WRITES, ids=[f"{w[0]} {w[1]}" for w in WRITES]
)
def test_each_write_answers_each_persona_as_its_role_allows(
    world, api_for, decided, visit, persona, method, path, body, expected
):
    row = decided.attendance.get()
    attendance.attendance_mark(decided, user=world.office, marks={row.pk: ("present", "")})
    item = agenda.agenda_add(decided, user=world.office, text="甲")
    decided.refresh_from_db()
    ids = {
        "m": f"/api/meetings/{decided.pk}/", "v": f"/api/visits/{visit.pk}/", "item": item.pk,
        "row": row.pk, "version": decided.version, "district": world.district.pk,
        "unit": world.owner.pk,
    }  # fmt: skip
    api = api_for(getattr(world, persona) if persona else None)
    url = path.format(**ids)
    if method == "delete":
        response = api.client.delete(url)
    else:
        response = getattr(api, method)(url, _fill(body, ids))
    assert response.status_code == expected[persona], (persona, response.content[:300])


@pytest.mark.parametrize("persona", API_PERSONAS)
def test_a_photo_is_sent_by_the_office_or_a_leader_who_was_there(
    world, api_for, visit, settings, tmp_path, persona
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    api = api_for(getattr(world, persona) if persona else None)
    response = api.client.post(
        f"/api/visits/{visit.pk}/stops/{visit.stops.get().pk}/photos/",
        {"photo": SimpleUploadedFile("a.jpg", jpeg())},
    )
    assert response.status_code == _expect(201, leader=201)[persona]
