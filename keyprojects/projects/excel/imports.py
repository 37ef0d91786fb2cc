"""Importing a ledger: a preview of every row, then all rows in one transaction, or none.

Rows are matched to projects by code, or by name and owner unit when the row has no code.
Only the columns present in the file are written; a blank cell clears its field, except
the code, the units, the level and the industry, which a blank leaves as they were.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import channel
from keyprojects.organisations.choices import UnitKind
from keyprojects.organisations.models import Jurisdiction, Unit
from keyprojects.projects.choices import Batch, Industry, Level, Stage
from keyprojects.projects.models import (
    PROJECT_CODE_RE,
    AnnualPlan,
    Project,
    derive_batch,
)

from .preview import FieldDiff, LedgerPreview, NewUnit, PreviewRow
from .reader import (
    LedgerFileError,
    LedgerSheet,
    Problem,
    Source,
    as_of_in_year,
    load_rows,
    read_bytes,
    read_layout,
)
from .rows import ParsedRow, parse_rows
from .saving import apply_preview
from .values import no_gc_pauses, norm_text

# Project fields a ledger column can write, in the order a diff lists them.
PROJECT_FIELDS = (
    "code", "name", "level", "industry", "site", "scale_and_content", "owner_unit",
    "responsible_unit", "responsible_person", "contact", "leader_in_charge", "start_year",
    "end_year", "planned_start", "planned_completion", "actual_start", "actual_completion",
    "total_investment", "funding_sources", "progress_text", "preliminary_progress",
    "problems_text", "next_steps",
)  # fmt: skip
KEEP_WHEN_BLANK = frozenset({"code", "owner_unit", "responsible_unit", "level", "industry"})
PLAN_FIELDS = ("investment_target", "month_completed", "ytd_completed", "since_start_completed")
FIGURES = ("month_completed", "ytd_completed", "since_start_completed")
CHUNK = 2000


# --- public entry points -------------------------------------------------------------------


def ledger_preview(
    source: Source,
    *,
    jurisdiction: Jurisdiction,
    year: int | None = None,
    allow_new_units: bool = True,
) -> LedgerPreview:
    """Read and check a ledger without saving anything."""
    return ledger_import(
        source,
        jurisdiction=jurisdiction,
        year=year,
        allow_new_units=allow_new_units,
        dry_run=True,
    )


def ledger_import(
    source: Source,
    *,
    jurisdiction: Jurisdiction,
    year: int | None = None,
    allow_new_units: bool = True,
    dry_run: bool = False,
    expected_fingerprint: str | None = None,
) -> LedgerPreview:
    """Read, check and save a ledger: every row, or none when any row has an error.

    The changes are recorded in the audit trail through the import channel, attributed to
    the current actor. With `expected_fingerprint` (from the preview the user confirmed),
    nothing is saved if the import would now do something else.
    """
    with no_gc_pauses():
        return _import(source, jurisdiction, year, allow_new_units, dry_run, expected_fingerprint)


def _import(
    source: Source,
    jurisdiction: Jurisdiction,
    year: int | None,
    allow_new_units: bool,
    dry_run: bool,
    expected_fingerprint: str | None,
) -> LedgerPreview:
    preview = LedgerPreview(jurisdiction=jurisdiction)
    try:
        sheet = _read_sheet(source)
    except LedgerFileError as exc:
        preview.errors.append(exc.problem)
        return preview
    with transaction.atomic():
        _plan_rows(preview, sheet, year=year, allow_new_units=allow_new_units, lock=not dry_run)
        if expected_fingerprint and expected_fingerprint != preview.fingerprint:
            preview.errors.append(
                Problem(
                    None,
                    "",
                    _("The projects changed since the preview; check the new preview and confirm."),
                )
            )
        if dry_run or preview.errors:
            return preview
        try:
            with transaction.atomic(), channel(Channel.IMPORT):
                apply_preview(preview)
        except IntegrityError:
            # Someone saved a project with one of these codes while the import ran.
            preview.errors.append(
                Problem(None, "", _("The projects changed while importing; nothing was saved."))
            )
            return preview
        preview.applied = True
    return preview


def _read_sheet(source: Source) -> LedgerSheet:
    data = read_bytes(source)
    name, rows, merged = load_rows(data)
    return read_layout(rows, merged, name)


# --- checking ------------------------------------------------------------------------------


def infer_unit_kind(name: str) -> str:
    if "公司" in name or "集团" in name:
        return UnitKind.STATE_COMPANY
    if "管委会" in name or "管理委员会" in name:
        return UnitKind.COMMITTEE
    return UnitKind.DEPARTMENT


def _unit_key(name: str) -> str:
    return norm_text(name)


def _lineage(jurisdiction: Jurisdiction) -> list[int]:
    ids: list[int] = []
    node: Jurisdiction | None = jurisdiction
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return ids


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Planner:
    """Matches parsed rows to projects and units and works out each row's changes."""

    def __init__(
        self, preview: LedgerPreview, sheet: LedgerSheet, allow_new_units: bool, lock: bool
    ) -> None:
        self.preview = preview
        self.jurisdiction = preview.jurisdiction
        self.year = preview.year or 0
        self.allow_new_units = allow_new_units
        self.columns = {c.key: c for c in sheet.columns}
        self.units: dict[str, Unit] = {}
        lineage = _lineage(self.jurisdiction)
        for unit in Unit.objects.filter(jurisdiction_id__in=lineage):
            key = _unit_key(unit.name)
            known = self.units.get(key)
            if known is None or lineage.index(unit.jurisdiction_id) < lineage.index(
                known.jurisdiction_id
            ):
                self.units[key] = unit
        self.new_units: dict[str, NewUnit] = {}
        self.lock = lock

    def header(self, key: str) -> str:
        column = self.columns.get(key)
        return column.header if column else ""

    def problem(self, row: int, key: str, message: str) -> Problem:
        column = self.columns.get(key)
        cell = f"{column.letter}{row}" if column else ""
        return Problem(row, column.header if column else "", message, cell)

    def load_projects(self, parsed: list[ParsedRow]) -> None:
        # Plain records rather than instances: 20,000 model instances, each snapshotting
        # itself for the audit trail as it loads, would cost more than the whole check.
        queryset = Project.objects.order_by()
        if self.lock:
            queryset = queryset.select_for_update()
        attnames = [f.attname for f in Project._meta.concrete_fields]
        local = list(queryset.filter(jurisdiction=self.jurisdiction).values(*attnames))
        codes = sorted({r.values["code"] for r in parsed if r.values.get("code")})
        by_code = {p["code"]: p for p in local if p["code"]}
        missing = [c for c in codes if c not in by_code]
        for chunk in _chunks(missing):
            by_code.update(
                {p["code"]: p for p in queryset.filter(code__in=chunk).values(*attnames)}
            )
        self.by_code = by_code
        self.by_name: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for project in local:
            self.by_name.setdefault((project["name"], project["owner_unit_id"]), []).append(project)
        self.unit_by_id = {u.pk: u for u in self.units.values()}

    def failed(self, values: dict[str, Any], key: str) -> bool:
        """The column is there but its cell could not be read (and has its own error)."""
        return key in self.columns and key not in values

    def unit(self, row: ParsedRow, key: str) -> Unit | NewUnit | None:
        name = row.values.get(key)
        if not name:
            return None
        known = self.units.get(_unit_key(name))
        if known is not None:
            return known
        if not self.allow_new_units:
            row.errors.append(
                self.problem(
                    row.number,
                    key,
                    _("“%(name)s” is not a unit of %(jurisdiction)s; add it first.")
                    % {"name": name, "jurisdiction": self.jurisdiction.name},
                )
            )
            return None
        new = self.new_units.get(_unit_key(name))
        if new is None:
            new = self.new_units[_unit_key(name)] = NewUnit(name, infer_unit_kind(name))
        if row.number not in new.rows:
            new.rows.append(row.number)
        return new


