"""What makes a set of indicators computable: known kinds, each once, positive weights that
total 100, and every parameter its kind needs, of the right type and within its range.

Pure Python: the form, the API and the closing of a period all ask `check_indicators`, so a
set that cannot be computed is refused everywhere with the same reasons.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .choices import IndicatorKind, NoData

TOTAL_WEIGHT = Decimal(100)
NUMBER, INTEGER, CHOICE = "number", "integer", "choice"


@dataclass(frozen=True)
class Param:
    name: str
    label: Promise | str
    type: str
    default: Any
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: tuple[str, ...] = ()
    required: bool = True
    help: Promise | str = ""


# The grades of the PRC classification of production-safety accidents (一般/较大/重大/特别重大).
INCIDENT_GRADES = ("general", "larger", "major", "especially_major")

WHEN_NO_DATA = Param(
    "when_no_data",
    _lazy("When there is nothing to measure"),
    CHOICE,
    NoData.EXCLUDE.value,
    choices=tuple(NoData.values),
    required=False,
    help=_lazy("A unit with no planned investment, no milestone due, no report due, …"),
)

PARAMS: dict[str, tuple[Param, ...]] = {
    IndicatorKind.INVESTMENT_COMPLETION: (
        Param(
            "cap",
            _lazy("Highest ratio to the pace (序时) that earns points"),
            NUMBER,
            Decimal("1.2"),
            Decimal(1),
            Decimal(2),
            help=_lazy("1.2: a unit 20% ahead of the pace earns 1.2 times the weight."),
        ),
    ),
    IndicatorKind.MILESTONES: (
        Param(
            "late_credit",
            _lazy("Share of the points for a milestone reached late"),
            NUMBER,
            Decimal(0),
            Decimal(0),
            Decimal(1),
        ),
    ),
    IndicatorKind.REPORTING_ON_TIME: (
        Param(
            "grace_days",
            _lazy("Days of grace after the due day"),
            INTEGER,
            0,
            Decimal(0),
            Decimal(31),
        ),
    ),
    IndicatorKind.PROBLEM_CLOSURE: (
        Param(
            "overdue_deduction",
            _lazy("Points off for each problem past its deadline"),
            NUMBER,
            Decimal(2),
            Decimal(0),
            Decimal(100),
        ),
    ),
    IndicatorKind.TASK_CLOSURE: (
        Param(
            "overdue_deduction",
            _lazy("Points off for each task past its deadline"),
            NUMBER,
            Decimal(2),
            Decimal(0),
            Decimal(100),
        ),
    ),
    IndicatorKind.SAFETY: (
        Param(
            "overdue_hazard",
            _lazy("Points off for each hazard past its rectification deadline"),
            NUMBER,
            Decimal(2),
            Decimal(0),
            Decimal(100),
        ),
        Param(
            "open_hazard",
            _lazy("Points off for each hazard still open at the end"),
            NUMBER,
            Decimal(0),
            Decimal(0),
            Decimal(100),
        ),
        Param(
            "incident_general",
            _lazy("Points off for a general (一般) accident"),
            NUMBER,
            Decimal(5),
            Decimal(0),
            Decimal(100),
        ),
        Param(
            "incident_larger",
            _lazy("Points off for a larger (较大) accident"),
            NUMBER,
            Decimal(10),
            Decimal(0),
            Decimal(100),
        ),
        Param(
            "incident_major",
            _lazy("Points off for a major (重大) accident"),
            NUMBER,
            Decimal(100),
            Decimal(0),
            Decimal(100),
        ),
        Param(
            "incident_especially_major",
            _lazy("Points off for an especially major (特别重大) accident"),
            NUMBER,
            Decimal(100),
            Decimal(0),
            Decimal(100),
        ),
    ),
}


def params_of(kind: str) -> tuple[Param, ...]:
    """Every parameter of `kind`, its own first, then the common ones."""
    return (*PARAMS.get(kind, ()), WHEN_NO_DATA)


def default_params(kind: str) -> dict[str, Any]:
    return {p.name: plain(p.default) for p in params_of(kind)}


# A typical set, as the brief of the programme office words it: 40/20/10/20/10.
DEFAULT_WEIGHTS: tuple[tuple[str, int], ...] = (
    (IndicatorKind.INVESTMENT_COMPLETION, 40),
    (IndicatorKind.MILESTONES, 20),
    (IndicatorKind.REPORTING_ON_TIME, 10),
    (IndicatorKind.PROBLEM_CLOSURE, 20),
    (IndicatorKind.SAFETY, 10),
)


@dataclass(frozen=True)
class Problem:
    """One reason a set cannot be computed. `index` is the indicator's place in the list
    (None for the set as a whole); `field` is "kind", "weight", "params.<name>" or ""."""

    index: int | None
    field: str
    message: str


@dataclass
class Checked:
    """The indicators in their stored form, or the reasons they cannot be stored."""

    indicators: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def plain(value: Any) -> Any:
    """A parameter value as JSON keeps it: whole numbers as int, others as float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def number(value: Any) -> Decimal:
    """A stored number back as an exact decimal (0.1 stays 0.1)."""
    return Decimal(str(value))


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    result = number(value)
    return result if result.is_finite() else None


