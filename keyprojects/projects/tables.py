"""The ledger table: which columns, how each sorts and totals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import DecimalField, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import AnnualPlan


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    sort: str | None = None  # the ORM field or annotation to order by
    numeric: bool = False
    total: bool = False  # sum this column in the totals row
    wrap: bool = False


COLUMNS = [
    Column("code", _("Project code"), "code"),
    Column("name", _("Project name"), "name", wrap=True),
    Column("batch", _("Batch"), "batch"),
    Column("stage", _("Stage"), "stage"),
    Column("level", _("Level"), "level"),
    Column("industry", _("Industry"), "industry"),
    Column("owner_unit", _("Owner unit"), "owner_unit__name"),
    Column("responsible_unit", _("Responsible unit"), "responsible_unit__name"),
    Column("leader_in_charge", _("Leader in charge"), "leader"),
    Column("planned_start", _("Planned start"), "planned_start"),
    Column("planned_completion", _("Planned completion"), "planned_completion"),
    Column("total_investment", _("Total investment"), "total_investment", True, True),
    Column("annual_target", _("Annual plan"), "annual_target", True, True),
    Column("ytd_completed", _("Completed this year"), "ytd_completed", True, True),
    Column("plan_share", _("% of annual plan"), "plan_share", True),
    Column("progress_percent", _("Progress %"), "progress_percent", True),
    Column("light", _("Light"), "light"),
]


def totals(qs: QuerySet, year: int) -> dict[str, object]:  # type: ignore[type-arg]
    """Sums for the totals row, over every project that passes the filter."""
    money: DecimalField[Any, Any] = DecimalField(max_digits=20, decimal_places=2)
    projects = qs.order_by().aggregate(total_investment=Sum("total_investment"))
    plans = AnnualPlan.objects.filter(
        year=year, project_id__in=qs.order_by().values("pk")
    ).aggregate(
        annual_target=Coalesce(Sum("investment_target"), 0, output_field=money),
        ytd_completed=Sum("ytd_completed"),
    )
    return {**projects, **plans}
