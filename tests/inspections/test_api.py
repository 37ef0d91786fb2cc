"""The JSON API a phone app uses to record an inspection on site, and its document."""

from __future__ import annotations

import json

from django.test import Client

from keyprojects.inspections.choices import HazardStatus
from keyprojects.inspections.models import Hazard, Inspection

from .conftest import TODAY, jpeg

PATHS = {
    "/api/inspection-templates/": {"get"},
    "/api/inspection-templates/{template_id}/": {"get"},
    "/api/inspections/": {"get", "post"},
    "/api/inspections/{inspection_id}/": {"get", "patch", "delete"},
    "/api/inspections/{inspection_id}/results/{position}/photo/": {"post"},
    "/api/inspections/{inspection_id}/complete/": {"post"},
    "/api/hazards/": {"get"},
    "/api/hazards/{hazard_id}/": {"get"},
    "/api/hazards/{hazard_id}/rectify/": {"post"},
    "/api/hazards/{hazard_id}/accept/": {"post"},
    "/api/hazards/{hazard_id}/return/": {"post"},
    "/api/incidents/": {"get", "post"},
    "/api/incidents/{incident_id}/": {"get"},
}


def test_the_openapi_document_lists_every_path(db):
    document = Client().get("/api/openapi.json").json()
    paths = {path: set(ops) for path, ops in document["paths"].items()}
    assert {path: paths.get(path) for path in PATHS} == PATHS
    rectify = document["paths"]["/api/hazards/{hazard_id}/rectify/"]["post"]
    assert "multipart/form-data" in rectify["requestBody"]["content"]
    schemas = document["components"]["schemas"]
    assert schemas["IncidentOut"]["properties"]["direct_loss"]["type"] == "string"


