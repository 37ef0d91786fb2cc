import datetime as dt

import pytest

from keyprojects.approvals.models import ProcedureStep, ProcedureTemplate, StepStatus
from keyprojects.approvals.services import (
    blocking_steps,
    checklist_create,
    durations,
    templates_ensure,
)
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import Project

from ..factories import ProjectFactory


@pytest.fixture
def waiting(world):
    return ProjectFactory(
        jurisdiction=world.district, name="待开工项目", owner_unit=world.owner,
        responsible_unit=world.responsible, stage=Stage.PRELIMINARY, actual_start=None,
    )  # fmt: skip


def start(client, project, kind="government"):
    client.get(f"/projects/{project.pk}/procedures/")  # creates the jurisdiction's templates
    template = ProcedureTemplate.objects.get(jurisdiction=project.jurisdiction, kind=kind)
    return client.post(f"/projects/{project.pk}/procedures/start/", {"template": template.pk})


def test_the_templates_follow_the_government_and_enterprise_routes(world, client_for, waiting):
    client_for(world.office).get(f"/projects/{waiting.pk}/procedures/")
    names = {
        t.kind: [s.name for s in t.steps.all()]
        for t in ProcedureTemplate.objects.filter(jurisdiction=world.district)
    }
    assert "可行性研究报告批复" in names["government"]
    assert "项目备案" in names["filing"] and "可行性研究报告批复" not in names["filing"]
    assert names["government"][-1] == "竣工联合验收"


def test_a_checklist_is_kept_step_by_step(world, client_for, waiting):
    client = client_for(world.owner_user)
    assert start(client, waiting).status_code == 302
    step = waiting.procedures.get(name="施工许可证")
    assert step.department_name == "区住房城市建委" and step.department == world.responsible
    prefix = f"s{step.pk}"
    client.post(
        f"/projects/{waiting.pk}/procedures/{step.pk}/",
        {f"{prefix}-status": "in_progress", f"{prefix}-applied_on": "2026-03-01",
         f"{prefix}-approved_on": "2026-03-21",
         f"{prefix}-document_number": "渝中建施〔2026〕12号"},
    )  # fmt: skip
    step.refresh_from_db()
    assert step.status == StepStatus.DONE and step.duration_days == 20


def test_an_approval_before_the_application_is_refused(world, client_for, waiting):
    client = client_for(world.office)
    start(client, waiting)
    step = waiting.procedures.first()
    prefix = f"s{step.pk}"
    client.post(
        f"/projects/{waiting.pk}/procedures/{step.pk}/",
        {f"{prefix}-status": "done", f"{prefix}-applied_on": "2026-03-21",
         f"{prefix}-approved_on": "2026-03-01"},
    )  # fmt: skip
    step.refresh_from_db()
    assert step.status == StepStatus.TODO and step.approved_on is None


def test_what_stands_between_projects_and_works_start(world, client_for, waiting):
    template = ProcedureTemplate.objects.create(
        jurisdiction=world.district, name="t", kind="filing"
    )
    template.steps.create(position=1, name="项目备案", phase="project_land", before_start=True)
    template.steps.create(position=2, name="施工许可证", phase="works_permit", before_start=True)
    template.steps.create(position=3, name="竣工联合验收", phase="acceptance", before_start=False)
    checklist_create(project=waiting, template=template)
    waiting.procedures.filter(name="项目备案").update(
        status="done", applied_on=dt.date(2026, 1, 1), approved_on=dt.date(2026, 1, 11)
    )
    (row,) = blocking_steps(Project.objects.filter(pk=waiting.pk))
    assert [s.name for s in row.remaining] == ["施工许可证"] and (row.done, row.total) == (1, 2)
    page = client_for(world.leader).get("/procedures/before-start/").content.decode()
    assert "施工许可证" in page and waiting.name in page
    (d,) = durations(Project.objects.all(), by="step")
    assert (d.key, d.median_days, d.slowest_days) == ("项目备案", 10, 10)


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [("office", 200, 302), ("leader", 200, 403), ("owner_user", 200, 302),
     ("auditor", 200, 403), ("outsider", 404, 404)],
)  # fmt: skip
def test_procedure_pages_by_role(world, client_for, waiting, persona, read, write):
    client = client_for(world.personas()[persona])
    assert client.get(f"/projects/{waiting.pk}/procedures/").status_code == read
    (template, *_rest) = templates_ensure(jurisdiction=world.district)
    response = client.post(f"/projects/{waiting.pk}/procedures/start/", {"template": template.pk})
    assert response.status_code == write
    assert client.get("/procedures/before-start/").status_code == 200
    assert client.get("/procedures/durations/").status_code == 200


def test_a_step_of_another_project_cannot_be_edited_through_this_one(world, client_for, waiting):
    client = client_for(world.office)
    start(client, waiting)
    other = ProcedureStep.objects.create(project=world.other_project, position=1, name="x",
                                         phase="project_land")  # fmt: skip
    response = client.post(f"/projects/{waiting.pk}/procedures/{other.pk}/", {})
    assert response.status_code == 404


def test_the_programme_office_edits_the_templates(world, client_for, waiting):
    from keyprojects.approvals.models import TemplateStep

    client = client_for(world.office)
    assert client.get("/procedures/templates/").status_code == 200
    template = ProcedureTemplate.objects.get(jurisdiction=world.district, kind="filing")
    count = template.steps.count()
    new_step = {
        "action": "add",
        "template": template.pk,
        "name": "文物勘探",
        "phase": "project_land",
        "department": "区文化旅游委",
        "before_start": "on",
    }
    client.post("/procedures/templates/", new_step)
    added = template.steps.get(name="文物勘探")
    assert added.position == count + 1
    client.post("/procedures/templates/", {"action": "up", "step": added.pk})
    added.refresh_from_db()
    assert added.position == count
    first = template.steps.get(position=1)
    client.post("/procedures/templates/", {"action": "delete", "step": first.pk})
    assert not TemplateStep.objects.filter(pk=first.pk).exists()
    assert list(template.steps.values_list("position", flat=True)) == list(range(1, count + 1))
    # New checklists follow the template; a unit user cannot edit templates.
    start(client, waiting, kind="filing")
    assert waiting.procedures.filter(name="文物勘探").exists()
    assert client_for(world.owner_user).get("/procedures/templates/").status_code == 403
    assert (
        client_for(world.outsider)
        .post("/procedures/templates/", {"action": "delete", "step": added.pk})
        .status_code
        == 404
    )
