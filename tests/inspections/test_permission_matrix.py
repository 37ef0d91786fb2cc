"""Every inspections page and API path × every persona, including someone from another
district: what they may read, what they may change."""

from __future__ import annotations

import pytest

from keyprojects.inspections import services
from keyprojects.inspections.choices import IncidentKind
from keyprojects.inspections.incidents import incident_save
from tests.web.test_permission_matrix import PERSONAS, expect

from .conftest import TODAY

OK, CREATED, REDIRECT, FORBIDDEN, NOT_FOUND, INVALID = 200, 201, 302, 403, 404, 422

EVERYONE = expect(**dict.fromkeys(PERSONAS, OK))
READERS = expect(
    office=OK, leader=OK, owner_user=OK, responsible_user=OK, bystander_user=NOT_FOUND,
    auditor=OK, outsider=NOT_FOUND,
)  # fmt: skip
RECORDERS = expect(
    office=OK, leader=FORBIDDEN, owner_user=OK, responsible_user=OK, bystander_user=OK,
    auditor=FORBIDDEN, outsider=OK,
)  # fmt: skip
INCIDENT_EDITORS = expect(
    office=OK, leader=FORBIDDEN, owner_user=OK, responsible_user=OK, bystander_user=NOT_FOUND,
    auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip
DRAFT_INSPECTORS = expect(
    office=OK, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=NOT_FOUND, auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip
COMPLETED_RECORD = {**DRAFT_INSPECTORS, "office": REDIRECT}
OFFICES = expect(
    office=OK, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=FORBIDDEN, auditor=FORBIDDEN, outsider=OK,
)  # fmt: skip
TEMPLATE_EDITORS = {**OFFICES, "outsider": NOT_FOUND}
OFFICE_DECIDES = expect(
    office=REDIRECT, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=NOT_FOUND, auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip

PAGES = [
    ("/inspections/", EVERYONE),
    ("/inspections/?kind=safety&status=completed&q=公园", EVERYONE),
    ("/inspections/add/", RECORDERS),
    ("/inspections/{completed}/", READERS),
    ("/inspections/{draft}/", READERS),
    ("/inspections/{draft}/record/", DRAFT_INSPECTORS),
    ("/inspections/{completed}/record/", COMPLETED_RECORD),
    ("/inspections/projects/{project}/", READERS),
    ("/inspections/hazards/", EVERYONE),
    ("/inspections/hazards/?state=overdue&severity=major&kind=safety", EVERYONE),
    ("/inspections/hazards/{hazard}/", READERS),
    ("/inspections/incidents/", EVERYONE),
    ("/inspections/incidents/?kind=safety&severity=general&q=坠落", EVERYONE),
    ("/inspections/incidents/add/", RECORDERS),
    ("/inspections/incidents/{incident}/", READERS),
    ("/inspections/incidents/{incident}/edit/", INCIDENT_EDITORS),
    ("/inspections/templates/", OFFICES),
    ("/inspections/templates/{checklist}/", TEMPLATE_EDITORS),
]

RECORD_FORM = {**DRAFT_INSPECTORS, "office": OK}  # an empty form: shown again with its errors
RECTIFIERS = expect(
    office=REDIRECT, leader=FORBIDDEN, owner_user=REDIRECT, responsible_user=FORBIDDEN,
    bystander_user=NOT_FOUND, auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip

POSTS = [
    ("/inspections/add/", {}, RECORDERS),
    ("/inspections/{draft}/record/", {}, RECORD_FORM),
    ("/inspections/{draft}/delete/", {}, OFFICE_DECIDES),
    ("/inspections/hazards/{hazard}/act/", {"action": "rectify"}, RECTIFIERS),
    ("/inspections/incidents/add/", {}, RECORDERS),
    ("/inspections/incidents/{incident}/edit/", {}, INCIDENT_EDITORS),
    ("/inspections/templates/", {}, OFFICES),
    ("/inspections/hazards/{hazard}/act/", {"action": "accept"}, OFFICE_DECIDES),
    ("/inspections/incidents/{incident}/delete/", {}, OFFICE_DECIDES),
    (
        "/inspections/templates/{checklist}/",
        {"action": "add_item", "new-text": "新条目", "new-severity": "general",
         "new-rectification_days": "3"},
        {**TEMPLATE_EDITORS, "office": REDIRECT},
    ),
]  # fmt: skip

API = [
    ("/api/inspections/", EVERYONE),
    ("/api/inspections/{completed}/", READERS),
    ("/api/hazards/", EVERYONE),
    ("/api/hazards/{hazard}/", READERS),
    ("/api/incidents/", EVERYONE),
    ("/api/incidents/{incident}/", READERS),
    ("/api/inspection-templates/", EVERYONE),
    ("/api/inspection-templates/{checklist}/", {**EVERYONE, "outsider": NOT_FOUND}),
]


@pytest.fixture
def ids(world, hazard, checklist):
    draft = services.inspection_start(
        user=world.office, project=world.project, template=checklist, date=TODAY
    )
    incident = incident_save(
        user=world.office, project=world.project, occurred_on=TODAY, kind=IncidentKind.SAFETY,
        description="高处坠落", serious_injuries=1, today=TODAY,
    )  # fmt: skip
    return {
        "completed": hazard.inspection_id, "draft": draft.pk, "hazard": hazard.pk,
        "incident": incident.pk, "checklist": checklist.pk, "project": world.project.pk,
    }  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_answers_each_persona_as_its_role_allows(
    world, client_for, ids, persona, url, expected
):
    response = client_for(world.personas()[persona]).get(url.format(**ids))
    assert response.status_code == expected[persona], (persona, url)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "data", "expected"), POSTS, ids=[p[0] for p in POSTS])
def test_each_change_answers_each_persona_as_its_role_allows(
    world, client_for, ids, persona, url, data, expected
):
    response = client_for(world.personas()[persona]).post(url.format(**ids), data)
    assert response.status_code == expected[persona], (persona, url)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), API, ids=[p[0] for p in API])
