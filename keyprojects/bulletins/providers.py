"""Sections whose source may be another capability: the unit ranking (the assessment's, or
else one by investment pace) and the open problems (the problem ledger's, or else the open
supervised tasks). Each provider answers the same shape whichever source it used, and names
the source, so that the bulletin says what the ranking is based on."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from keyprojects.projects.choices import Light

if TYPE_CHECKING:
    from .drafting import Scope

log = logging.getLogger(__name__)
ZERO = Decimal(0)
PROBLEMS_LISTED = 100

# Where the assessment's ranking may live; the first module that has `ranking_for` is used.
ASSESSMENT_MODULES = (
    "keyprojects.assessment.services",
    "keyprojects.assessment.ranking",
    "keyprojects.assessment.selectors",
    "keyprojects.assessment",
)


def _optional(module_name: str) -> Any:
    """A module of a capability that may not be installed yet; None when it is absent."""
    try:
        return import_module(module_name)
    except ModuleNotFoundError as missing:
        if missing.name and module_name.startswith(missing.name):
            return None
        raise


def column(key: str, label: str, kind: str = "text") -> dict[str, str]:
    return {"key": key, "label": label, "kind": kind}


# -- ranking ----------------------------------------------------------------------------------


def assessment_ranking() -> Callable[..., Any] | None:
    for name in ASSESSMENT_MODULES:
        module = _optional(name)
        function = getattr(module, "ranking_for", None) if module else None
        if callable(function):
            return function
    return None


def ranking(scope: Scope, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The assessment's ranking of the units for the month where it has one; else the units
    ranked by investment pace."""
    function = assessment_ranking()
    if function is not None:
        try:
            with transaction.atomic():  # a savepoint: a failure leaves the drafting usable
                result = function(scope.jurisdiction, scope.year, scope.month)
        except DatabaseError:
            log.exception("the assessment's ranking failed; ranking by investment pace")
            result = None
        if result is not None and getattr(result, "rows", None):
            return from_assessment(result)
    return pace_ranking(rows)


def from_assessment(result: Any) -> dict[str, Any]:
    """The assessment's `Ranking` as the bulletin's table: rank, unit, projects, the points
    of each indicator, the total score and the red or black list."""
    boards = {"red": _("Red list"), "black": _("Black list")}
    indicators = [(kind, str(label)) for kind, label, _weight in result.indicators]
    out = []
    for row in result.rows:
        entry: dict[str, Any] = {
            "rank": row.rank,
            "unit": row.name,
            "projects": row.projects,
            "score": row.total,
            "board": str(boards.get(row.board, "")),
        }
        for kind, _label in indicators:
            entry[f"points_{kind}"] = row.points.get(kind)
        out.append(entry)
    columns = [
        column("rank", pgettext("bulletin table", "Rank"), "int"),
        column("unit", pgettext("bulletin table", "Unit")),
        column("projects", pgettext("bulletin table", "Projects"), "int"),
    ]
    columns += [column(f"points_{kind}", label, "score") for kind, label in indicators]
    columns.append(column("score", pgettext("bulletin table", "Score"), "score"))
    if any(r["board"] for r in out):
        columns.append(column("board", pgettext("bulletin table", "List")))
    basis = _("Units ranked by their assessment scores for %(period)s.") % {"period": result.label}
    if result.provisional:
        basis += _(" The scores are provisional until the period is closed.")
    return {
        "source": "assessment",
        "basis": basis,
        "columns": columns,
        "rows": out,
        "without_target": [],
    }


