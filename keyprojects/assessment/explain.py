"""A score's arithmetic in words, from the figures stored with it: the same numbers, in the
reader's language, whenever it is read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .choices import IndicatorKind, NoData
from .engine import Line, SubjectResult
from .rules import TOTAL_WEIGHT

WAN = Decimal(10000)


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def wan(yuan: Any) -> str:
    return f"{_d(yuan) / WAN:,.2f}"


def pts(value: Any) -> str:
    return f"{_d(value):.2f}"


def ratio(value: Any) -> str:
    return f"{_d(value):.4f}"


def num(value: Any) -> str:
    """A weight or parameter without trailing zeros: 40, 1.2, 0.5."""
    return format(_d(value).normalize(), "f")


def pct(value: Any) -> str:
    return f"{_d(value):.2f}%"


def _no_data_reason(line: Line) -> str:
    if line.kind == IndicatorKind.INVESTMENT_COMPLETION:
        return _("no project has an annual investment plan with an amount expected by now")
    if line.kind == IndicatorKind.MILESTONES:
        return _("no target milestone of the year was due or reached")
    if line.kind == IndicatorKind.REPORTING_ON_TIME:
        return _("no monthly report was due yet")
    if line.kind == IndicatorKind.PROBLEM_CLOSURE:
        return _("no problem was open in the period")
    if line.kind == IndicatorKind.TASK_CLOSURE:
        return _("no supervised task was open in the period")
    if line.figures.get("unavailable"):
        return _(
            "inspections are not yet recorded in the system, so there are no hazard or "
            "accident figures"
        )
    return _("nothing was recorded")


def no_data_rule(mode: str, weight: Any) -> str:
    if mode == NoData.FULL:
        return _("Full marks: %(weight)s points.") % {"weight": num(weight)}
    if mode == NoData.ZERO:
        return _("No points.")
    return _("The indicator is left out and the total is scaled to 100.")


def steps(line: Line) -> list[str]:
    """The arithmetic of one indicator, step by step."""
    f, w = line.figures, num(line.weight)
    if line.no_data:
        return [
            _("Nothing to measure: %(reason)s.") % {"reason": _no_data_reason(line)},
            no_data_rule(str(f.get("when_no_data", NoData.EXCLUDE)), line.weight),
        ]
    if line.kind == IndicatorKind.INVESTMENT_COMPLETION:
        return _investment(line, w)
    if line.kind == IndicatorKind.MILESTONES:
        return [
            _(
                "%(on_time)s on time, %(late)s late and %(missed)s missed, of %(assessed)s "
                "milestones due or reached."
            )
            % f,
            _(
                "(%(on_time)s + %(late)s × %(credit)s) ÷ %(assessed)s = %(ratio)s; "
                "%(ratio)s × %(weight)s = %(points)s points."
            )
            % {
                **f,
                "credit": num(f["late_credit"]),
                "ratio": ratio(f["ratio"]),
                "weight": w,
                "points": pts(line.points),
            },
        ]
    if line.kind == IndicatorKind.REPORTING_ON_TIME:
        return [
            _(
                "%(on_time)s of %(due)s reports due were submitted by the due day: "
                "%(on_time)s ÷ %(due)s = %(ratio)s; %(ratio)s × %(weight)s = %(points)s points."
            )
            % {**f, "ratio": ratio(f["ratio"]), "weight": w, "points": pts(line.points)},
        ]
    if line.kind in (IndicatorKind.PROBLEM_CLOSURE, IndicatorKind.TASK_CLOSURE):
        return _closure(line, w)
    if line.kind == IndicatorKind.SAFETY:
        return _safety(line, w)
    return []


def _investment(line: Line, w: str) -> list[str]:
    f = line.figures
    shares = {str(_d(i["expected_share"])) for i in line.items}
    if len(shares) == 1:
        share = _d(shares.pop())
        planned = _d(f["planned"])
        actual = _d(f["completed"]) * 100 / planned if planned else Decimal(0)
        expected = _(
            "Completed this year %(completed)s of an annual plan of %(planned)s (10,000 yuan) "
            "= %(actual)s; the pace (序时) expects %(share)s by now, that is %(expected)s."
        ) % {
            "completed": wan(f["completed"]),
            "planned": wan(f["planned"]),
            "actual": pct(actual),
            "share": pct(share),
            "expected": wan(f["expected"]),
        }
    else:
        expected = _(
            "Expected by the pace (序时): each project's annual plan × its own expected share, "
            "added up: %(expected)s of %(planned)s (10,000 yuan)."
        ) % {"planned": wan(f["planned"]), "expected": wan(f["expected"])}
    found = [
        expected,
        _("Completed this year %(completed)s ÷ expected %(expected)s = %(ratio)s.")
        % {
            "completed": wan(f["completed"]),
            "expected": wan(f["expected"]),
            "ratio": ratio(f["ratio"]),
        },
        _("min(%(ratio)s, %(cap)s) × %(weight)s = %(points)s points.")
        % {
            "ratio": ratio(f["ratio"] if _d(f["ratio"]) >= 0 else f["used"]),
            "cap": num(f["cap"]),
            "weight": w,
            "points": pts(line.points),
        },
    ]
    if _d(f["ratio"]) < 0:
        found.insert(-1, _("A negative amount completed counts as nothing: 0 is used."))
    return found


def _closure(line: Line, w: str) -> list[str]:
    f = line.figures
    what = (
        _("problems closed (销号)")
        if line.kind == IndicatorKind.PROBLEM_CLOSURE
        else _("tasks done and accepted")
    )
    found = [
        _(
            "%(closed)s of %(considered)s %(what)s: %(closed)s ÷ %(considered)s = %(ratio)s; "
            "%(ratio)s × %(weight)s = %(earned)s."
        )
        % {**f, "what": what, "ratio": ratio(f["ratio"]), "weight": w, "earned": pts(f["earned"])},
        _("%(overdue)s past the deadline × %(each)s = %(deduction)s points off.")
        % {**f, "each": num(f["deduction_each"]), "deduction": pts(f["deduction"])},
        _("%(earned)s − %(deduction)s = %(points)s points (never below 0).")
        % {
            "earned": pts(f["earned"]),
            "deduction": pts(f["deduction"]),
            "points": pts(line.points),
        },
    ]
    if line.kind == IndicatorKind.PROBLEM_CLOSURE and f.get("source") == "tasks":
        found.insert(0, _("Read from the supervised tasks made from problems."))
    return found


def _safety(line: Line, w: str) -> list[str]:
    f = line.figures
    counts = {
        "overdue_hazards": f.get("overdue_hazards", 0),
        "open_hazards": f.get("open_hazards", 0),
        **{f"incident_{g}": n for g, n in (f.get("incidents") or {}).items()},
    }
    labels = {
        "overdue_hazards": _("hazards past the rectification deadline"),
        "open_hazards": _("hazards still open"),
        "incident_general": _("general accidents"),
        "incident_larger": _("larger accidents"),
        "incident_major": _("major accidents"),
        "incident_especially_major": _("especially major accidents"),
    }
    found = []
    for key, taken in (f.get("parts") or {}).items():
        count = int(counts.get(key, 0))
        if count:
            found.append(
                _("%(count)s %(what)s: %(taken)s points off.")
                % {"count": count, "what": labels.get(key, key), "taken": pts(taken)}
            )
    if not found:
        found.append(_("No hazard past its deadline and no accident recorded."))
    found.append(
        _("%(weight)s − %(deductions)s = %(points)s points (never below 0).")
        % {"weight": w, "deductions": pts(f["deductions"]), "points": pts(line.points)}
    )
    return found


def total_steps(result: SubjectResult) -> list[str]:
    counted = [line for line in result.lines if line.points is not None]
    if not counted:
        return [_("Every indicator was left out for lack of data: no total, no rank.")]
    terms = " + ".join(pts(line.points) for line in counted)
    found = [_("Points: %(terms)s = %(sum)s.") % {"terms": terms, "sum": pts(result.points_sum)}]
    if result.scaled:
        found.append(
            _(
                "The indicators counted weigh %(counted)s of 100, so the total is scaled: "
                "%(sum)s ÷ %(counted)s × 100 = %(total)s."
            )
            % {
                "counted": num(result.weight_counted),
                "sum": pts(result.points_sum),
                "total": pts(result.total),
            }
        )
    elif result.weight_counted == TOTAL_WEIGHT:
        found.append(_("Total: %(total)s.") % {"total": pts(result.total)})
    return found