def _check_param(param: Param, value: Any) -> tuple[Any, str | None]:
    if param.type == CHOICE:
        if value not in param.choices:
            allowed = ", ".join(param.choices)
            return None, _("Choose one of: %(allowed)s.") % {"allowed": allowed}
        return value, None
    found = _as_number(value)
    if found is None:
        return None, _("Enter a number.")
    if param.type == INTEGER and found != found.to_integral_value():
        return None, _("Enter a whole number.")
    if param.minimum is not None and found < param.minimum:
        return None, _("Must be at least %(min)s.") % {"min": param.minimum}
    if param.maximum is not None and found > param.maximum:
        return None, _("Must be at most %(max)s.") % {"max": param.maximum}
    return plain(found), None


def _check_weight(value: Any) -> tuple[Decimal | None, str | None]:
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            return None, _("Enter the weight as a number.")
    found = _as_number(value)
    if found is None:
        return None, _("Enter the weight as a number.")
    if found <= 0:
        return None, _("A weight must be more than 0.")
    if found > TOTAL_WEIGHT:
        return None, _("A weight cannot be more than 100.")
    if found != found.quantize(Decimal("0.01")):
        return None, _("A weight has at most two decimal places.")
    return found.quantize(Decimal("0.01")), None


def check_indicators(rows: Sequence[Mapping[str, Any]]) -> Checked:
    """Check indicators given as {"kind", "weight", "params"} and return them normalised
    (weights as Decimal, parameters complete) or every problem found."""
    checked = Checked()
    if not rows:
        checked.problems.append(Problem(None, "", _("Add at least one indicator.")))
        return checked
    seen: dict[str, int] = {}
    total = Decimal(0)
    weights_ok = True
    for index, row in enumerate(rows):
        problems = checked.problems
        kind = row.get("kind")
        if kind not in IndicatorKind.values:
            problems.append(
                Problem(index, "kind", _("“%(kind)s” is not a kind of indicator.") % {"kind": kind})
            )
            continue
        label = IndicatorKind(kind).label
        if kind in seen:
            problems.append(
                Problem(
                    index,
                    "kind",
                    _("“%(kind)s” is there twice; each indicator may appear once.")
                    % {"kind": label},
                )
            )
            continue
        seen[kind] = index
        weight, error = _check_weight(row.get("weight"))
        if error:
            problems.append(Problem(index, "weight", error))
            weights_ok = False
        else:
            assert weight is not None
            total += weight
        given = row.get("params")
        if given is None:
            given = {}
        if not isinstance(given, Mapping):
            problems.append(Problem(index, "params", _("The parameters must be named values.")))
            continue
        specs = {p.name: p for p in params_of(kind)}
        params: dict[str, Any] = {}
        for name in given:
            if name not in specs:
                problems.append(
                    Problem(
                        index,
                        f"params.{name}",
                        _("“%(name)s” is not a parameter of this indicator.") % {"name": name},
                    )
                )
        for spec in specs.values():
            if spec.name not in given:
                if spec.required:
                    problems.append(
                        Problem(index, f"params.{spec.name}", _("This parameter is required."))
                    )
                else:
                    params[spec.name] = plain(spec.default)
                continue
            value, error = _check_param(spec, given[spec.name])
            if error:
                problems.append(Problem(index, f"params.{spec.name}", error))
            else:
                params[spec.name] = value
        checked.indicators.append({"kind": kind, "weight": weight, "params": params})
    if (
        weights_ok
        and not any(p.field == "kind" for p in checked.problems)
        and total != TOTAL_WEIGHT
    ):
        checked.problems.append(
            Problem(
                None,
                "weight",
                _("The weights add up to %(total)s; they must add up to 100.")
                % {"total": _figure(total)},
            )
        )
    if checked.problems:
        checked.indicators = []
    return checked


def _figure(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
