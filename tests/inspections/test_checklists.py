"""Checklist templates: the usual ones on first use, edited by the office, versioned so that
past inspections keep the words they were recorded with."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from keyprojects.inspections import checklists, defaults, services
from keyprojects.inspections.choices import InspectionKind, ItemSeverity
from keyprojects.inspections.models import ChecklistItem, ChecklistTemplate
from tests.factories import JurisdictionFactory

from .conftest import TODAY


def test_a_district_gets_the_usual_checklists_once(world):
    checklists.templates_ensure(jurisdiction=world.district)
    checklists.templates_ensure(jurisdiction=world.district)
    names = set(
        ChecklistTemplate.objects.filter(jurisdiction=world.district).values_list("name", flat=True)
    )
    assert names == {name for name, _kind, _items in defaults.TEMPLATES}
    kinds = set(ChecklistTemplate.objects.values_list("kind", flat=True))
    assert kinds == set(InspectionKind.values)
    safety = ChecklistTemplate.objects.get(name="建筑施工安全生产检查表")
    texts = " ".join(safety.items.values_list("text", flat=True))
    for words in ("临边", "脚手架", "特种作业", "三级配电", "消防通道"):
        assert words in texts
    quality = " ".join(
        ChecklistItem.objects.filter(template__kind="quality").values_list("text", flat=True)
    )
    assert "混凝土试块" in quality and "钢筋隐蔽" in quality


def test_a_district_under_a_city_with_its_own_checklists_uses_the_citys(world):
    ChecklistTemplate.objects.create(jurisdiction=world.city, kind="safety", name="市级检查表")
    checklists.templates_ensure(jurisdiction=world.district)
    assert not ChecklistTemplate.objects.filter(jurisdiction=world.district).exists()


def test_the_office_edits_and_every_change_moves_the_version_on(world, checklist):
    version = checklist.version
    item = checklists.template_item_save(
        user=world.office, template=checklist, text="扬尘治理：裸土覆盖", category="扬尘治理",
        severity=ItemSeverity.GENERAL, rectification_days=2,
    )  # fmt: skip
    assert item.position == 4
    checklists.template_item_move(user=world.office, item=item, up=True)
    assert list(checklist.items.values_list("position", flat=True)) == [1, 2, 3, 4]
    assert checklist.items.get(position=3).pk == item.pk
    checklists.template_item_delete(user=world.office, item=checklist.items.get(position=1))
    assert list(checklist.items.values_list("position", flat=True)) == [1, 2, 3]
    checklist.refresh_from_db()
    assert checklist.version == version + 3


def test_editing_a_checklist_never_changes_past_inspections(world, checklist, frozen):
    past = services.inspection_start(
        user=world.office, project=world.project, template=checklist, date=TODAY
    )
    first = checklist.items.get(position=1)
    checklists.template_item_save(
        user=world.office, template=checklist, item=first, text="改过的条目",
        severity=ItemSeverity.GENERAL, rectification_days=9,
    )  # fmt: skip
    checklists.template_item_delete(user=world.office, item=checklist.items.get(position=3))
    rows = list(past.results.values_list("position", "text", "severity", "rectification_days"))
    assert rows == [
        (1, "临边、洞口防护到位", "major", 1),
        (2, "施工用电一机一闸一漏一箱", "general", 3),
        (3, "消防通道畅通", "general", 5),
    ]
    checklist.refresh_from_db()
    assert past.template_version < checklist.version


@pytest.mark.parametrize("persona", ["leader", "owner_user", "auditor", "outsider"])
def test_only_the_office_of_its_district_edits(world, checklist, persona):
    user = getattr(world, persona)
    with pytest.raises(PermissionDenied):
        checklists.template_item_save(user=user, template=checklist, text="x")
    with pytest.raises(PermissionDenied):
        checklists.template_save(user=user, template=checklist, name="y", kind="safety")
    assert checklist.items.count() == 3


def test_refusals(world, checklist, frozen):
    with pytest.raises(ValidationError, match="Write what"):
        checklists.template_item_save(user=world.office, template=checklist, text=" ")
    with pytest.raises(ValidationError):
        checklists.template_item_save(
            user=world.office, template=checklist, text="x", rectification_days=0
        )
    with pytest.raises(services.IllegalMove, match="already at that end"):
        checklists.template_item_move(user=world.office, item=checklist.items.first(), up=True)
    with pytest.raises(ValidationError, match="already has this name"):
        checklists.template_save(
            user=world.office, jurisdiction=world.district, name="安全检查表", kind="quality"
        )
    services.inspection_start(
        user=world.office, project=world.project, template=checklist, date=TODAY
    )
    with pytest.raises(services.IllegalMove, match="take it out of use"):
        checklists.template_delete(user=world.office, template=checklist)
    assert checklist.items.count() == 3


def test_a_checklist_keeps_one_item_and_an_unused_one_can_go(world):
    template = checklists.template_save(
        user=world.office, jurisdiction=world.district, name="临时检查表", kind="epidemic"
    )
    only = checklists.template_item_save(user=world.office, template=template, text="测温登记")
    with pytest.raises(services.IllegalMove, match="at least one item"):
        checklists.template_item_delete(user=world.office, item=only)
    checklists.template_delete(user=world.office, template=template)
    assert not ChecklistTemplate.objects.filter(pk=template.pk).exists()


def test_the_office_adds_only_in_its_own_jurisdictions(world):
    with pytest.raises(PermissionDenied):
        checklists.template_save(
            user=world.office, jurisdiction=world.other_district, name="x", kind="safety"
        )
    elsewhere = JurisdictionFactory(code="110101")
    with pytest.raises(PermissionDenied):
        checklists.template_save(user=world.office, jurisdiction=elsewhere, name="x", kind="safety")
