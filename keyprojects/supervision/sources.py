"""Records that make tasks. Deleting one never orphans its tasks silently: they stay, marked
with the source's removal, and the people who own them are told."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import pre_delete

_registered: set[type[models.Model]] = set()
# For a kind of source: the units (besides the office) that accept or return its tasks.
_checkers: dict[type[models.Model], Callable[[Any], list[int]]] = {}


def register_source(model: type[models.Model]) -> type[models.Model]:
    """Class decorator (or call) for a model whose records make tasks."""
    if model not in _registered:
        _registered.add(model)
        pre_delete.connect(_source_deleted, sender=model, weak=False)
    return model


def register_checker(model: type[models.Model], units: Callable[[Any], list[int]]) -> None:
    """Let the units `units(source)` names accept or return the tasks a source of this model
    makes, as the office does (the unit that found a hazard checks its rectification)."""
    _checkers[model] = units


def checking_units(task: Any) -> list[int]:
    """The units, besides the office, that accept or return `task` (never its own unit)."""
    if task.source_type_id is None or task.source_id is None:
        return []
    model = ContentType.objects.get_for_id(task.source_type_id).model_class()
    units = _checkers.get(model) if model is not None else None
    source = task.source if units is not None else None
    if source is None or units is None:
        return []
    return [pk for pk in units(source) if pk and pk != task.owner_unit_id]


def _source_deleted(sender: type[models.Model], instance: Any, **kw: Any) -> None:
    from .services import source_removed

    source_removed(instance)


def source_fields(source: models.Model | None) -> dict[str, Any]:
    if source is None:
        return {}
    return {
        "source_type": ContentType.objects.get_for_model(source),
        "source_id": source.pk,
        "source_label": str(source)[:300],
    }


def tasks_of(source: models.Model) -> Any:
    from .models import Task

    return Task.objects.filter(
        source_type=ContentType.objects.get_for_model(source), source_id=source.pk
    )
