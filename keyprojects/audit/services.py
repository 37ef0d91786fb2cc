"""Writing and checking the hash-chained audit trail."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .choices import Action
from .context import current
from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The record's stored values, as JSON-ready plain values keyed by field name."""
    return {
        f.attname: _plain(getattr(instance, f.attname))
        for f in instance._meta.concrete_fields
        if f.attname not in AUDIT_EXCLUDED_FIELDS
    }


AUDIT_EXCLUDED_FIELDS = {"password", "last_login"}


@dataclass(frozen=True)
class Change:
    action: str
    instance: models.Model
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _jurisdiction_of(instance: models.Model) -> int | None:
    for attr in ("jurisdiction_id",):
        value = getattr(instance, attr, None)
        if value is not None:
            return int(value)
    # Records that hang off a project, directly or through its schedule.
    owner = getattr(instance, "project", None) or getattr(
        getattr(instance, "schedule", None), "project", None
    )
    if owner is not None and getattr(owner, "jurisdiction_id", None):
        return int(owner.jurisdiction_id)
    return None


def record_changes(changes: Sequence[Change]) -> list[AuditEntry]:
    """Append entries for `changes` to the chain, attributed to the current actor."""
    if not changes:
        return []
    ctx = current()
    actor = ctx.actor if getattr(ctx.actor, "pk", None) else None
    now = timezone.now()
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().get(pk=1)
        entries = []
        prev_hash, seq = head.hash, head.seq
        for change in changes:
            seq += 1
            inst = change.instance
            entry = AuditEntry(
                seq=seq,
                at=now,
                actor=actor,
                actor_name=str(actor) if actor else "",
                channel=ctx.channel,
                correlation_id=ctx.correlation_id,
                action=change.action,
                model=inst._meta.label_lower,
                object_id=str(inst.pk),
                object_repr=str(inst)[:300],
                jurisdiction_id=_jurisdiction_of(inst),
                before=change.before,
                after=change.after,
                prev_hash=prev_hash,
            )
            entry.hash = entry.compute_hash()
            prev_hash = entry.hash
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        head.seq, head.hash = seq, prev_hash
        head.save(update_fields=["seq", "hash"])
    return entries


def record(action: str, instance: models.Model, before: dict[str, Any] | None = None) -> None:
    after = None if action == Action.DELETE else snapshot(instance)
    if action == Action.UPDATE and before == after:
        return
    record_changes([Change(action, instance, before, after)])


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    message: str


def verify_chain(entries: Iterable[AuditEntry] | None = None) -> ChainProblem | None:
    """The first entry that was altered, removed or inserted; None when the chain holds."""
    if entries is None:
        entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    expected_seq, prev_hash = 1, GENESIS
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainProblem(expected_seq, f"entry #{expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return ChainProblem(entry.seq, f"entry #{entry.seq} does not follow #{entry.seq - 1}")
        if entry.compute_hash() != entry.hash:
            return ChainProblem(entry.seq, f"entry #{entry.seq} was altered")
        prev_hash = entry.hash
        expected_seq += 1
    head = AuditHead.objects.filter(pk=1).first()
    last = expected_seq - 1
    if head is None or head.seq != last or head.hash != prev_hash:
        missing = (head.seq if head else last) if head and head.seq > last else last + 1
        return ChainProblem(missing, f"entry #{missing} is missing from the end of the trail")
    return None
