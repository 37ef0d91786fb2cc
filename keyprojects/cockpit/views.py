from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from .period import parse_period, year_choices
from .present import cockpit_for, script_json


def chart_text() -> dict[str, Any]:
    """The words the charts draw, in the reader's language."""
    return {
        "months": [str(MONTHS[m]) for m in range(1, 13)],
        "wan": _("10k yuan"),
        "projects": _("projects"),
        "completed": _("Completed (cumulative)"),
        "expected": _("序时 expected"),
        "plan": _("Annual plan"),
        "behind": _("Behind (yellow and red)"),
        "share": _("Completed share"),
        "expected_share": _("序时 share"),
        "gap": _("Gap (points)"),
        "no_light": _("No light"),
        "open_list": _("Click to open the list"),
        "open_project": _("Click to open the project"),
        "no_data": _("No data for this month."),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """领导驾驶舱: the whole programme at a glance, for the month chosen."""
    today = timezone.localdate()
    period, errors = parse_period(request.GET, today)
    for problems in errors.values():
        for problem in problems:
            messages.warning(request, problem)
    data = cockpit_for(request.user, year=period.year, month=period.month, today=today)
    return render(
        request,
        "cockpit/index.html",
        {
            "nav": "cockpit",
            "data": data,
            "figures_at": parse_datetime(data["figures_at"] or ""),
            "data_json": script_json(data),
            "text_json": script_json(chart_text()),
            "year": period.year,
            "month": period.month,
            "years": year_choices(today, period.year),
            "months": [(m, MONTHS[m]) for m in range(1, 13)],
        },
    )