def _plan_rows(
    preview: LedgerPreview,
    sheet: LedgerSheet,
    *,
    year: int | None,
    allow_new_units: bool,
    lock: bool,
) -> None:
    preview.title, preview.sheet_name, preview.as_of = sheet.title, sheet.sheet_name, sheet.as_of
    preview.warnings.extend(sheet.warnings)
    if year and sheet.year and year != sheet.year:
        preview.warnings.append(
            Problem(
                None,
                "",
                _("The title names %(title_year)s; the ledger is read as %(year)s as asked.")
                % {"title_year": sheet.year, "year": year},
            )
        )
    preview.year = year or sheet.year
    preview.as_of = as_of_in_year(sheet.as_of_parts, preview.year)
    if not preview.year:
        preview.errors.append(
            Problem(None, "", _("The ledger's year is not in its title; give the year."))
        )
        return
    parsed = parse_rows(sheet)
    if not parsed:
        preview.errors.append(Problem(None, "", _("The ledger has no project rows.")))
        return
    planner = _Planner(preview, sheet, allow_new_units, lock)
    planner.load_projects(parsed)
    taken: dict[int, int] = {}  # project id → the row that updates it
    codes: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    rows = [_plan_row(planner, row, taken, codes, names) for row in parsed]
    _attach_plans(planner, rows)
    preview.rows = rows
    preview.new_units = list(planner.new_units.values())
    for row in rows:
        preview.errors.extend(row.errors)
        preview.warnings.extend(row.warnings)


