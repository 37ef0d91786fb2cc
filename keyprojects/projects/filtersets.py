"""The ledger's filters and sort order, shared by the list page and the API.

Pass the query string, a queryset already restricted with `Project.objects.visible_to(user)`
and the request (the unit filters offer only units the person can see):

    filterset = ProjectFilterSet(request.GET, Project.objects.visible_to(request.user),
                                 request=request)
    if filterset.is_valid():
        projects = filterset.qs  # with `batch` and `annual_target` of filterset.selected_year
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Cast
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.organisations.models import Unit

from .choices import Batch, Industry, Level, Light, Stage
from .models import YUAN, Project

# Sortable ledger columns: the parameter a client sends, and the ORM path it orders by.
SORT_FIELDS: dict[str, tuple[str, Any]] = {
    "code": ("code", _("project code")),
    "name": ("name", _("project name")),
    "batch": ("batch", _("batch")),
    "stage": ("stage", _("stage")),
    "level": ("level", _("level")),
    "industry": ("industry", _("industry")),
    "site": ("site", _("site")),
    "owner_unit": ("owner_unit__name", _("owner unit")),
    "responsible_unit": ("responsible_unit__name", _("responsible unit")),
    "responsible_person": ("responsible_person", _("person responsible")),
    "leader": ("leader_in_charge", _("leader in charge")),
    "start_year": ("start_year", _("first construction year")),
    "end_year": ("end_year", _("last construction year")),
    "planned_start": ("planned_start", _("planned start")),
    "planned_completion": ("planned_completion", _("planned completion")),
    "actual_start": ("actual_start", _("actual start")),
    "actual_completion": ("actual_completion", _("actual completion")),
    "total_investment": ("total_investment", _("total investment")),
    "annual_target": ("annual_target", _("annual investment target")),
    "ytd_completed": ("ytd_completed", _("completed this year")),
    "plan_share": ("plan_share_order", _("share of annual plan")),
    "progress_percent": ("progress_percent", _("physical progress")),
    "light": ("light", _("light")),
    "updated_at": ("updated_at", _("updated")),
}


def visible_units(user: Any) -> QuerySet[Unit]:
    """Units of the jurisdictions `user` can see."""
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    ids = user.visible_jurisdiction_ids()
    units = Unit.objects.all()
    return units if ids is None else units.filter(jurisdiction_id__in=ids)


def _units_for(request: HttpRequest | None) -> QuerySet[Unit]:
    return visible_units(getattr(request, "user", None))


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


class LedgerOrderingFilter(django_filters.OrderingFilter):
    """Sort by the chosen columns, blanks last either way (as on every database), then by
    id so that pages never overlap."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        ordering = []
        for param in value:
            if param:
                path = self.get_ordering_value(param)
                name = path.removeprefix("-")
                # A column that cannot be blank needs no NULLS LAST, which would keep the
                # database from reading it in the order of its index.
                nulls_last = True if name not in NOT_NULL_COLUMNS else None
                field = F(name)
                ordering.append(
                    field.desc(nulls_last=nulls_last)
                    if path[0] == "-"
                    else field.asc(nulls_last=nulls_last)
                )
        return qs.order_by(*ordering, "pk")


NOT_NULL_COLUMNS = {
    field.name
    for field in Project._meta.concrete_fields
    if not field.null and not field.is_relation
}


