"""The assessment's ranking of units (考核) for the month, when that capability is installed.

A closed period's scores are stored and cheap to read. An open period, or a month no period
was opened for, is scored live by the assessment from every fact of the month: quick for a
ledger of a few thousand projects, too slow for a page over a large one, where the cockpit
links to the assessment instead of waiting for it.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.urls import reverse

SHOWN = 10


def assessment_services() -> Any:
    name = "keyprojects.assessment.services"
    try:
        module = import_module(name)
    except ModuleNotFoundError as missing:
        if missing.name and name.startswith(missing.name):
            return None
        raise
    return module if hasattr(module, "ranking_for") else None


def assessment_ranking(
    user: Any, *, year: int, month: int, today: dt.date, live: bool
) -> dict[str, Any] | None:
    """The month's ranking of the units of the reader's jurisdiction (or of the first
    jurisdiction they see that has one); None without the assessment capability."""
    services = assessment_services()
    if services is None:
        return None
    kind = import_module("keyprojects.assessment.choices").PeriodKind.MONTH
    periods = list(services.visible_periods(user).filter(kind=kind, year=year, number=month))
    periods.sort(key=lambda p: p.jurisdiction_id != user.jurisdiction_id)
    period = periods[0] if periods else None
    list_url = reverse("assessment:list")
    answer: dict[str, Any] = {
        "label": period.label if period else "",
        "provisional": True,
        "url": reverse("assessment:period", args=[period.pk]) if period else list_url,
        "rows": [],
        "scored": False,
        "deferred": False,
    }
    jurisdiction_id = period.jurisdiction_id if period else user.jurisdiction_id
    if jurisdiction_id is None:
        return answer
    if not (period is not None and period.is_closed) and not live:
        answer["deferred"] = True  # scoring it live would hold the page up: the link is there
        return answer
    ranking = services.ranking_for(jurisdiction_id, year, month, period=period, today=today)
    if ranking is None:
        return answer
    answer.update(
        label=ranking.label,
        provisional=ranking.provisional,
        scored=True,
        rows=[
            {
                "rank": row.rank,
                "unit_id": row.unit_id,
                "unit": row.name,
                "total": None if row.total is None else f"{row.total:.2f}",
                "board": row.board,
                "url": row.url or answer["url"],
            }
            for row in ranking.rows[:SHOWN]
        ],
    )
    return answer