def _plan_row(
    planner: _Planner,
    parsed: ParsedRow,
    taken: dict[int, int],
    codes: dict[str, int],
    names: dict[tuple[str, str], int],
) -> PreviewRow:
    values = parsed.values
    number = parsed.number
    problem = planner.problem
    errors = parsed.errors
    name, code = values.get("name", ""), values.get("code", "")
    if not name:
        errors.append(problem(number, "name", _("The project name is missing.")))
    if code:
        if not PROJECT_CODE_RE.match(code):
            errors.append(
                problem(
                    number,
                    "code",
                    _("“%(code)s” is not a project code of the form 2022-500103-78-01-123456.")
                    % {"code": code},
                )
            )
        elif code in codes:
            errors.append(
                problem(
                    number,
                    "code",
                    _("The code %(code)s is also on row %(row)s.")
                    % {"code": code, "row": codes[code]},
                )
            )
        else:
            codes[code] = number
    if "owner_unit" in planner.columns and not values.get("owner_unit"):
        errors.append(problem(number, "owner_unit", _("The owner unit is missing.")))
    owner = planner.unit(parsed, "owner_unit")
    responsible = planner.unit(parsed, "responsible_unit")
    if owner is not None:
        values["owner_unit"] = owner
    if responsible is not None:
        values["responsible_unit"] = responsible
    if name and not code and owner is not None:
        key = (name, _unit_key(owner.name))
        if key in names:
            errors.append(
                problem(
                    number,
                    "name",
                    _("Row %(row)s has the same project and owner unit, and neither has a code.")
                    % {"row": names[key]},
                )
            )
        names[key] = number

    result = PreviewRow(number, parsed.section, values, errors=errors, warnings=parsed.warnings)
    project = _match(planner, result, code, name, owner)
    if errors and project is None and not (name and owner):
        result.batch = result.batch or values.get("batch")
        return result
    if project is not None:
        if project["id"] in taken:
            errors.append(
                problem(
                    number,
                    "name",
                    _("This is the same project as row %(row)s.") % {"row": taken[project["id"]]},
                )
            )
        taken[project["id"]] = number
        _plan_update(planner, result, project)
    else:
        _plan_create(planner, result)
    return result


