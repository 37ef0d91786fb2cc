"""Scores for every unit and project of a period: facts (inputs.py) → points per indicator
(scoring.py) → totals → ranks → red and black lists. Results are plain data, JSON-ready
through `as_json`, so a closing stores exactly what the page showed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from keyprojects.organisations.choices import UnitKind

from . import scoring
from .choices import IndicatorKind, SubjectKind, UnitBasis
from .inputs import Facts, ItemFact, ProjectFacts, UnitInfo, Window, load
from .rules import TOTAL_WEIGHT, number

DEPARTMENTS = (UnitKind.DEPARTMENT, UnitKind.COMMITTEE)
COMPANIES = (UnitKind.STATE_COMPANY, UnitKind.PRIVATE_COMPANY)
Z = Decimal(0)


@dataclass(frozen=True)
class IndicatorRule:
    kind: str
    weight: Decimal
    params: dict[str, Any]

    @property
    def label(self) -> str:
        return str(IndicatorKind(self.kind).label)


@dataclass(frozen=True)
class Rules:
    """The indicators and settings a period is scored with: the set's, while the period is
    open; the copy frozen at closing, once it is closed."""

    indicators: tuple[IndicatorRule, ...]
    unit_basis: str = UnitBasis.BY_KIND
    red_list_size: int = 3
    black_list_size: int = 3
    black_below: Decimal | None = None
    set_id: int | None = None
    set_name: str = ""
    set_version: int = 0

    @classmethod
    def from_set(cls, indicator_set: Any) -> Rules:
        return cls(
            indicators=tuple(
                IndicatorRule(i.kind, Decimal(i.weight), dict(i.params))
                for i in indicator_set.indicators.all()
            ),
            unit_basis=indicator_set.unit_basis,
            red_list_size=indicator_set.red_list_size,
            black_list_size=indicator_set.black_list_size,
            black_below=indicator_set.black_below,
            set_id=indicator_set.pk,
            set_name=indicator_set.name,
            set_version=indicator_set.version,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rules:
        below = data.get("black_below")
        return cls(
            indicators=tuple(
                IndicatorRule(i["kind"], Decimal(i["weight"]), dict(i["params"]))
                for i in data["indicators"]
            ),
            unit_basis=data["unit_basis"],
            red_list_size=int(data["red_list_size"]),
            black_list_size=int(data["black_list_size"]),
            black_below=Decimal(below) if below is not None else None,
            set_id=data.get("set_id"),
            set_name=data.get("set_name", ""),
            set_version=int(data.get("set_version", 0)),
        )

    def as_json(self) -> dict[str, Any]:
        return jsonable(
            {
                "indicators": [
                    {"kind": i.kind, "weight": i.weight, "params": i.params}
                    for i in self.indicators
                ],
                "unit_basis": self.unit_basis,
                "red_list_size": self.red_list_size,
                "black_list_size": self.black_list_size,
                "black_below": self.black_below,
                "set_id": self.set_id,
                "set_name": self.set_name,
                "set_version": self.set_version,
            }
        )

    @property
    def kinds(self) -> list[str]:
        return [i.kind for i in self.indicators]

    @property
    def heaviest_first(self) -> list[str]:
        """The tie-break order: by weight, heaviest first; equal weights in the set's order."""
        order = sorted(enumerate(self.indicators), key=lambda p: (-p[1].weight, p[0]))
        return [i.kind for _n, i in order]

    def param(self, kind: str, name: str, default: Any = None) -> Any:
        for rule in self.indicators:
            if rule.kind == kind:
                return rule.params.get(name, default)
        return default


