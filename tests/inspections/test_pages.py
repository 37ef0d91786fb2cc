"""The pages: starting and recording an inspection, a hazard's rectification, incidents, the
checklist editor, and query counts that do not grow with the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyprojects.inspections import checklists, services
from keyprojects.inspections.choices import HazardStatus, InspectionStatus, Outcome
from keyprojects.inspections.incidents import incident_save
from keyprojects.inspections.models import ChecklistTemplate, Hazard, Incident, Inspection

from .conftest import TODAY, mark, photo


def text(response) -> str:
    return response.content.decode()


def test_starting_an_inspection(world, client_for, checklist, frozen):
    client = client_for(world.responsible_user)
    form = text(client.get(f"/inspections/add/?project={world.project.pk}"))
    assert checklist.name in form and world.other_project.name not in form
    refused = client.post("/inspections/add/", {
        "project": world.project.pk, "template": checklist.pk, "inspectors": "安监站",
        "date": (TODAY + dt.timedelta(days=1)).isoformat(),
    })  # fmt: skip
    assert refused.status_code == 200 and "future" in text(refused)
    response = client.post("/inspections/add/", {
        "project": world.project.pk, "template": checklist.pk, "inspectors": "安监站",
        "date": TODAY.isoformat(),
    })  # fmt: skip
    inspection = Inspection.objects.get()
    assert response["Location"] == f"/inspections/{inspection.pk}/record/"
    assert inspection.inspecting_unit == world.responsible


def post_record(client, inspection, outcomes, *, complete=False, files=None, **extra):
    data = {"date": TODAY.isoformat(), "inspectors": inspection.inspectors, "note": ""}
    for result, outcome in zip(inspection.results.order_by("position"), outcomes, strict=True):
        data[f"r{result.pk}-outcome"] = outcome
        data[f"r{result.pk}-note"] = extra.get("notes", {}).get(result.position, "")
        data[f"r{result.pk}-deadline"] = ""
        data[f"r{result.pk}-responsible_unit"] = ""
    for position, upload in (files or {}).items():
        data[f"r{inspection.results.get(position=position).pk}-photo"] = upload
    if complete:
        data["complete"] = "1"
    return client.post(f"/inspections/{inspection.pk}/record/", data)


def test_recording_and_completing_on_the_record_page(world, client_for, draft):
    client = client_for(world.office)
    page = text(client.get(f"/inspections/{draft.pk}/record/"))
    assert page.count('data-testid="fail"') == 3 and 'capture="environment"' in page

    saved = post_record(client, draft, ["fail", "pass", ""], notes={1: "临边无防护"},
                        files={1: photo()})  # fmt: skip
    assert saved.status_code == 302 and saved["Location"].endswith("/record/")
    first = draft.results.get(position=1)
    assert (first.outcome, first.note, bool(first.photo)) == ("fail", "临边无防护", True)

    unmarked = post_record(client, draft, ["fail", "pass", ""], complete=True)
    assert unmarked["Location"].endswith("/record/")
    assert Inspection.objects.get(pk=draft.pk).status == InspectionStatus.DRAFT
    message = text(client.get(unmarked["Location"]))
    assert "not yet marked: 3" in message

    done = post_record(client, draft, ["fail", "pass", "na"], notes={1: "临边无防护"},
                       complete=True)  # fmt: skip
    assert done["Location"] == f"/inspections/{draft.pk}/"
    hazard = Hazard.objects.get()
    assert hazard.description == "临边、洞口防护到位：临边无防护"
    assert draft.results.get(position=1).photo  # the photo kept when not sent again
    detail = text(client.get(done["Location"]))
    assert f"/inspections/hazards/{hazard.pk}/" in detail and "1 passed, 1 failed" in detail


def test_a_bad_photo_changes_nothing_and_says_which_item(world, client_for, draft):
    bad = SimpleUploadedFile("x.jpg", b"not a photo")
    response = post_record(client_for(world.office), draft, ["pass", "fail", "pass"],
                           files={2: bad})  # fmt: skip
    assert response.status_code == 200 and "Item 2" in text(response)
    assert not draft.results.exclude(outcome="").exists()


def test_a_hazard_is_rectified_and_accepted_on_its_page(world, client_for, hazard):
    owner = client_for(world.owner_user)
    url = f"/inspections/hazards/{hazard.pk}/"
    page = text(owner.get(url))
    assert 'data-testid="rectify-form"' in page and 'data-testid="decide-form"' not in page
    act = url + "act/"
    version = Hazard.objects.get(pk=hazard.pk).task.version
    owner.post(act, {"action": "rectify", "text": "已整改", "version": version})
    assert "photo or file" in text(owner.get(url))
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.OPEN
    owner.post(act, {"action": "rectify", "text": "已整改", "version": version, "file": photo()})
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.RECTIFIED

    office = client_for(world.office)
    page = text(office.get(url))
    assert 'data-testid="decide-form"' in page and 'data-testid="evidence"' in page
    stale = office.post(act, {"action": "accept", "version": version})
    assert stale.status_code == 302 and "Someone else" in text(office.get(url))
    version = Hazard.objects.get(pk=hazard.pk).task.version
    office.post(act, {"action": "return", "text": "", "version": version})
    assert "why" in text(office.get(url))
    office.post(act, {"action": "accept", "text": "复查合格", "version": version})
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.CLOSED


def test_the_inspecting_unit_accepts_on_the_hazard_page(world, client_for, found_by_a_department):
    hazard = found_by_a_department
    url = f"/inspections/hazards/{hazard.pk}/"
    checker = client_for(world.bystander_user)
    assert 'data-testid="decide-form"' not in text(checker.get(url))  # nothing to check yet
    services.hazard_rectify(user=world.owner_user, hazard=hazard, upload=photo())
    assert 'data-testid="decide-form"' in text(checker.get(url))
    assert 'data-testid="decide-form"' not in text(client_for(world.owner_user).get(url))
    version = Hazard.objects.get(pk=hazard.pk).task.version
    checker.post(url + "act/", {"action": "accept", "text": "复查合格", "version": version})
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.CLOSED


def test_the_hazard_list_filters(world, client_for, hazard, frozen):
    client = client_for(world.office)
    assert hazard.description in text(client.get("/inspections/hazards/"))
    assert hazard.description not in text(client.get("/inspections/hazards/?state=overdue"))
    assert hazard.description not in text(client.get("/inspections/hazards/?severity=general"))
    assert hazard.description in text(client.get(f"/inspections/hazards/?unit={world.owner.pk}"))
    frozen.move_to(dt.datetime(2026, 6, 12, 1, tzinfo=dt.UTC))
    assert hazard.description in text(client.get("/inspections/hazards/?state=overdue"))


def test_recording_and_correcting_an_incident(world, client_for, frozen):
    client = client_for(world.owner_user)
    data = {
        "project": world.project.pk, "occurred_on": TODAY.isoformat(), "kind": "safety",
        "severity": "general", "deaths": 3, "serious_injuries": 0, "direct_loss": "12.5",
        "description": "塔吊倒塌", "measures": "",
    }  # fmt: skip
    refused = client.post("/inspections/incidents/add/", data)
    assert refused.status_code == 200 and "at least" in text(refused)
    assert not Incident.objects.exists()
    data["severity"] = ""
    saved = client.post("/inspections/incidents/add/", data)
    incident = Incident.objects.get()
    assert saved["Location"] == f"/inspections/incidents/{incident.pk}/"
    assert incident.severity == "larger" and incident.direct_loss == 125000
    data.update(measures="停工整顿", version=incident.version)
    client.post(f"/inspections/incidents/{incident.pk}/edit/", data)
    assert Incident.objects.get().measures == "停工整顿"
    stale = client.post(f"/inspections/incidents/{incident.pk}/edit/", data)
    assert stale.status_code == 200 and "Someone else" in text(stale)
    record = text(client.get(f"/inspections/projects/{world.project.pk}/"))
    assert "塔吊倒塌" in record


def test_the_checklist_editor(world, client_for, checklist, frozen):
    client = client_for(world.office)
    url = f"/inspections/templates/{checklist.pk}/"
    first = checklist.items.get(position=1)
    client.post(url, {"action": "add_item", "new-text": "扬尘治理", "new-category": "扬尘治理",
                      "new-severity": "general", "new-rectification_days": "2"})  # fmt: skip
    client.post(url, {"action": "down", "item": first.pk})
    client.post(url, {"action": "save_item", "item": first.pk, f"i{first.pk}-text": "临边防护",
                      f"i{first.pk}-severity": "major",
                      f"i{first.pk}-rectification_days": "0"})  # fmt: skip
    assert "Ensure this value is greater than or equal to 1" in text(client.get(url))
    client.post(url, {"action": "save_template", "name": "安全检查表（2026版）", "kind": "safety"})
    items = list(checklist.items.values_list("text", flat=True))
    assert items == ["施工用电一机一闸一漏一箱", "临边、洞口防护到位", "消防通道畅通", "扬尘治理"]
    checklist.refresh_from_db()
    assert checklist.name == "安全检查表（2026版）" and not checklist.active  # unticked
    assert checklist.version == 4

    added = client.post("/inspections/templates/", {"name": "新表", "kind": "quality",
                                                    "active": "on"})  # fmt: skip
    new = ChecklistTemplate.objects.get(name="新表")
    assert added["Location"] == f"/inspections/templates/{new.pk}/"
    client.post(f"/inspections/templates/{new.pk}/", {"action": "delete_template"})
    assert not ChecklistTemplate.objects.filter(pk=new.pk).exists()


def test_a_city_checklist_is_read_only_for_a_district_office(world, client_for):
    city = ChecklistTemplate.objects.create(jurisdiction=world.city, kind="safety", name="市表")
    checklists.template_item_save(user=_superuser(), template=city, text="条目")
    client = client_for(world.office)
    page = text(client.get(f"/inspections/templates/{city.pk}/"))
    assert 'data-testid="add-item"' not in page
    client.post(f"/inspections/templates/{city.pk}/", {"action": "delete_template"})
    assert ChecklistTemplate.objects.filter(pk=city.pk).exists()


def _superuser():
    from tests.factories import UserFactory

    return UserFactory(username="root", is_superuser=True, role="")


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def more(world, checklist, n):
    for _ in range(n):
        draft = services.inspection_start(
            user=world.office, project=world.other_project, template=checklist, date=TODAY
        )
        mark(draft, world.office, Outcome.FAIL, Outcome.FAIL, Outcome.PASS)
        services.inspection_complete(user=world.office, inspection=draft)
        incident_save(user=world.office, project=world.other_project, occurred_on=TODAY,
                      kind="quality", description="x", today=TODAY)  # fmt: skip


@pytest.mark.parametrize(
    "url",
    ["/inspections/", "/inspections/hazards/?state=any", "/inspections/incidents/",
     "/inspections/projects/{project}/", "/inspections/templates/", "/api/inspections/",
     "/api/hazards/", "/api/incidents/"],
)  # fmt: skip
def test_queries_do_not_grow_with_the_lists(world, client_for, checklist, hazard, url):
    client = client_for(world.office)
    url = url.format(project=world.other_project.pk)
    more(world, checklist, 1)
    before = count_queries(client, url)
    more(world, checklist, 4)
    assert count_queries(client, url) == before


def test_the_record_page_queries_do_not_grow_with_the_items(world, client_for, draft, frozen):
    client = client_for(world.office)
    small = count_queries(client, f"/inspections/{draft.pk}/record/")
    checklists.templates_ensure(jurisdiction=world.city)
    big = ChecklistTemplate.objects.get(name="建筑施工安全生产检查表")
    large = services.inspection_start(
        user=world.office, project=world.project, template=big, date=TODAY
    )
    assert large.results.count() > 10
    assert count_queries(client, f"/inspections/{large.pk}/record/") == small


def _as_shown(client, inspection) -> dict[str, str]:
    """What the recording page posts back unchanged: each field's value and, hidden, the
    value the page showed (read from the page itself)."""
    import re

    page = text(client.get(f"/inspections/{inspection.pk}/record/"))
    data: dict[str, str] = {}
    for tag in re.findall(r"<(?:input|textarea|select)[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name is None or 'type="file"' in tag or 'type="checkbox"' in tag:
            continue
        if 'type="radio"' in tag and "checked" not in tag:
            continue
        data.setdefault(name.group(1), value.group(1) if value else "")
    for result in inspection.results.all():  # the drawn fields, as the page shows them
        data.setdefault(f"r{result.pk}-outcome", result.outcome)
        data[f"r{result.pk}-responsible_unit"] = str(result.responsible_unit_id or "")
    data["inspectors"] = inspection.inspectors
    data["note"] = inspection.note
    data.pop("csrfmiddlewaretoken", None)
    return data


def test_two_inspectors_recording_the_same_draft_keep_each_others_items(world, client_for, draft):
    first, second = client_for(world.office), client_for(world.office)
    one, two = (r.pk for r in draft.results.order_by("position")[:2])
    page_one, page_two = _as_shown(first, draft), _as_shown(second, draft)
    assert f"initial-r{one}-outcome" in page_one  # the page says what it showed
    page_one[f"r{one}-outcome"] = "fail"
    page_one[f"r{one}-note"] = "5层东侧临边无防护"
    assert first.post(f"/inspections/{draft.pk}/record/", page_one).status_code == 302
    page_two[f"r{two}-outcome"] = "pass"  # read before the first save
    assert second.post(f"/inspections/{draft.pk}/record/", page_two).status_code == 302
    results = {r.pk: r for r in draft.results.all()}
    assert (results[one].outcome, results[one].note) == ("fail", "5层东侧临边无防护")
    assert results[two].outcome == "pass"


def test_the_same_item_changed_by_two_is_reported_and_nothing_is_lost(world, client_for, draft):
    first, second = client_for(world.office), client_for(world.office)
    one, two = (r.pk for r in draft.results.order_by("position")[:2])
    page_one, page_two = _as_shown(first, draft), _as_shown(second, draft)
    page_one[f"r{one}-outcome"] = "fail"
    first.post(f"/inspections/{draft.pk}/record/", page_one)
    page_two[f"r{one}-outcome"] = "pass"
    page_two[f"r{two}-note"] = "配电箱已上锁"
    response = second.post(f"/inspections/{draft.pk}/record/", page_two, follow=True)
    assert response.status_code == 200
    assert "Someone else changed item 1, result" in text(response)
    results = {r.pk: r for r in draft.results.all()}
    assert results[one].outcome == "fail"  # theirs is kept
    assert results[two].note == "配电箱已上锁"  # the rest of yours is saved
    # Yours is still on the page, over theirs; saving again keeps it.
    again = {k: v for k, v in response.context["forms"][0].data.items()}
    assert again[f"r{one}-outcome"] == "pass" and again[f"initial-r{one}-outcome"] == "fail"
    second.post(f"/inspections/{draft.pk}/record/", again)
    assert draft.results.get(pk=one).outcome == "pass"
    assert draft.results.get(pk=two).note == "配电箱已上锁"
