"""What an import will do, row by row: the object the preview page shows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from keyprojects.organisations.models import Jurisdiction, Unit

from .reader import Problem


@dataclass(frozen=True)
class FieldDiff:
    field: str  # a Project field, or "plan.<field>" for the year's annual plan
    label: Any  # the field's verbose name, translated when shown
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "label": str(self.label), "old": _plain(self.old),
                "new": _plain(self.new)}  # fmt: skip


@dataclass
class NewUnit:
    """A unit the ledger names that the jurisdiction does not have yet."""

    name: str
    kind: str
    rows: list[int] = field(default_factory=list)
    instance: Unit | None = None

    def __str__(self) -> str:
        return self.name


@dataclass
class PreviewRow:
    row: int  # the spreadsheet's row number
    batch: str | None  # the section's batch, else the batch column's, else from the dates
    values: dict[str, Any]
    action: str = "error"  # create, update, unchanged; error when the row cannot be matched
    project_id: int | None = None
    diff: list[FieldDiff] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # The project and plan as stored (plain records, by attname), and what the row changes.
    stored_project: dict[str, Any] | None = field(default=None, repr=False)
    project_changes: dict[str, Any] = field(default_factory=dict, repr=False)
    stored_plan: dict[str, Any] | None = field(default=None, repr=False)
    plan_values: dict[str, Any] | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, Any]:
        values = self.values

        def unit(key: str) -> str | None:
            found = values.get(key)
            return str(found) if found else None

        def yuan(key: str) -> str | None:
            found = values.get(key)
            return f"{found:.2f}" if found is not None else None

        start = values.get("planned_start")
        return {
            "row": self.row,
            "action": self.action,
            "project_id": self.project_id,
            "code": values.get("code") or None,
            "name": values.get("name") or "",
            "batch": self.batch,
            "owner_unit": unit("owner_unit"),
            "responsible_unit": unit("responsible_unit"),
            "planned_start": start.isoformat() if start else None,
            "total_investment_yuan": yuan("total_investment"),
            "annual_plan_yuan": yuan("investment_target"),
            "ytd_completed_yuan": yuan("ytd_completed"),
            "diff": [d.as_dict() for d in self.diff],
        }


@dataclass
class LedgerPreview:
    """What an import will do (or, once `applied`, did), row by row."""

    jurisdiction: Jurisdiction
    year: int | None = None
    as_of: dt.date | None = None
    title: str = ""
    sheet_name: str = ""
    rows: list[PreviewRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    new_units: list[NewUnit] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        found = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
        for row in self.rows:
            found[row.action] += 1
        return found

    @property
    def fingerprint(self) -> str:
        """Changes when what the import would do, or what it would overwrite, changes: check it
        between preview and apply, so that nobody's edit made meanwhile is lost."""
        body: list[Any] = [
            (
                r.row,
                r.action,
                r.project_id,
                [(d.field, _plain(d.old), _plain(d.new)) for d in r.diff],
            )
            for r in self.rows
        ]
        body.append([u.name for u in self.new_units])
        text = json.dumps(body, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "applied": self.applied,
            "counts": self.counts(),
            "new_units": [{"name": u.name, "kind": u.kind, "rows": u.rows} for u in self.new_units],
            "projects": [r.as_json() for r in self.rows],
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Unit | NewUnit):
        return value.name
    return value