def test_each_api_path_answers_each_persona_as_its_role_allows(
    world, api_for, ids, persona, url, expected
):
    response = api_for(world.personas()[persona]).get(url.format(**ids))
    assert response.status_code == expected[persona], (persona, url, response.content[:200])


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_decisions_answer_each_persona_as_its_role_allows(world, api_for, ids, persona):
    expected = {**OFFICE_DECIDES, "office": INVALID}  # the office may, but it is not rectified
    response = api_for(world.personas()[persona]).post(f"/api/hazards/{ids['hazard']}/accept/")
    assert response.status_code == expected[persona], persona


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "path", ["/api/inspections/{draft}/", "/api/inspections/{draft}/complete/"]
)
def test_api_draft_changes_answer_each_persona_as_its_role_allows(world, api_for, ids, persona,
                                                                  path):  # fmt: skip
    # The office may; the draft is not marked, so completing it is refused with the reason.
    ok = OK if path.endswith("{draft}/") else INVALID
    expected = {**DRAFT_INSPECTORS, "office": ok}
    api = api_for(world.personas()[persona])
    url = path.format(**ids)
    response = api.patch(url, {"note": "补记"}) if ok == OK else api.post(url)
    assert response.status_code == expected[persona], (persona, response.content[:200])


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_recording_answers_each_persona_as_its_role_allows(world, api_for, ids, persona):
    expected = expect(
        office=CREATED, leader=FORBIDDEN, owner_user=CREATED, responsible_user=CREATED,
        bystander_user=FORBIDDEN, auditor=FORBIDDEN, outsider=INVALID,
    )  # fmt: skip
    payload = {"project_id": ids["project"], "template_id": ids["checklist"], "date": "2026-06-01"}
    response = api_for(world.personas()[persona]).post("/api/inspections/", payload)
    assert response.status_code == expected[persona], (persona, response.content[:200])


def test_lists_show_each_person_only_what_they_may_read(world, client_for, api_for, ids):
    for persona, sees in [("bystander_user", False), ("owner_user", True), ("outsider", False)]:
        user = world.personas()[persona]
        for url in ("/inspections/", "/inspections/hazards/?state=any", "/inspections/incidents/"):
            page = client_for(user).get(url).content.decode()
            assert (world.project.name in page) is sees, (persona, url)
        for url in ("/api/inspections/", "/api/hazards/", "/api/incidents/"):
            assert (api_for(user).get(url).json()["count"] > 0) is sees, (persona, url)


def test_a_unit_sees_the_hazards_assigned_to_it_on_other_projects(world, client_for, ids):
    from keyprojects.inspections.models import Hazard

    Hazard.objects.filter(pk=ids["hazard"]).update(responsible_unit=world.bystander_unit)
    client = client_for(world.bystander_user)
    assert client.get(f"/inspections/hazards/{ids['hazard']}/").status_code == OK
    assert client.get(f"/inspections/{ids['completed']}/").status_code == NOT_FOUND
