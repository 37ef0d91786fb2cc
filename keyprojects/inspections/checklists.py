"""Checklist templates: each jurisdiction starts with the usual ones, and its programme office
edits them. Every change moves the template's version on; inspections already made keep the
words they were recorded with."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keyprojects.organisations.models import Jurisdiction
from keyprojects.supervision.services import IllegalMove

from . import defaults
from .choices import ItemSeverity
from .models import ChecklistItem, ChecklistTemplate, ancestor_ids


def templates_ensure(*, jurisdiction: Jurisdiction | None) -> None:
    """Give a jurisdiction the usual checklists the first time anyone needs one, unless it or
    a jurisdiction above it already keeps its own."""
    if jurisdiction is None:
        return
    if ChecklistTemplate.objects.filter(jurisdiction_id__in=ancestor_ids(jurisdiction)).exists():
        return
    with transaction.atomic():
        for name, kind, items in defaults.TEMPLATES:
            template = ChecklistTemplate.objects.create(
                jurisdiction=jurisdiction, kind=kind, name=name
            )
            for position, (text, category, severity, days) in enumerate(items, start=1):
                ChecklistItem.objects.create(
                    template=template, position=position, text=text, category=category,
                    severity=severity, rectification_days=days,
                )  # fmt: skip


def _template_changed(template: ChecklistTemplate) -> None:
    template.version += 1
    template.save(update_fields=["version", "updated_at"])


def template_save(
    *,
    user: Any,
    name: str,
    kind: str,
    active: bool = True,
    template: ChecklistTemplate | None = None,
    jurisdiction: Jurisdiction | None = None,
) -> ChecklistTemplate:
    """Create a template (in `jurisdiction`) or change one's name, kind or use."""
    if template is None:
        if jurisdiction is None or not getattr(user, "is_programme_office", False):
            raise PermissionDenied
        ids = user.visible_jurisdiction_ids()
        if ids is not None and jurisdiction.pk not in ids:
            raise PermissionDenied
        template = ChecklistTemplate(jurisdiction=jurisdiction)
    elif not ChecklistTemplate.objects.editable_by(user).filter(pk=template.pk).exists():
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("A checklist needs a name.")})
    taken = ChecklistTemplate.objects.filter(jurisdiction_id=template.jurisdiction_id, name=name)
    if taken.exclude(pk=template.pk).exists():
        raise ValidationError({"name": _("Another checklist already has this name.")})
    with transaction.atomic():
        template.name, template.kind, template.active = name, kind, active
        if template.pk:
            template.version += 1
        template.full_clean()
        template.save()
    return template


def _check_template_edit(user: Any, template: ChecklistTemplate) -> None:
    if not ChecklistTemplate.objects.editable_by(user).filter(pk=template.pk).exists():
        raise PermissionDenied


def template_item_save(
    *,
    user: Any,
    template: ChecklistTemplate,
    text: str,
    category: str = "",
    severity: str = ItemSeverity.GENERAL,
    rectification_days: int = 7,
    item: ChecklistItem | None = None,
) -> ChecklistItem:
    """Add an item at the end, or change one. Inspections already made keep their words."""
    _check_template_edit(user, template)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what the inspector checks.")})
    with transaction.atomic():
        if item is None:
            last = template.items.aggregate(last=Max("position"))["last"] or 0
            item = ChecklistItem(template=template, position=last + 1)
        elif item.template_id != template.pk:
            raise ValidationError(_("This item belongs to another checklist."))
        item.text, item.category = text, (category or "").strip()
        item.severity, item.rectification_days = severity, rectification_days
        item.full_clean()
        item.save()
        _template_changed(template)
    return item


def template_item_move(*, user: Any, item: ChecklistItem, up: bool) -> None:
    template = item.template
    _check_template_edit(user, template)
    siblings = list(template.items.order_by("position", "id"))
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        raise IllegalMove(_("The item is already at that end of the list."))
    siblings[index], siblings[other] = siblings[other], siblings[index]
    with transaction.atomic():
        _renumber(siblings)
        _template_changed(template)


def _renumber(items: list[ChecklistItem]) -> None:
    for position, sibling in enumerate(items, start=1):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])


def template_item_delete(*, user: Any, item: ChecklistItem) -> None:
    template = item.template
    _check_template_edit(user, template)
    if template.items.count() == 1:
        raise IllegalMove(_("A checklist keeps at least one item."))
    with transaction.atomic():
        item.delete()
        _renumber(list(template.items.order_by("position", "id")))
        _template_changed(template)


def template_delete(*, user: Any, template: ChecklistTemplate) -> None:
    _check_template_edit(user, template)
    used = template.inspections.count()
    if used:
        raise IllegalMove(
            ngettext(
                "%(count)d inspection used this checklist; take it out of use instead, so that "
                "it keeps its record.",
                "%(count)d inspections used this checklist; take it out of use instead, so that "
                "they keep their record.",
                used,
            )
            % {"count": used}
        )
    template.delete()