def _match(
    planner: _Planner, row: PreviewRow, code: str, name: str, owner: Unit | NewUnit | None
) -> dict[str, Any] | None:
    if code and (found := planner.by_code.get(code)) is not None:
        if found["jurisdiction_id"] != planner.jurisdiction.pk:
            row.errors.append(
                planner.problem(
                    row.row,
                    "code",
                    _("The code %(code)s belongs to a project of another jurisdiction.")
                    % {"code": code},
                )
            )
            return None
        return found
    if not name or not isinstance(owner, Unit):
        return None
    candidates = planner.by_name.get((name, owner.pk), [])
    if code:
        candidates = [p for p in candidates if not p["code"]]
    if len(candidates) > 1:
        row.errors.append(
            planner.problem(
                row.row,
                "name",
                _("%(count)s projects have this name and owner unit; give the project code.")
                % {"count": len(candidates)},
            )
        )
        return None
    return candidates[0] if candidates else None


def _target_values(values: dict[str, Any]) -> dict[str, Any]:
    return {f: values[f] for f in PROJECT_FIELDS if f in values}


def _plan_update(planner: _Planner, row: PreviewRow, project: dict[str, Any]) -> None:
    row.stored_project, row.project_id = project, project["id"]
    changes: dict[str, Any] = {}
    for name, new in _target_values(row.values).items():
        if name in KEEP_WHEN_BLANK and (new is None or new == ""):
            continue
        if name == "total_investment" and new is None and not planner.failed(row.values, name):
            row.errors.append(planner.problem(row.row, name, _("The total investment is missing.")))
            continue
        old = project[name + "_id" if name.endswith("_unit") else name]
        if name.endswith("_unit"):
            if isinstance(new, Unit) and new.pk == old:
                continue
        elif old == new:
            continue
        changes[name] = new
        old_display = planner.unit_by_id.get(old, old) if name.endswith("_unit") else old
        row.diff.append(FieldDiff(name, _label(Project, name), old_display, new))
    row.project_changes = changes
    final = {f: changes.get(f, project[f]) for f in _ORDERED}
    _check_order(planner, row, final)
    batch = derive_batch(
        stage=project["stage"],
        start=final["actual_start"] or final["planned_start"],
        completion=final["actual_completion"] or final["planned_completion"],
        year=planner.year,
    )
    _check_batch(planner, row, batch)
    row.action = "update" if changes else "unchanged"


def _plan_create(planner: _Planner, row: PreviewRow) -> None:
    values = row.values
    if "owner_unit" not in planner.columns:
        row.errors.append(
            Problem(
                row.row, "", _("The ledger has no owner unit column, so it cannot add projects.")
            )
        )
    if values.get("total_investment") is None and not planner.failed(values, "total_investment"):
        row.errors.append(
            planner.problem(row.row, "total_investment", _("The total investment is missing."))
        )
    if not values.get("responsible_unit") and values.get("owner_unit"):
        values["responsible_unit"] = values["owner_unit"]
        row.warnings.append(
            planner.problem(
                row.row,
                "responsible_unit",
                _("No responsible unit: the owner unit is recorded as responsible."),
            )
        )
    final = {f: values.get(f) for f in _ORDERED}
    _check_order(planner, row, final)
    section = row.batch or values.get("batch") or _batch_from_dates(values, planner.year)
    row.batch = section
    stage = _stage_for(section, values)
    batch = derive_batch(
        stage=stage,
        start=values.get("actual_start") or values.get("planned_start"),
        completion=values.get("actual_completion") or values.get("planned_completion"),
        year=planner.year,
    )
    _check_batch(planner, row, batch)
    row.project_changes = {"stage": stage, **_target_values(values)}
    row.project_changes.setdefault("level", Level.DISTRICT)
    row.project_changes.setdefault("industry", Industry.OTHER)
    for key in ("level", "industry"):
        if not row.project_changes[key]:
            row.project_changes[key] = Level.DISTRICT if key == "level" else Industry.OTHER
    row.action = "create"


_ORDERED = (
    "planned_start", "planned_completion", "actual_start", "actual_completion", "start_year",
    "end_year",
)  # fmt: skip


