"""Records that make tasks. Deleting one never orphans its tasks silently: they stay, marked
with the source's removal, and the people who own them are told."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import pre_delete

_registered: set[type[models.Model]] = set()


def register_source(model: type[models.Model]) -> type[models.Model]:
    """Class decorator (or call) for a model whose records make tasks."""
    if model not in _registered:
        _registered.add(model)
        pre_delete.connect(_source_deleted, sender=model, weak=False)
    return model


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