class ProjectFilterSet(django_filters.FilterSet):
    year = YearFilter(
        label=_("year"),
        method="filter_nothing",
        min_value=1900,
        max_value=2200,
        help_text=_("The year whose batch and annual target are shown; this year by default."),
    )
    # Plain columns of the project: no join to repeat a row, so no DISTINCT (the filter's
    # default), which would make the count and the totals de-duplicate whole rows.
    batch = django_filters.MultipleChoiceFilter(
        label=_("batch"), choices=Batch.choices, method="filter_batch", distinct=False
    )
    stage = django_filters.MultipleChoiceFilter(
        label=_("stage"), choices=Stage.choices, distinct=False
    )
    level = django_filters.MultipleChoiceFilter(
        label=_("level"), choices=Level.choices, distinct=False
    )
    industry = django_filters.MultipleChoiceFilter(
        label=_("industry"), choices=Industry.choices, distinct=False
    )
    light = django_filters.MultipleChoiceFilter(
        label=_("light"), choices=Light.choices, distinct=False
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("unit"),
        queryset=_units_for,
        method="filter_unit",
        help_text=_("Projects this unit owns or answers for."),
    )
    owner_unit = django_filters.ModelChoiceFilter(label=_("owner unit"), queryset=_units_for)
    responsible_unit = django_filters.ModelChoiceFilter(
        label=_("responsible unit"), queryset=_units_for
    )
    leader = django_filters.CharFilter(
        label=_("leader in charge"), field_name="leader_in_charge", lookup_expr="exact"
    )
    q = django_filters.CharFilter(
        label=_("search"), method="filter_search", help_text=_("Part of the name or code.")
    )
    sort = LedgerOrderingFilter(
        label=_("sort by"),
        fields={path: param for param, (path, _label) in SORT_FIELDS.items()},
        field_labels={path: label for path, label in SORT_FIELDS.values()},
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(
        self,
        data: QueryDict | dict[str, Any] | None = None,
        queryset: QuerySet[Project] | None = None,
        *,
        request: HttpRequest | None = None,
        prefix: str | None = None,
    ) -> None:
        # Always bound, so the batch is annotated even when nothing is filtered.
        super().__init__(data if data is not None else {}, queryset, request=request, prefix=prefix)

    @property
    def selected_year(self) -> int:
        self.form.is_valid()  # cleaned_data holds the fields that are valid
        value = self.form.cleaned_data.get("year")
        return int(value) if value else timezone.localdate().year

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return super().filter_queryset(annotate_ledger(queryset, self.selected_year))

    def filter_nothing(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset

    def filter_batch(self, queryset: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        return queryset.filter(batch__in=value) if value else queryset

    def filter_unit(self, queryset: QuerySet[Any], name: str, value: Unit) -> QuerySet[Any]:
        return queryset.filter(Q(owner_unit=value) | Q(responsible_unit=value))

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        if value.upper() == value.lower():
            # Nothing in it has a case (Chinese, digits, dashes): a plain substring match
            # finds the same projects, and PostgreSQL can skip upper-casing every name.
            return queryset.filter(Q(name__contains=value) | Q(code__contains=value))
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


def annotate_ledger(queryset: QuerySet[Any], year: int) -> QuerySet[Any]:
    """Add the year's derived columns: `batch`, `annual_target` and `ytd_completed` (yuan,
    None without a plan) and `plan_share` (percent of the annual target completed).

    The year's plan comes in by one LEFT JOIN (a project has at most one plan a year), so
    sorting, filtering and summing by these columns costs one lookup a project, not one
    subquery per column."""
    money: DecimalField[Decimal, Decimal] = DecimalField(
        max_digits=YUAN["max_digits"], decimal_places=YUAN["decimal_places"]
    )
    share = ExpressionWrapper(F("ytd_completed") * 100 / F("annual_target"), output_field=money)
    return (
        queryset.with_batch(year)  # type: ignore[attr-defined]
        .alias(year_plan=FilteredRelation("annual_plans", condition=Q(annual_plans__year=year)))
        .annotate(
            annual_target=F("year_plan__investment_target"),
            ytd_completed=F("year_plan__ytd_completed"),
        )
        .annotate(plan_share=Case(When(annual_target__gt=0, then=share), default=None))
        # Sorting by the share in floating point orders the rows the same and is several
        # times quicker than exact decimal division over a whole ledger.
        .alias(
            plan_share_order=Case(
                When(
                    annual_target__gt=0,
                    then=Cast("ytd_completed", FloatField()) / Cast("annual_target", FloatField()),
                ),
                default=None,
                output_field=FloatField(),
            )
        )
    )