@dataclass
class Line:
    """One indicator's points for one subject, with the figures and the records behind them."""

    kind: str
    weight: Decimal
    points: Decimal | None
    no_data: bool
    figures: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(IndicatorKind(self.kind).label)

    def as_json(self) -> dict[str, Any]:
        return jsonable(
            {
                "kind": self.kind,
                "weight": self.weight,
                "points": self.points,
                "no_data": self.no_data,
                "figures": self.figures,
                "items": self.items,
            }
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Line:
        points = data.get("points")
        return cls(
            data["kind"],
            Decimal(data["weight"]),
            Decimal(points) if points is not None else None,
            bool(data["no_data"]),
            dict(data["figures"]),
            list(data.get("items", [])),
        )


@dataclass
class SubjectResult:
    subject_kind: str
    subject_id: int
    name: str
    lines: list[Line]
    points_sum: Decimal
    weight_counted: Decimal
    total: Decimal | None
    rank: int | None = None
    board: str = ""
    projects: list[dict[str, Any]] = field(default_factory=list)
    unit_kind: str = ""

    @property
    def scaled(self) -> bool:
        return self.total is not None and self.weight_counted != TOTAL_WEIGHT

    @property
    def points(self) -> dict[str, Decimal | None]:
        return {line.kind: line.points for line in self.lines}

    def line(self, kind: str) -> Line | None:
        return next((line for line in self.lines if line.kind == kind), None)

    def as_json(self) -> dict[str, Any]:
        return jsonable(
            {
                "subject_kind": self.subject_kind,
                "subject_id": self.subject_id,
                "name": self.name,
                "total": self.total,
                "points_sum": self.points_sum,
                "weight_counted": self.weight_counted,
                "rank": self.rank,
                "board": self.board,
                "lines": [line.as_json() for line in self.lines],
                "projects": self.projects,
            }
        )


@dataclass
class Results:
    rules: Rules
    window: Window
    units: list[SubjectResult]
    projects: list[SubjectResult]
    problem_source: str
    safety_available: bool
    provisional: bool

    def subject(self, kind: str, subject_id: int) -> SubjectResult | None:
        found = self.units if kind == SubjectKind.UNIT else self.projects
        return next((s for s in found if s.subject_id == subject_id), None)

    @property
    def red(self) -> list[SubjectResult]:
        return [s for s in self.units if s.board == "red"]

    @property
    def black(self) -> list[SubjectResult]:
        return [s for s in self.units if s.board == "black"]


def jsonable(value: Any) -> Any:
    """Decimals as strings, dates as ISO text: numbers a reader can recompute exactly."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def digest(rules: Rules, units: Iterable[SubjectResult], projects: Iterable[SubjectResult]) -> str:
    """A fingerprint of everything a closing stores, recorded in the audit trail with it."""

    def rows(results: Iterable[SubjectResult]) -> list[dict[str, Any]]:
        # The same whatever order the rows are read back in.
        return sorted((s.as_json() for s in results), key=lambda s: int(s["subject_id"]))

    body = {"rules": rules.as_json(), "units": rows(units), "projects": rows(projects)}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# -- who answers for a project ---------------------------------------------------------------


def unit_roles(
    project: ProjectFacts, units: dict[int, UnitInfo], basis: str
) -> list[tuple[int, str]]:
    """Which units answer for `project`, and as what. By kind (the default): a department
    or management committee for the projects it is the responsible unit (责任单位) of, a
    company for those it owns (业主单位)."""
    responsible = units.get(project.responsible_unit_id)
    owner = units.get(project.owner_unit_id)
    found: list[tuple[int, str]] = []
    if basis == UnitBasis.RESPONSIBLE or basis == UnitBasis.BOTH:
        found.append((project.responsible_unit_id, "responsible"))
    if basis == UnitBasis.OWNER or basis == UnitBasis.BOTH:
        found.append((project.owner_unit_id, "owner"))
    if basis == UnitBasis.BY_KIND:
        if responsible is not None and responsible.kind in DEPARTMENTS:
            found.append((responsible.id, "responsible"))
        if owner is not None and owner.kind in COMPANIES:
            found.append((owner.id, "owner"))
    seen: set[int] = set()
    unique = []
    for unit_id, role in found:
        if unit_id not in seen:
            seen.add(unit_id)
            unique.append((unit_id, role))
    return unique


# -- scoring one subject ---------------------------------------------------------------------


def _project_ref(p: ProjectFacts) -> dict[str, Any]:
    return {"project_id": p.id, "project": p.name}


def _item_json(item: ItemFact, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "project_id": item.project_id,
        "project": names.get(item.project_id or 0, ""),
        "deadline": item.deadline,
        "closed": item.closed,
        "overdue": item.overdue,
    }


def score_lines(
    rules: Rules,
    projects: list[ProjectFacts],
    tasks: list[ItemFact],
    *,
    safety_available: bool,
    problem_source: str,
) -> list[Line]:
    names = {p.id: p.name for p in projects}
    lines = []
    for rule in rules.indicators:
        kind, weight, params = rule.kind, rule.weight, rule.params
        items: list[dict[str, Any]] = []
        if kind == IndicatorKind.INVESTMENT_COMPLETION:
            with_plan = [p for p in projects if p.investment is not None]
            for p in with_plan:
                assert p.investment is not None
                items.append(
                    {
                        **_project_ref(p),
                        "planned": p.investment.planned,
                        "completed": p.investment.completed,
                        "expected_share": p.investment.expected_share,
                        "expected": p.investment.expected,
                    }
                )
            outcome = scoring.investment(
                weight,
                params,
                completed=sum((p.investment.completed for p in with_plan if p.investment), Z),
                expected=sum((p.investment.expected for p in with_plan if p.investment), Z),
                planned=sum((p.investment.planned for p in with_plan if p.investment), Z),
            )
        elif kind == IndicatorKind.MILESTONES:
            counts = {"on_time": 0, "late": 0, "missed": 0}
            for p in projects:
                m = p.milestone
                if m is None:
                    continue
                items.append(
                    {
                        **_project_ref(p),
                        "kind": m.kind,
                        "deadline": m.deadline,
                        "reached_on": m.reached_on,
                        "outcome": m.outcome,
                    }
                )
                if m.outcome in counts:
                    counts[m.outcome] += 1
            outcome = scoring.milestones(weight, params, **counts)
        elif kind == IndicatorKind.REPORTING_ON_TIME:
            for p in projects:
                for r in p.reports:
                    items.append(
                        {
                            **_project_ref(p),
                            "month": r.month,
                            "due": r.due,
                            "submitted_on": r.submitted_on,
                            "on_time": r.on_time,
                        }
                    )
            outcome = scoring.reporting(
                weight, params, on_time=sum(1 for i in items if i["on_time"]), due=len(items)
            )
        elif kind in (IndicatorKind.PROBLEM_CLOSURE, IndicatorKind.TASK_CLOSURE):
            found = (
                [i for p in projects for i in p.problems]
                if kind == IndicatorKind.PROBLEM_CLOSURE
                else tasks
            )
            items = [_item_json(i, names) for i in found]
            outcome = scoring.closure(
                weight,
                params,
                closed=sum(1 for i in found if i.closed),
                considered=len(found),
                overdue=sum(1 for i in found if i.overdue),
            )
            if kind == IndicatorKind.PROBLEM_CLOSURE:
                outcome.figures["source"] = problem_source
        elif kind == IndicatorKind.SAFETY:
            incidents: dict[str, int] = defaultdict(int)
            overdue = open_ = 0
            for p in projects:
                s = p.safety
                if s is None:
                    continue
                overdue += s.overdue_hazards
                open_ += s.open_hazards
                for grade, n in s.incidents.items():
                    incidents[grade] += n
                if s.overdue_hazards or s.open_hazards or any(s.incidents.values()):
                    items.append(
                        {
                            **_project_ref(p),
                            "overdue_hazards": s.overdue_hazards,
                            "open_hazards": s.open_hazards,
                            "incidents": s.incidents,
                        }
                    )
            outcome = scoring.safety(
                weight,
                params,
                available=safety_available,
                overdue_hazards=overdue,
                open_hazards=open_,
                incidents=incidents,
            )
        else:  # a kind `rules.check_indicators` would have refused
            raise ValueError(f"unknown indicator kind {kind!r}")
        lines.append(Line(kind, weight, outcome.points, outcome.no_data, outcome.figures, items))
    return lines


def _result(
    kind: str, subject_id: int, name: str, lines: list[Line], **extra: Any
) -> SubjectResult:
    t = scoring.total([(line.weight, line.points) for line in lines])
    return SubjectResult(
        kind, subject_id, name, lines, t.points_sum, t.weight_counted, t.total, **extra
    )


def _rank(results: list[SubjectResult], rules: Rules, *, with_boards: bool) -> list[SubjectResult]:
    order = rules.heaviest_first
    by_key = {r.subject_id: r for r in results}
    rankable = [
        scoring.Rankable(r.subject_id, r.name, r.total, tuple(r.points.get(k) for k in order))
        for r in results
    ]
    ranked = scoring.rank(rankable)
    boards = (
        scoring.boards(
            ranked,
            red_size=rules.red_list_size,
            black_size=rules.black_list_size,
            black_below=rules.black_below,
        )
        if with_boards
        else {}
    )
    ordered = []
    for position, item in ranked:
        result = by_key[int(str(item.key))]
        result.rank = position
        result.board = str(boards.get(item.key, ""))
        ordered.append(result)
    return ordered


def compute(facts: Facts, rules: Rules, *, provisional: bool) -> Results:
    """Every unit's and project's score from the facts, ranked."""
    projects = list(facts.projects.values())
    by_unit: dict[int, list[tuple[ProjectFacts, str]]] = defaultdict(list)
    for p in projects:
        for unit_id, role in unit_roles(p, facts.units, rules.unit_basis):
            by_unit[unit_id].append((p, role))
    tasks_by_project: dict[int, list[ItemFact]] = {p.id: p.tasks for p in projects}
    units = []
    for unit_id, answered in by_unit.items():
        info = facts.units.get(unit_id)
        if info is None:
            continue
        lines = score_lines(
            rules,
            [p for p, _r in answered],
            facts.unit_tasks.get(unit_id, []),
            safety_available=facts.safety_available,
            problem_source=facts.problem_source,
        )
        refs = [{**_project_ref(p), "role": role} for p, role in answered]
        units.append(
            _result(SubjectKind.UNIT, unit_id, info.name, lines, projects=refs, unit_kind=info.kind)
        )
    scored_projects = []
    for p in projects:
        lines = score_lines(
            rules,
            [p],
            tasks_by_project.get(p.id, []),
            safety_available=facts.safety_available,
            problem_source=facts.problem_source,
        )
        refs = [
            {"unit_id": uid, "unit": facts.units[uid].name, "role": role}
            for uid, role in unit_roles(p, facts.units, rules.unit_basis)
            if uid in facts.units
        ]
        scored_projects.append(_result(SubjectKind.PROJECT, p.id, p.name, lines, projects=refs))
    return Results(
        rules=rules,
        window=facts.window,
        units=_rank(units, rules, with_boards=True),
        projects=_rank(scored_projects, rules, with_boards=False),
        problem_source=facts.problem_source,
        safety_available=facts.safety_available,
        provisional=provisional,
    )


def evaluate(jurisdiction_id: int, window: Window, rules: Rules, *, provisional: bool) -> Results:
    grace = int(number(rules.param(IndicatorKind.REPORTING_ON_TIME, "grace_days", 0)))
    facts = load(jurisdiction_id, window, kinds=rules.kinds, grace_days=grace)
    return compute(facts, rules, provisional=provisional)
