"""Saving a checked ledger: thousands of rows in one transaction, with their audit trail.

Creating 20,000 projects through model instances and `bulk_create` spends most of its time
in Django's per-value machinery, so new rows are written as plain records: on SQLite by
`executemany` with ids allocated up front, elsewhere through `bulk_create`. The audit
entries are hash-chained exactly as `keyprojects.audit` does it; the first entry's hash is
checked against `AuditEntry.compute_hash`, and the slow path is used if they ever differ.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.choices import Action
from keyprojects.audit.context import current
from keyprojects.audit.models import AuditEntry, AuditHead
from keyprojects.audit.services import AUDIT_EXCLUDED_FIELDS
from keyprojects.organisations.models import Unit
from keyprojects.projects.models import AnnualPlan, Project, StageChange
from keyprojects.projects.signals import send_projects_changed

from .preview import LedgerPreview, NewUnit

Record = dict[str, Any]
_encode_any = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str).encode
_encode_str = json.encoder.encode_basestring  # what the encoder above does with a str


_KEYS: dict[str, str] = {}


class Snapshot(dict[str, Any]):
    """A record's audit snapshot, and the JSON `json.dumps(…, sort_keys=True)` makes of it."""

    json = ""


def _encode(value: Any) -> str:
    """`json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)`, quicker for
    the flat snapshots of plain values that every audit entry holds."""
    if value is None:
        return "null"
    cls = value.__class__
    if cls is Snapshot:
        return str(value.json)
    if cls is str:
        return str(_encode_str(value))
    if cls is int:
        return str(value)
    if cls is dict and all(key.__class__ is str for key in value):
        parts = []
        for key, item in sorted(value.items()):
            prefix = _KEYS.get(key)
            if prefix is None:
                prefix = _KEYS[key] = _encode_str(key) + ": "
            kind = item.__class__
            if kind is str:
                parts.append(prefix + _encode_str(item))
            elif item is None:
                parts.append(prefix + "null")
            elif kind is int:
                parts.append(prefix + str(item))
            else:
                parts.append(prefix + _encode(item))
        return "{" + ", ".join(parts) + "}"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(_encode_any(value))


def _fast() -> bool:
    return connection.vendor == "sqlite"