_ORDER_RULES = (
    ("planned_start", "planned_completion",
     gettext_lazy("The planned completion must not be before the planned start.")),
    ("actual_start", "actual_completion",
     gettext_lazy("The actual completion must not be before the actual start.")),
    ("start_year", "end_year",
     gettext_lazy("The last construction year must not be before the first.")),
)  # fmt: skip


def _check_order(planner: _Planner, row: PreviewRow, final: dict[str, Any]) -> None:
    for first, last, message in _ORDER_RULES:
        if final[first] is not None and final[last] is not None and final[last] < final[first]:
            key = last if last in planner.columns else ("years" if "year" in last else last)
            if key not in planner.columns and "planned_dates" in planner.columns:
                key = "planned_dates"
            row.errors.append(planner.problem(row.row, key, str(message)))


def _batch_from_dates(values: dict[str, Any], year: int) -> str:
    start = values.get("actual_start") or values.get("planned_start")
    end = values.get("actual_completion") or values.get("planned_completion")
    if start is None or start.year > year:
        return Batch.RESERVE
    if start.year == year:
        return Batch.NEW_START
    if end is not None and end.year == year:
        return Batch.COMPLETED
    return Batch.CONTINUING


def _stage_for(batch: str, values: dict[str, Any]) -> str:
    if batch == Batch.RESERVE:
        return Stage.RESERVE
    if batch == Batch.NEW_START:
        return Stage.CONSTRUCTION if values.get("actual_start") else Stage.PRELIMINARY
    if batch == Batch.COMPLETED and values.get("actual_completion"):
        return Stage.COMPLETED
    return Stage.CONSTRUCTION


def _check_batch(planner: _Planner, row: PreviewRow, derived: str | None) -> None:
    section = row.batch or row.values.get("batch")
    if section is None:
        row.batch = derived
        return
    if derived != section:
        row.warnings.append(
            Problem(
                row.row,
                planner.header("name"),
                _(
                    "The ledger lists this project under %(section)s, but its stage and dates "
                    "make it %(derived)s in %(year)s."
                )
                % {
                    "section": Batch(section).label,
                    "derived": Batch(derived).label if derived else _("not in the programme"),
                    "year": planner.year,
                },
            )
        )


def _attach_plans(planner: _Planner, rows: list[PreviewRow]) -> None:
    present = [f for f in PLAN_FIELDS if f in planner.columns]
    if not present:
        return
    ids = [r.project_id for r in rows if r.project_id]
    plans: dict[int, dict[str, Any]] = {}
    attnames = [f.attname for f in AnnualPlan._meta.concrete_fields]
    for chunk in _chunks(ids):
        found = AnnualPlan.objects.order_by().filter(project_id__in=chunk, year=planner.year)
        for plan_record in found.values(*attnames):
            plans[plan_record["project_id"]] = plan_record
    as_of = planner.preview.as_of
    for row in rows:
        if row.action == "error":
            continue
        values = {f: row.values.get(f) for f in present}
        plan = plans.get(row.project_id) if row.project_id else None
        if plan is None and all(v is None for v in values.values()):
            continue
        if values.get("investment_target") is None:
            values.pop("investment_target", None)  # the target cannot be blank: keep it
        if as_of and any(values.get(f) is not None for f in FIGURES):
            values["figures_as_of"] = as_of
        row.stored_plan, row.plan_values = plan, values
        if row.action == "create":
            continue  # a new project's values are the preview; a diff would repeat them
        for name, new in values.items():
            old = plan[name] if plan is not None else None
            if plan is not None and old == new:
                continue
            if plan is None and new is None:
                continue
            row.diff.append(FieldDiff(f"plan.{name}", _label(AnnualPlan, name), old, new))
            if row.action == "unchanged":
                row.action = "update"
        if plan is not None and not any(d.field.startswith("plan.") for d in row.diff):
            row.plan_values = None


def _label(model: Any, name: str) -> Any:
    return model._meta.get_field(name).verbose_name  # lazy: shown in the reader's language
