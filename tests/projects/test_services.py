import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from keyprojects.audit.models import AuditEntry
from keyprojects.projects.choices import Stage
from keyprojects.projects.services import (
    EditConflict,
    annual_plan_set,
    project_advance_stage,
    project_create,
    project_update,
)


def test_a_stale_edit_is_refused_and_names_what_changed(world):
    project = world.project
    project_update(project=project, version=1, site="新地址", total_investment=Decimal("2.00"))
    with pytest.raises(EditConflict) as caught:
        project_update(project=project, version=1, site="我的地址")
    changed = {c.field: c.theirs for c in caught.value.changes}
    assert changed == {"site": "新地址", "total_investment": "2.00"}
    project.refresh_from_db()
    assert project.site == "新地址" and project.version == 2


def test_an_edit_on_the_current_version_saves_and_counts_up(world):
    updated = project_update(project=world.project, version=1, name="新名称")
    assert updated.version == 2 and updated.name == "新名称"


def test_dates_out_of_order_are_refused_and_nothing_changes(world):
    with pytest.raises(ValidationError) as caught:
        project_update(project=world.project, version=1, planned_completion=dt.date(2020, 1, 1))
    assert "planned_completion" in caught.value.message_dict
    world.project.refresh_from_db()
    assert world.project.version == 1


def test_a_bad_code_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        project_update(project=world.project, version=1, code="2022-5001")
    assert "code" in caught.value.message_dict


def test_a_negative_amount_is_refused(world):
    with pytest.raises(ValidationError):
        project_update(project=world.project, version=1, total_investment=Decimal(-1))


def test_a_duplicate_code_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        project_update(project=world.project, version=1, code=world.other_project.code)
    assert "code" in caught.value.message_dict


def test_reserve_projects_may_lack_a_code(world):
    project = project_create(
        jurisdiction_id=world.district.pk,
        name="储备项目",
        level="district",
        industry="other",
        owner_unit=world.owner,
        responsible_unit=world.responsible,
        total_investment=Decimal("1000000"),
    )
    assert project.code is None and project.stage == Stage.RESERVE
    assert project.stage_changes.count() == 1


def test_stage_moves_along_allowed_steps_with_a_reason(world):
    project = project_advance_stage(project=world.project, to=Stage.COMPLETED, reason="竣工验收")
    assert project.stage == Stage.COMPLETED and project.actual_completion is not None
    change = project.stage_changes.last()
    assert (change.from_stage, change.to_stage, change.reason) == (
        Stage.CONSTRUCTION, Stage.COMPLETED, "竣工验收",
    )  # fmt: skip


@pytest.mark.parametrize("to", [Stage.RESERVE, Stage.OPERATING, Stage.PRELIMINARY])
def test_a_stage_jump_that_is_not_allowed_is_refused(world, to):
    with pytest.raises(ValidationError):
        project_advance_stage(project=world.project, to=to, reason="跳过")
    world.project.refresh_from_db()
    assert world.project.stage == Stage.CONSTRUCTION


def test_a_stage_change_needs_a_reason(world):
    with pytest.raises(ValidationError):
        project_advance_stage(project=world.project, to=Stage.COMPLETED, reason="  ")


def test_annual_plan_is_upserted_and_audited(world):
    before = AuditEntry.objects.count()
    annual_plan_set(project=world.project, year=2026, investment_target=Decimal("5"))
    plan = annual_plan_set(project=world.project, year=2026, investment_target=Decimal("7"))
    assert plan.investment_target == Decimal("7")
    assert AuditEntry.objects.count() == before + 2