def pace_ranking(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Responsible units ranked by how far their projects' completed investment is ahead of
    or behind the time-proportional share (序时进度), target-weighted; ties share a rank."""
    from .drafting import gap, share, weighted_expected

    by_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_unit[row["responsible_unit__name"]].append(row)
    ranked: list[dict[str, Any]] = []
    without: list[str] = []
    for unit, members in by_unit.items():
        target = sum((r["annual_target"] for r in members), ZERO)
        if target <= 0:
            without.append(unit)
            continue
        done = sum((r["ytd"] for r in members), ZERO)
        actual = share(done, target)
        expected = weighted_expected(members)
        lights = [r["light_row"]["light"] for r in members if r["light_row"]]
        ranked.append(
            {
                "unit": unit,
                "projects": len(members),
                "annual_target": target,
                "ytd_completed": done,
                "share": actual,
                "expected_share": expected,
                "gap_points": gap(actual, expected),
                "red": lights.count(Light.RED),
                "yellow": lights.count(Light.YELLOW),
            }
        )
    ranked.sort(key=lambda r: (-(r["gap_points"] or ZERO), -(r["share"] or ZERO), r["unit"]))
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        key = (row["gap_points"], row["share"])
        if key != previous:
            rank, previous = position, key
        row["rank"] = rank
    return {
        "source": "pace",
        "basis": _(
            "Responsible units ranked by their projects' completed investment against the "
            "time-proportional share of the annual plan (序时进度), until the unit assessment "
            "gives scores."
        ),
        "columns": [
            column("rank", pgettext("bulletin table", "Rank"), "int"),
            column("unit", pgettext("bulletin table", "Responsible unit")),
            column("projects", pgettext("bulletin table", "Projects"), "int"),
            column("annual_target", pgettext("bulletin table", "Annual plan"), "money"),
            column("ytd_completed", pgettext("bulletin table", "Completed"), "money"),
            column("share", pgettext("bulletin table", "Completion"), "share"),
            column("gap_points", pgettext("bulletin table", "Against 序时"), "points"),
            column("red", pgettext("bulletin table", "Red"), "int"),
            column("yellow", pgettext("bulletin table", "Yellow"), "int"),
        ],
        "rows": ranked,
        "without_target": sorted(without),
    }


# -- open problems ----------------------------------------------------------------------------


def problem_model() -> Any:
    module = _optional("keyprojects.problems.models")
    return getattr(module, "Problem", None) if module else None


def open_problems(scope: Scope, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    model = problem_model()
    if model is not None:
        try:
            with transaction.atomic():
                return _problems(model, scope, today)
        except DatabaseError:
            log.exception("the problem ledger could not be read; listing open tasks")
    return _tasks(scope, today)


def _group(items: list[dict[str, Any]], source: str) -> dict[str, Any]:
    units: dict[str, dict[str, Any]] = {}
    for item in items:
        entry = units.setdefault(item["unit"], {"unit": item["unit"], "open": 0, "overdue": 0})
        entry["open"] += 1
        entry["overdue"] += 1 if item["overdue_days"] > 0 else 0
    listed = sorted(
        items,
        key=lambda i: (-i["overdue_days"], i["deadline"] or dt.date.max, i["unit"], i["title"]),
    )[:PROBLEMS_LISTED]
    return {
        "source": source,
        "total": len(items),
        "overdue": sum(1 for i in items if i["overdue_days"] > 0),
        "units": sorted(units.values(), key=lambda u: (-u["overdue"], -u["open"], u["unit"])),
        "items": listed,
    }


def _overdue_days(deadline: dt.date | None, today: dt.date) -> int:
    return max(0, (today - deadline).days) if deadline else 0


def _tasks(scope: Scope, today: dt.date) -> dict[str, Any]:
    """Open supervised tasks (督办事项), by the unit that owns them."""
    from keyprojects.supervision.models import Task

    tasks = (
        Task.objects.filter(jurisdiction_id__in=scope.jurisdiction.subtree_ids())
        .open()
        .values("title", "deadline", "status", "owner_unit__name", "project__name")
    )
    items = [
        {
            "title": t["title"],
            "project": t["project__name"] or "",
            "unit": t["owner_unit__name"],
            "deadline": t["deadline"],
            "overdue_days": _overdue_days(t["deadline"], today),
        }
        for t in tasks
    ]
    return _group(items, "tasks")


def _problems(model: Any, scope: Scope, today: dt.date) -> dict[str, Any]:
    """Open problems and demands, by the unit that must solve them: the units their tasks
    were assigned to, else the unit they are needed from, else the office (not yet assigned)."""
    from django.contrib.contenttypes.models import ContentType

    from keyprojects.supervision.choices import OPEN_STATUSES
    from keyprojects.supervision.models import Task

    problems = list(
        model.objects.filter(jurisdiction_id__in=scope.jurisdiction.subtree_ids())
        .open()
        .values("pk", "title", "deadline", "project__name", "needed_from_unit__name")
    )
    owners: dict[int, list[str]] = defaultdict(list)
    kind = ContentType.objects.get_for_model(model)
    for source_id, unit in Task.objects.filter(
        source_type=kind, source_id__in=[p["pk"] for p in problems], status__in=OPEN_STATUSES
    ).values_list("source_id", "owner_unit__name"):
        if source_id is not None and unit not in owners[source_id]:
            owners[source_id].append(unit)
    unassigned = _("Awaiting assignment")
    items = []
    for problem in problems:
        units = owners.get(problem["pk"]) or [problem["needed_from_unit__name"] or unassigned]
        items.append(
            {
                "title": problem["title"],
                "project": problem["project__name"] or "",
                "unit": "、".join(units),
                "deadline": problem["deadline"],
                "overdue_days": _overdue_days(problem["deadline"], today),
            }
        )
    return _group(items, "problems")
