"""The ledger table: which columns, how each sorts and totals."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, DecimalField, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

WAN = Decimal(10000)


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
    # xgettext:no-python-format
    Column("plan_share", _("% of annual plan"), "plan_share", True),
    Column("progress_percent", _("Progress %"), "progress_percent", True),
    Column("light", _("Light"), "light"),
]


def totals(qs: QuerySet, year: int) -> dict[str, Any]:  # type: ignore[type-arg]
    """Sums for the totals row, over every project that passes the filter, and their `count`.

    `qs` is the ledger queryset, annotated for `year` by `annotate_ledger`: one aggregate
    over it gives the count and all the sums in a single pass.
    """
    from .filtersets import annotate_ledger  # the filterset module builds on this one

    if "annual_target" not in qs.query.annotations:
        qs = annotate_ledger(qs, year)
    money: DecimalField[Any, Any] = DecimalField(max_digits=20, decimal_places=2)
    # Named apart from the annotations they sum, which SQL would otherwise take them for.
    sums = qs.order_by().aggregate(
        _count=Count("pk"),
        _total_investment=Sum("total_investment"),
        _annual_target=Coalesce(Sum("annual_target"), 0, output_field=money),
        _ytd_completed=Sum("ytd_completed"),
    )
    return {name.removeprefix("_"): value for name, value in sums.items()}


def cached_totals(qs: QuerySet, year: int) -> dict[str, Any]:  # type: ignore[type-arg]
    """`totals`, remembered until the data changes: a person paging or re-sorting within one
    filter does not sum the whole ledger again. The key holds the filter's SQL (which holds
    the person's visibility) and the audit trail's head: every write to a project or a plan
    goes through the audit trail and moves the head, so a remembered total is never stale."""
    from keyprojects.audit.models import AuditHead

    head = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    sql, params = qs.order_by().query.sql_with_params()
    digest = hashlib.sha256(f"{head}|{year}|{sql}|{params!r}".encode()).hexdigest()
    key = f"ledger-totals:{digest}"
    found = cache.get(key)
    if found is None:
        found = totals(qs, year)
        cache.set(key, found, timeout=600)
    return dict(found)


class LedgerPaginator(Paginator[Any]):
    """Fetches a page in two steps: the ids of its rows in the chosen order, then those rows
    with all their columns. The database then sorts and skips narrow rows, not the whole
    ledger's joined and computed columns, which keeps deep pages as quick as the first."""

    object_list: QuerySet[Any]

    def page(self, number: int | str) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids).order_by()}
        return Page([rows[pk] for pk in ids if pk in rows], number, self)


def _cell(value: object, css: str = "") -> str:
    text = "—" if value is None or value == "" else escape(value)
    return f'<td class="{css}">{text}</td>' if css else f"<td>{text}</td>"


def _money(value: Any) -> str:
    return "—" if value is None else f"{Decimal(value) / WAN:,.2f}"


def _percent(value: Any) -> str:
    return "—" if value is None else f"{Decimal(value):.1f}%"


def ledger_body(
    rows: list[Any], *, first: int, year: int, labels: dict[str, dict[str, str]]
) -> SafeString:
    """The ledger's rows as HTML. Built here rather than in the template, whose engine costs
    a quarter of a millisecond a row, which decides how fast a 250-row page answers. Every
    value is escaped."""
    detail = reverse("projects:detail", args=[0]).removesuffix("0/")
    batch, stage, level = labels["batch"], labels["stage"], labels["level"]
    industry, light_labels = labels["industry"], labels["light"]
    out = []
    for n, p in enumerate(rows, start=first):
        light = ""
        if p.light:
            name = escape(light_labels.get(p.light, p.light))
            light = f'<span class="light light-{escape(p.light)}" title="{name}"></span> {name}'
        out.append(
            "<tr>"
            f'<td class="num text-muted d-none d-md-table-cell">{n}</td>'
            + _cell(p.code, "font-monospace small d-none d-md-table-cell")
            + f'<td class="wrap"><a href="{detail}{p.pk}/?year={year}">{escape(p.name)}</a></td>'
            + _cell(batch.get(p.batch))
            + _cell(stage.get(p.stage, p.stage))
            + _cell(level.get(p.level, p.level))
            + _cell(industry.get(p.industry, p.industry))
            + _cell(p.owner_unit.name)
            + _cell(p.responsible_unit.name)
            + _cell(p.leader_in_charge)
            + _cell(p.planned_start.isoformat() if p.planned_start else None)
            + _cell(p.planned_completion.isoformat() if p.planned_completion else None)
            + f'<td class="num">{_money(p.total_investment)}</td>'
            + f'<td class="num">{_money(p.annual_target)}</td>'
            + f'<td class="num">{_money(p.ytd_completed)}</td>'
            + f'<td class="num">{_percent(p.plan_share)}</td>'
            + f'<td class="num">{_percent(p.progress_percent)}</td>'
            + f"<td>{light}</td></tr>"
        )
    return mark_safe("".join(out))