def upload(client, path, field, data, **fields):
    """A multipart post with the client's bearer token."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.client.post(path, {field: SimpleUploadedFile("p.jpg", data), **fields})


def test_a_phone_records_an_inspection_with_a_photo_and_completes_it(world, api_for, checklist,
                                                                      frozen):  # fmt: skip
    api = api_for(world.responsible_user)
    templates = api.get("/api/inspection-templates/").json()
    mine = next(t for t in templates if t["id"] == checklist.pk)
    assert [i["position"] for i in mine["items"]] == [1, 2, 3]

    created = api.post("/api/inspections/", {
        "project_id": world.project.pk, "template_id": checklist.pk,
        "template_version": mine["version"], "date": TODAY.isoformat(),
        "results": [{"position": 1, "outcome": "fail", "note": "临边无防护"},
                    {"position": 2, "outcome": "pass"}],
    })  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["inspecting_unit_id"] == world.responsible.pk
    assert [r["outcome"] for r in body["results"]] == ["fail", "pass", None]
    inspection_id = body["id"]

    photo = upload(api, f"/api/inspections/{inspection_id}/results/1/photo/", "photo", jpeg())
    assert photo.status_code == 200 and photo.json()["results"][0]["photo_url"]
    bad = upload(api, f"/api/inspections/{inspection_id}/results/2/photo/", "photo", b"text")
    assert bad.status_code == 422 and "Item 2" in json.dumps(bad.json())

    early = api.post(f"/api/inspections/{inspection_id}/complete/")
    assert early.status_code == 422 and "not yet marked: 3" in json.dumps(early.json())
    patched = api.patch(f"/api/inspections/{inspection_id}/",
                        {"results": [{"position": 3, "outcome": "na"}]})  # fmt: skip
    assert patched.json()["results"][0]["outcome"] == "fail"  # not sent: kept
    done = api.post(f"/api/inspections/{inspection_id}/complete/").json()
    assert done["status"] == "completed"
    hazard_id = done["results"][0]["hazard_id"]
    assert Hazard.objects.get(pk=hazard_id).result.photo

    again = api.patch(f"/api/inspections/{inspection_id}/", {"note": "补记"})
    assert again.status_code == 422 and "can no longer change" in json.dumps(again.json())


def test_refusals_say_why(world, api_for, checklist, frozen):
    api = api_for(world.office)
    base = {"project_id": world.project.pk, "template_id": checklist.pk, "date": "2026-06-10"}
    stale = api.post("/api/inspections/", {**base, "template_version": checklist.version - 1})
    assert stale.status_code == 422 and "template_version" in stale.json()["errors"]
    future = api.post("/api/inspections/", {**base, "date": "2026-06-11"})
    assert future.status_code == 422 and "future" in json.dumps(future.json())
    wrong = api.post("/api/inspections/", {**base, "results": [{"position": 9, "outcome": "pass"}]})
    assert wrong.status_code == 422
    unmarked = api.post("/api/inspections/", {**base, "complete": True})
    assert unmarked.status_code == 422
    assert not Inspection.objects.exists()  # nothing half-made


def test_recording_and_completing_at_once(world, api_for, checklist, frozen):
    api = api_for(world.office)
    response = api.post("/api/inspections/", {
        "project_id": world.project.pk, "template_id": checklist.pk, "date": "2026-06-10",
        "complete": True,
        "results": [{"position": 1, "outcome": "pass"}, {"position": 2, "outcome": "fail",
                     "deadline": "2026-06-20", "responsible_unit_id": world.responsible.pk},
                    {"position": 3, "outcome": "na"}],
    })  # fmt: skip
    assert response.status_code == 201, response.content
    hazard = Hazard.objects.get()
    assert (hazard.deadline.isoformat(), hazard.responsible_unit) == (
        "2026-06-20", world.responsible,
    )  # fmt: skip


def test_a_hazard_rectified_with_evidence_and_accepted(world, api_for, hazard):
    owner = api_for(world.owner_user)
    listed = owner.get("/api/hazards/").json()
    assert [h["id"] for h in listed["items"]] == [hazard.pk]
    read = owner.get(f"/api/hazards/{hazard.pk}/").json()
    assert read["status"] == "open" and read["task_id"] == hazard.task_id

    missing = owner.client.post(f"/api/hazards/{hazard.pk}/rectify/", {"text": "已整改"})
    assert missing.status_code == 422
    done = upload(owner, f"/api/hazards/{hazard.pk}/rectify/", "file", jpeg(),
                  text="已整改", version=str(read["task_version"]))  # fmt: skip
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "rectified"
    assert any(h["kind"] == "evidence" and h["file_url"] for h in body["history"])

    office = api_for(world.office)
    stale = office.post(f"/api/hazards/{hazard.pk}/accept/", {"version": read["task_version"]})
    assert stale.status_code == 422 and "Someone else" in json.dumps(stale.json())
    no_reason = office.post(f"/api/hazards/{hazard.pk}/return/", {})
    assert no_reason.status_code == 422
    accepted = office.post(f"/api/hazards/{hazard.pk}/accept/",
                           {"text": "复查合格", "version": body["task_version"]})  # fmt: skip
    assert accepted.json()["status"] == HazardStatus.CLOSED
    assert owner.get("/api/hazards/").json()["count"] == 0
    assert owner.get("/api/hazards/?status=closed").json()["count"] == 1


def test_incidents_through_the_api(world, api_for, frozen):
    api = api_for(world.owner_user)
    payload = {"project_id": world.project.pk, "occurred_on": "2026-06-09", "kind": "safety",
               "description": "高处坠落", "deaths": 1, "serious_injuries": 10,
               "direct_loss": "250000.00"}  # fmt: skip
    low = api.post("/api/incidents/", {**payload, "severity": "general"})
    assert low.status_code == 422 and "severity" in low.json()["errors"]
    created = api.post("/api/incidents/", payload)
    assert created.status_code == 201
    body = created.json()
    assert body["severity"] == "larger" and body["direct_loss"] == "250000.00"
    assert api.get(f"/api/incidents/{body['id']}/").json()["description"] == "高处坠落"
    assert api.get("/api/incidents/?severity=major").json()["count"] == 0
    assert api_for(world.leader).post("/api/incidents/", payload).status_code == 403


def test_deleting_through_the_api(world, api_for, hazard):
    inspection_id = hazard.inspection_id
    assert (
        api_for(world.owner_user).client.delete(f"/api/inspections/{inspection_id}/").status_code
        == 403
    )
    assert (
        api_for(world.office).client.delete(f"/api/inspections/{inspection_id}/").status_code == 204
    )
    assert not Inspection.objects.exists()
