"""Change logging for every audited model, whatever made the change.

Bulk writes (imports) bypass these and call `record_changes` themselves.
"""

from typing import Any

from django.db import models
from django.db.models.signals import class_prepared, post_delete, post_save

from .choices import Action
from .services import record, snapshot

AUDITED: set[type[models.Model]] = set()


class AuditedModel(models.Model):
    """Remembers the values it was loaded with, so an update can log before and after."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        instance: Any = super().from_db(db, field_names, values)
        instance._audit_before = (
            snapshot(instance) if len(values) == len(cls._meta.concrete_fields) else None
        )
        return instance

    def refresh_audit_snapshot(self) -> None:
        self._audit_before = snapshot(self)


def _on_save(
    sender: type[models.Model], instance: Any, created: bool, raw: bool, **kw: Any
) -> None:
    if raw:
        return
    if created:
        record(Action.CREATE, instance)
    else:
        record(Action.UPDATE, instance, getattr(instance, "_audit_before", None))
    instance._audit_before = snapshot(instance)


def _on_delete(sender: type[models.Model], instance: Any, **kw: Any) -> None:
    record(Action.DELETE, instance, getattr(instance, "_audit_before", None) or snapshot(instance))


def audit(model: type[models.Model]) -> type[models.Model]:
    """Class decorator: log every create, update and delete of this model."""
    AUDITED.add(model)
    post_save.connect(_on_save, sender=model, dispatch_uid=f"audit-save-{model._meta.label}")
    post_delete.connect(_on_delete, sender=model, dispatch_uid=f"audit-del-{model._meta.label}")
    return model


def _audit_subclasses(sender: type[models.Model], **kw: Any) -> None:
    """A concrete model that subclasses `AuditedModel` is audited without the decorator too."""
    if issubclass(sender, AuditedModel) and not sender._meta.abstract:
        audit(sender)


class_prepared.connect(_audit_subclasses, dispatch_uid="audit-subclasses")
