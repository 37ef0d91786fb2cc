"""The cockpit's figures as the page and the API give them: labels in the reader's language,
and for every figure the list it clicks through to, filtered to the same records."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from keyprojects.projects.choices import Batch, Light, Stage

from .figures import Closure, Figures, UnitRow, figures_for, month_end
from .ranking import assessment_ranking

LIGHTS = (Light.GREEN, Light.YELLOW, Light.RED)


def _url(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    path = reverse(name)
    return f"{path}?{query}" if query else path


def _optional_url(name: str, **params: Any) -> str | None:
    try:
        return _url(name, **params)
    except NoReverseMatch:
        return None


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _points(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def ledger_url(year: int, **filters: Any) -> str:
    return _url("projects:list", year=year, **filters)


def behind_url(year: int, month: int, **filters: Any) -> str:
    return _url("progress:behind", year=year, month=month, **filters)


def tasks_url(**filters: Any) -> str:
    return _url("supervision:list", **filters)


def map_tiles() -> str:
    """The tile server's URL template ({z}/{x}/{y}); empty means a plain background."""
    return str(getattr(settings, "KEYPROJECTS_MAP_TILES", "") or "")


def map_attribution() -> str:
    """Credit the tile server asks for, shown under the map."""
    return str(getattr(settings, "KEYPROJECTS_MAP_ATTRIBUTION", "") or "")


def script_json(value: Any) -> SafeString:
    """`value` as JSON to put in a <script type="application/json"> element: what the
    `json_script` filter does, a good deal quicker for the map's thousands of points."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")
    # Nothing in it can now close the element or open a tag.
    return mark_safe(text)


def cockpit_for(user: Any, *, year: int, month: int, today: dt.date) -> dict[str, Any]:
    """Everything the cockpit shows `user` for the month, as the page and the API give it."""
    figures = figures_for(user, year=year, month=month, today=today)
    data = cockpit_data(figures)
    data["assessment"] = assessment_ranking(
        user, year=year, month=month, today=today, live=figures.quick
    )
    return data


def cockpit_data(figures: Figures) -> dict[str, Any]:
    year, month = figures.year, figures.month
    return {
        "year": year,
        "month": month,
        "as_of": month_end(year, month).isoformat(),
        "today": figures.today.isoformat(),
        "figures_at": figures.as_of.isoformat() if figures.as_of else None,
        "current": figures.current,
        "summary": {
            "projects": figures.projects,
            "projects_url": ledger_url(year),
            "total_investment": _money(figures.total_investment),
            "annual_target": _money(figures.annual_target),
            "completed": _money(figures.completed_now),
            "expected": _money(figures.expected_now),
            "share": _points(figures.share),
            "expected_share": _points(figures.expected_share),
            "gap_points": _points(figures.gap_points),
            "behind": sum(figures.lights_in(month)[c] for c in (Light.YELLOW, Light.RED)),
            "behind_url": behind_url(year, month),
        },
        "batches": [
            {
                "key": batch.value,
                "label": str(batch.label),
                "count": figures.by_batch.get(batch.value, 0),
                "url": ledger_url(year, batch=batch.value),
            }
            for batch in Batch
        ],
        "stages": [
            {
                "key": stage.value,
                "label": str(stage.label),
                "count": figures.by_stage.get(stage.value, 0),
                "url": ledger_url(year, stage=stage.value),
            }
            for stage in Stage
        ],
        "investment": {
            "annual_target": _money(figures.annual_target),
            "months": [
                {
                    "month": m,
                    # Months after the one chosen are not reported yet.
                    "completed": _money(figures.completed[m - 1]) if m <= month else None,
                    "expected": _money(figures.expected[m - 1]),
                    "behind": figures.lights[Light.YELLOW][m - 1]
                    + figures.lights[Light.RED][m - 1],
                    "url": behind_url(year, m),
                }
                for m in range(1, 13)
            ],
        },
        "lights": {
            "legend": [{"key": c.value, "label": str(c.label)} for c in LIGHTS],
            # Points behind 序时 at which a light turns yellow and red.
            "thresholds": {
                "yellow": settings.KEYPROJECTS_LIGHT_YELLOW_POINTS,
                "red": settings.KEYPROJECTS_LIGHT_RED_POINTS,
            },
            "month": [
                {
                    "key": c.value,
                    "label": str(c.label),
                    "count": figures.lights[c][month - 1],
                    "url": behind_url(year, month, light=c.value),
                }
                for c in LIGHTS
            ],
            "by_month": {
                c.value: [
                    {"count": figures.lights[c][m - 1], "url": behind_url(year, m, light=c.value)}
                    for m in range(1, 13)
                ]
                for c in LIGHTS
            },
            "not_started": {
                "label": _("Planned start passed without 开工"),
                "count": figures.not_started,
                "url": behind_url(year, month) + "#not-started",
            },
        },
        "ranking": [_unit(row, year, month) for row in figures.units],
        "tasks": _closure(
            figures.tasks,
            closed_label=_("Done"),
            closed_url=tasks_url(status="done"),
            open_url=tasks_url(),
            overdue_url=tasks_url(overdue="on"),
        ),
        "problems": None
        if figures.problems is None
        else _closure(
            figures.problems,
            closed_label=_("Closed (销号)"),
            closed_url=_optional_url("problems:list", status="closed"),
            open_url=_optional_url("problems:list"),
            overdue_url=_optional_url("problems:list", overdue="on"),
        ),
        "map": {
            "tiles": map_tiles(),
            "attribution": map_attribution() if map_tiles() else "",
            "with_coordinates": figures.with_coordinates,
            "shown": len(figures.points),
            "project_url": reverse("projects:detail", args=[0]).removesuffix("0/"),
            # Arrays, not objects: a map holds thousands (see "fields").
            "fields": ["id", "lon", "lat", "light", "name"],
            "points": [[pk, lon, lat, light, name] for pk, name, lon, lat, light in figures.points],
        },
    }


def _unit(row: UnitRow, year: int, month: int) -> dict[str, Any]:
    return {
        "unit_id": row.unit_id,
        "unit": row.name,
        "projects": row.projects,
        "projects_url": ledger_url(year, owner_unit=row.unit_id),
        "paced_projects": row.paced_projects,
        "annual_target": _money(row.annual_target),
        "completed": _money(row.completed),
        "expected": _money(row.expected),
        "share": _points(row.share),
        "expected_share": _points(row.expected_share),
        "gap_points": _points(row.gap_points),
        "red": row.red,
        "red_url": behind_url(year, month, owner_unit=row.unit_id, light=Light.RED.value),
        "yellow": row.yellow,
        "yellow_url": behind_url(year, month, owner_unit=row.unit_id, light=Light.YELLOW.value),
        "overdue_tasks": row.overdue_tasks,
        "overdue_tasks_url": tasks_url(owner_unit=row.unit_id, overdue="on"),
    }


def _closure(
    closure: Closure,
    *,
    closed_label: str,
    closed_url: str | None,
    open_url: str | None,
    overdue_url: str | None,
) -> dict[str, Any]:
    return {
        "rate": _points(closure.rate),
        "bars": [
            {"key": "closed", "label": closed_label, "count": closure.closed, "url": closed_url},
            {
                "key": "open",
                "label": pgettext("task status", "Open"),
                "count": closure.open,
                "url": open_url,
            },
            {"key": "overdue", "label": _("Overdue"), "count": closure.overdue, "url": overdue_url},
        ],
        "dropped": closure.dropped,
    }