def _plain_of(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How `keyprojects.audit.services.snapshot` writes this field's value."""
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else str(v)
    if isinstance(field, models.DateField):  # DateTimeField too
        return lambda v: None if v is None else v.isoformat()
    return None


def _remembered(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An adapter that converts each distinct value once: every row shares `now`."""
    seen: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        if value not in seen:
            seen[value] = adapt(value)
        return seen[value]

    return remembered


def _decimal_adapter(field: models.DecimalField[Any, Any]) -> Callable[[Any], Any]:
    ops = connection.ops
    return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)


class _Table:
    """One model's columns, defaults, and how to write and snapshot a plain record."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.table = model._meta.db_table
        fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in fields]
        template = model()
        self.defaults = {a: getattr(template, a) for a in self.attnames}
        ops = connection.ops
        self.adapters: list[Callable[[Any], Any] | None] = []
        for f in fields:
            if isinstance(f, models.DateTimeField):
                self.adapters.append(_remembered(ops.adapt_datetimefield_value))
            elif isinstance(f, models.DateField):
                self.adapters.append(ops.adapt_datefield_value)
            elif isinstance(f, models.DecimalField):
                self.adapters.append(_decimal_adapter(f))
            else:
                self.adapters.append(None)
        kept = sorted(
            (f for f in fields if f.attname not in AUDIT_EXCLUDED_FIELDS), key=lambda f: f.attname
        )
        self.snapshot_plan = [
            (f.attname, _encode_str(f.attname) + ": ", _plain_of(f)) for f in kept
        ]

    def record(self, values: Record) -> Record:
        return {**self.defaults, **values}

    def snapshot(self, record: Record) -> Snapshot:
        """As `keyprojects.audit.services.snapshot` would write the saved record, with its
        JSON for the audit trail made in the same pass."""
        snap = Snapshot()
        parts = []
        for attname, prefix, plain in self.snapshot_plan:
            value = record[attname]
            if plain is not None:
                value = plain(value)
            snap[attname] = value
            if value.__class__ is str:
                parts.append(prefix + _encode_str(value))
            elif value is None:
                parts.append(prefix + "null")
            else:
                parts.append(prefix + _encode(value))
        snap.json = "{" + ", ".join(parts) + "}"
        return snap

    def allocate_ids(self, count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT MAX("id") FROM "{self.table}"')
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
            if cursor.fetchone():
                # AUTOINCREMENT never reuses a deleted row's id; nor may we.
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
                row = cursor.fetchone()
                top = max(top, row[0] if row else 0)
        return list(range(top + 1, top + 1 + count))

    def update(self, records: list[Record], fields: list[str]) -> None:
        """Write `fields` (attnames) of each record to its row."""
        if not records:
            return
        if not _fast():
            objects = [self.model(**r) for r in records]
            self.model.objects.bulk_update(objects, fields, batch_size=500)  # type: ignore[attr-defined]
            return
        by_attname = {f.attname: f.column for f in self.model._meta.concrete_fields}
        sets = ", ".join(f'"{by_attname[a]}" = %s' for a in fields)
        adapters = dict(zip(self.attnames, self.adapters, strict=True))
        plan = [(a, adapters[a]) for a in fields]
        rows = [
            [adapt(r[a]) if adapt and r[a] is not None else r[a] for a, adapt in plan] + [r["id"]]
            for r in records
        ]
        with connection.cursor() as cursor:
            cursor.executemany(f'UPDATE "{self.table}" SET {sets} WHERE "id" = %s', rows)

    def insert(self, records: list[Record], *, with_ids: bool = True) -> None:
        """Insert records; with_ids means each has its `id` (fast path) or gets one."""
        if not records:
            return
        if not _fast():
            objects = [self.model(**r) for r in records]
            self.model.objects.bulk_create(objects, batch_size=500)  # type: ignore[attr-defined]
            for record, obj in zip(records, objects, strict=True):
                record["id"] = obj.pk
            return
        if with_ids:
            for record, pk in zip(records, self.allocate_ids(len(records)), strict=True):
                record["id"] = pk
        columns = [(i, a) for i, a in enumerate(self.attnames) if with_ids or a != "id"]
        by_attname = {f.attname: f.column for f in self.model._meta.concrete_fields}
        names = ", ".join(f'"{by_attname[a]}"' for _, a in columns)
        marks = ", ".join(["%s"] * len(columns))
        sql = f'INSERT INTO "{self.table}" ({names}) VALUES ({marks})'
        plan = [(a, self.adapters[i]) for i, a in columns]
        rows = [
            [adapt(r[a]) if adapt and r[a] is not None else r[a] for a, adapt in plan]
            for r in records
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


_TABLES: dict[type[models.Model], _Table] = {}


def _table(model: type[models.Model]) -> _Table:
    if model not in _TABLES:
        _TABLES[model] = _Table(model)
    return _TABLES[model]


# --- the audit trail -------------------------------------------------------------------------

# action, model label, object id, object repr, jurisdiction id, before, after
Entry = tuple[str, str, str, str, int | None, Record | None, Record | None]


def record_entries(entries: list[Entry]) -> None:
    """Append `entries` to the hash chain, as `keyprojects.audit.services.record_changes`."""
    if not entries:
        return
    ctx = current()
    actor = ctx.actor if getattr(ctx.actor, "pk", None) else None
    actor_name = str(actor) if actor else ""
    now = timezone.now()
    head = AuditHead.objects.select_for_update().get(pk=1)
    seq, prev = head.seq, head.hash
    common = (
        f', "actor_id": {_encode(actor.pk if actor else None)}, '
        f'"actor_name": {_encode(actor_name)}, "after": '
    )
    middle = (
        f', "at": {_encode(now.isoformat())}, "before": ',
        f', "channel": {_encode(ctx.channel)}, "correlation_id": {_encode(ctx.correlation_id)}, '
        '"jurisdiction_id": ',
    )
    rows: list[tuple[Any, ...]] = []
    for action, label, object_id, text, jurisdiction_id, before, after in entries:
        seq += 1
        after_json, before_json = _encode(after), _encode(before)
        body = "".join(
            (
                '{"action": ',
                _encode(action),
                common,
                after_json,
                middle[0],
                before_json,
                middle[1],
                _encode(jurisdiction_id),
                ', "model": ',
                _encode(label),
                ', "object_id": ',
                _encode(object_id),
                ', "object_repr": ',
                _encode(text),
                ', "seq": ',
                str(seq),
                "}",
            )
        )
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        rows.append(
            (
                seq,
                action,
                label,
                object_id,
                text,
                jurisdiction_id,
                before_json,
                after_json,
                before,
                after,
                prev,
                digest,
            )
        )
        prev = digest

    def entry(row: tuple[Any, ...]) -> AuditEntry:
        return AuditEntry(
            seq=row[0],
            at=now,
            actor=actor,
            actor_name=actor_name,
            channel=ctx.channel,
            correlation_id=ctx.correlation_id,
            action=row[1],
            model=row[2],
            object_id=row[3],
            object_repr=row[4],
            jurisdiction_id=row[5],
            before=row[8],
            after=row[9],
            prev_hash=row[10],
            hash=row[11],
        )

    if entry(rows[0]).compute_hash() != rows[0][11] or not _fast():
        _record_slowly([entry(r) for r in rows])
    else:
        at = connection.ops.adapt_datetimefield_value(now)
        sql = (
            'INSERT INTO "audit_auditentry" ("seq", "at", "actor_id", "actor_name", "channel", '
            '"correlation_id", "action", "model", "object_id", "object_repr", '
            '"jurisdiction_id", "before", "after", "prev_hash", "hash") '
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        )
        actor_id = actor.pk if actor else None
        with connection.cursor() as cursor:
            cursor.executemany(
                sql,
                [
                    (
                        r[0],
                        at,
                        actor_id,
                        actor_name,
                        ctx.channel,
                        ctx.correlation_id,
                        r[1],
                        r[2],
                        r[3],
                        r[4],
                        r[5],
                        r[6],
                        r[7],
                        r[10],
                        r[11],
                    )
                    for r in rows
                ],
            )
    head.seq, head.hash = seq, prev
    head.save(update_fields=["seq", "hash"])


def _record_slowly(entries: list[AuditEntry]) -> None:
    prev = entries[0].prev_hash
    for entry in entries:
        entry.prev_hash = prev
        entry.hash = prev = entry.compute_hash()
    AuditEntry.objects.bulk_create(entries, batch_size=1000)


# --- applying the preview ----------------------------------------------------------------------


def apply_preview(preview: LedgerPreview) -> None:
    """Write every row of a checked preview; the caller holds the transaction."""
    if not _fast():
        _apply(preview)
        return
    # A big import's pages stay in memory until the commit rather than spilling midway.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        size = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -131072")
        try:
            _apply(preview)
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(size)}")


def _apply(preview: LedgerPreview) -> None:
    _TABLES.clear()  # built per import: the adapters belong to this connection
    now = timezone.now()
    jurisdiction_id = preview.jurisdiction.pk
    entries: list[Entry] = []
    _create_units(preview, entries)

    def unit_id(value: Any) -> int:
        if isinstance(value, NewUnit):
            assert value.instance is not None
            return int(value.instance.pk)
        return int(value.pk)

    projects, project_rows = _table(Project), []
    for row in preview.rows:
        if row.action != "create":
            continue
        values: Record = {"jurisdiction_id": jurisdiction_id, "created_at": now, "updated_at": now}
        for name, value in row.project_changes.items():
            if name.endswith("_unit"):
                values[name + "_id"] = unit_id(value)
            else:
                values[name] = value
        project_rows.append((row, projects.record(values)))
    projects.insert([r for _, r in project_rows])
    label = Project._meta.label_lower
    for row, record in project_rows:
        row.project_id = record["id"]
        entries.append(
            (
                Action.CREATE,
                label,
                str(record["id"]),
                record["name"][:300],
                jurisdiction_id,
                None,
                projects.snapshot(record),
            )
        )
    names = _update_projects(preview, now, unit_id, entries)
    names.update((record["id"], record["name"]) for _, record in project_rows)
    actor = current().actor
    reason = _("Entered in the ledger by import")
    _table(StageChange).insert(
        [
            _table(StageChange).record(
                {
                    "project_id": record["id"],
                    "from_stage": "",
                    "to_stage": record["stage"],
                    "reason": reason,
                    "at": now,
                    "actor_id": getattr(actor, "pk", None),
                }
            )
            for _, record in project_rows
        ],
        with_ids=False,
    )
    _save_plans(preview, names, entries)
    _save_reported_figures(preview, names, entries)
    record_entries(entries)
    changed = (r.project_id for r in preview.rows if r.action in ("create", "update"))
    send_projects_changed(apply_preview, changed, ("project", "plan", "report"))


def _save_reported_figures(
    preview: LedgerPreview, names: dict[int, str], entries: list[Entry]
) -> None:
    """The ledger's year-to-date figures become accepted reported investment for the month it
    is dated (`keyprojects.progress.services.ledger_report_values`), written like the rest."""
    from keyprojects.progress.models import MonthlyReport
    from keyprojects.progress.services import ledger_report_values

    if preview.year is None or preview.as_of is None:
        return
    figures = {
        row.project_id: row.plan_values["ytd_completed"]
        for row in preview.rows
        if row.project_id is not None
        and row.plan_values
        and row.plan_values.get("ytd_completed") is not None
        and row.action in ("create", "update")
    }
    values = ledger_report_values(year=preview.year, as_of=preview.as_of, figures=figures)
    table, label = _table(MonthlyReport), MonthlyReport._meta.label_lower
    records = [table.record(v) for v in values]
    table.insert(records)
    jurisdiction_id = preview.jurisdiction.pk
    for record in records:
        text = f"{names.get(record['project_id'], '')} {record['year']}-{record['month']:02d}"
        entries.append(
            (Action.CREATE, label, str(record["id"]), text[:300], jurisdiction_id, None,
             table.snapshot(record))
        )  # fmt: skip


def _create_units(preview: LedgerPreview, entries: list[Entry]) -> None:
    if not preview.new_units:
        return
    units = [
        Unit(jurisdiction=preview.jurisdiction, name=u.name, kind=u.kind) for u in preview.new_units
    ]
    Unit.objects.bulk_create(units)
    label = Unit._meta.label_lower
    table = _table(Unit)
    for new, unit in zip(preview.new_units, units, strict=True):
        new.instance = unit
        entries.append(
            (
                Action.CREATE,
                label,
                str(unit.pk),
                str(unit)[:300],
                preview.jurisdiction.pk,
                None,
                table.snapshot(unit.__dict__),
            )
        )


def _update_projects(
    preview: LedgerPreview, now: dt.datetime, unit_id: Callable[[Any], int], entries: list[Entry]
) -> dict[int, str]:
    """Write the changed projects; returns every matched project's name after the import."""
    table, label = _table(Project), Project._meta.label_lower
    names: dict[int, str] = {}
    updated: list[Record] = []
    fields: set[str] = {"version", "updated_at"}
    for row in preview.rows:
        stored = row.stored_project
        if row.action == "create" or stored is None:
            continue
        names[stored["id"]] = stored["name"]
        if not row.project_changes:
            continue
        after = dict(stored)
        for name, value in row.project_changes.items():
            if name.endswith("_unit"):
                after[name + "_id"] = unit_id(value)
                fields.add(name + "_id")
            else:
                after[name] = value
                fields.add(name)
        after["version"] = stored["version"] + 1
        after["updated_at"] = now
        names[stored["id"]] = after["name"]
        updated.append(after)
        entries.append(
            (Action.UPDATE, label, str(stored["id"]), after["name"][:300],
             stored["jurisdiction_id"], table.snapshot(stored), table.snapshot(after))
        )  # fmt: skip
    table.update(updated, sorted(fields))
    return names


def _save_plans(preview: LedgerPreview, names: dict[int, str], entries: list[Entry]) -> None:
    table, label = _table(AnnualPlan), AnnualPlan._meta.label_lower
    jurisdiction_id = preview.jurisdiction.pk
    created: list[Record] = []
    updated: list[Record] = []
    fields: set[str] = set()
    for row in preview.rows:
        if row.plan_values is None or row.project_id is None:
            continue
        stored = row.stored_plan
        if stored is None:
            values = {k: v for k, v in row.plan_values.items() if v is not None}
            values.setdefault("investment_target", Decimal("0.00"))
            created.append(
                table.record({"project_id": row.project_id, "year": preview.year, **values})
            )
            continue
        after = {**stored, **row.plan_values}
        fields.update(row.plan_values)
        updated.append(after)
        entries.append(
            (Action.UPDATE, label, str(stored["id"]),
             f"{names.get(row.project_id, '')} {stored['year']}"[:300], jurisdiction_id,
             table.snapshot(stored), table.snapshot(after))
        )  # fmt: skip
    table.insert(created)
    for record in created:
        entries.append(
            (Action.CREATE, label, str(record["id"]),
             f"{names.get(record['project_id'], '')} {record['year']}"[:300], jurisdiction_id,
             None, table.snapshot(record))
        )  # fmt: skip
    table.update(updated, sorted(fields))
