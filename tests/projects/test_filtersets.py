"""The ledger filters, shared by the list page and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import override

from keyprojects.projects.choices import Light, Stage
from keyprojects.projects.filtersets import SORT_FIELDS, ProjectFilterSet, visible_units
from keyprojects.projects.models import Project
from tests.factories import AnnualPlanFactory, ProjectFactory


def _filter(user, query="", queryset=None):
    request = RequestFactory().get("/projects/", QueryDict(query))
    request.user = user
    queryset = queryset if queryset is not None else Project.objects.visible_to(user)
    return ProjectFilterSet(request.GET, queryset, request=request)


def _names(filterset):
    assert filterset.is_valid(), filterset.errors
    return sorted(p.name for p in filterset.qs)


@pytest.fixture
def reserve(world):
    return ProjectFactory(
        jurisdiction=world.district,
        name="马鞍山传统风貌区",
        code=None,
        stage=Stage.RESERVE,
        owner_unit=world.bystander_unit,
        responsible_unit=world.responsible,
        planned_start=None,
        planned_completion=None,
        actual_start=None,
        leader_in_charge="区长",
        light=Light.YELLOW,
        level="municipal",
        industry="culture_tourism",
    )


def test_without_parameters_it_keeps_the_given_queryset(world, reserve):
    assert _names(_filter(world.office)) == sorted(
        ["老鼓楼衙署遗址公园", "珊瑚公园滨江公园", "马鞍山传统风貌区"]
    )
    assert _names(_filter(world.outsider)) == ["江北嘴项目"]


def test_it_annotates_the_batch_of_this_year_by_default(world):
    filterset = _filter(world.office)

    assert filterset.selected_year == timezone.localdate().year
    project = filterset.qs.get(pk=world.project.pk)
    assert project.batch == world.project.batch(filterset.selected_year)


def test_an_unbound_filterset_is_annotated_too(world):
    filterset = ProjectFilterSet(queryset=Project.objects.visible_to(world.office))

    assert all(hasattr(p, "batch") for p in filterset.qs)


def test_the_year_chooses_the_batch_and_the_annual_figures(world):
    AnnualPlanFactory(
        project=world.project,
        year=2025,
        investment_target=Decimal("2000.00"),
        ytd_completed=Decimal("500.00"),
    )

    filterset = _filter(world.office, "year=2025")

    project = filterset.qs.get(pk=world.project.pk)
    assert filterset.selected_year == 2025
    assert project.batch == "continuing"
    assert project.annual_target == Decimal("2000.00")
    assert project.ytd_completed == Decimal("500.00")
    assert project.plan_share == Decimal(25)
    assert filterset.qs.get(pk=world.other_project.pk).annual_target is None


PARK, CORAL, OLD_TOWN = "老鼓楼衙署遗址公园", "珊瑚公园滨江公园", "马鞍山传统风貌区"
ALL = [PARK, CORAL, OLD_TOWN]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("year=2024&batch=new_start", [PARK, CORAL]),
        ("year=2025&batch=continuing", [PARK, CORAL]),
        ("year=2026&batch=completed", [PARK, CORAL]),
        ("year=2026&batch=reserve", [OLD_TOWN]),
        (
            "year=2026&batch=reserve&batch=completed",
            ALL,
        ),
        ("stage=reserve", [OLD_TOWN]),
        (
            "stage=construction&stage=reserve",
            ALL,
        ),
        ("level=municipal", [OLD_TOWN]),
        ("industry=culture_tourism", [OLD_TOWN]),
        ("light=yellow", [OLD_TOWN]),
        ("leader=区长", [OLD_TOWN]),
        ("leader=区", []),
        ("q=滨江", [CORAL]),
        ("q=公园", [PARK, CORAL]),
        ("q=+", ALL),
    ],
)
def test_it_filters(world, reserve, query, expected):
    assert _names(_filter(world.office, query)) == sorted(expected)


def test_the_search_finds_a_part_of_the_code(world):
    Project.objects.filter(pk=world.project.pk).update(code="2024-500103-78-01-424242")

    assert _names(_filter(world.office, "q=424242")) == ["老鼓楼衙署遗址公园"]


def test_unit_matches_the_owner_or_the_responsible_unit(world, reserve):
    unit = world.bystander_unit.pk
    responsible = world.responsible.pk

    assert _names(_filter(world.office, f"unit={unit}")) == ["珊瑚公园滨江公园", "马鞍山传统风貌区"]
    assert _names(_filter(world.office, f"owner_unit={unit}")) == [
        "珊瑚公园滨江公园",
        "马鞍山传统风貌区",
    ]
    assert _names(_filter(world.office, f"responsible_unit={responsible}")) == [
        "老鼓楼衙署遗址公园",
        "马鞍山传统风貌区",
    ]


def test_the_unit_filters_offer_only_visible_units(world):
    form = _filter(world.outsider).form

    offered = {u.name for u in form.fields["unit"].queryset}
    assert offered == {"江北区城投公司"}
    assert set(form.fields["owner_unit"].queryset) == set(form.fields["unit"].queryset)


def test_a_unit_out_of_view_is_an_error_not_a_leak(world):
    filterset = _filter(world.outsider, f"unit={world.owner.pk}")

    assert not filterset.is_valid()
    assert "unit" in filterset.errors


def test_visible_units_are_none_for_the_anonymous(world):
    from django.contrib.auth.models import AnonymousUser

    assert not visible_units(AnonymousUser()).exists()
    assert not visible_units(None).exists()


@pytest.mark.parametrize(
    "query",
    [
        "sort=password",
        "sort=-jurisdiction__name",
        "year=soon",
        "year=99999",
        "stage=building",
        "batch=late",
        "unit=abc",
    ],
)
def test_it_refuses_bad_values(world, query):
    filterset = _filter(world.office, query)

    assert not filterset.is_valid()
    assert set(filterset.errors) == {query.split("=")[0]}


def test_bad_values_do_not_stop_the_year_default(world):
    assert _filter(world.office, "year=soon").selected_year == timezone.localdate().year


@pytest.mark.parametrize("param", list(SORT_FIELDS))
def test_it_sorts_by_every_ledger_column_both_ways(world, reserve, param):
    for sort in (param, f"-{param}"):
        filterset = _filter(world.office, f"sort={sort}")
        assert filterset.is_valid(), filterset.errors
        assert len(list(filterset.qs)) == 3


def test_sorting_puts_blanks_last_and_breaks_ties_by_id(world, reserve):
    Project.objects.filter(pk=world.other_project.pk).update(planned_start=dt.date(2023, 1, 1))

    up = [p.name for p in _filter(world.office, "sort=planned_start").qs]
    down = [p.name for p in _filter(world.office, "sort=-planned_start").qs]
    by_level = [p.pk for p in _filter(world.office, "sort=level").qs]

    assert up == ["珊瑚公园滨江公园", "老鼓楼衙署遗址公园", "马鞍山传统风貌区"]
    assert down == ["老鼓楼衙署遗址公园", "珊瑚公园滨江公园", "马鞍山传统风貌区"]
    assert by_level == [world.project.pk, world.other_project.pk, reserve.pk]


def test_it_sorts_by_several_columns(world, reserve):
    names = [p.name for p in _filter(world.office, "sort=-level,-name").qs]

    # Names compare by code point here (老 U+8001 after 珊 U+73CA), not by pinyin.
    assert names == ["马鞍山传统风貌区", "老鼓楼衙署遗址公园", "珊瑚公园滨江公园"]


def test_without_sort_the_ledger_keeps_its_order(world, reserve):
    pks = [p.pk for p in _filter(world.office).qs]

    assert pks == sorted(pks)


def test_labels_are_translatable(world):
    form = _filter(world.office).form

    assert all(isinstance(field.label, Promise) for field in form.fields.values())
    with override("en"):
        assert str(form.fields["leader"].label) == "leader in charge"
    with override("zh-hans"):
        assert str(form.fields["stage"].choices[0][1]) == str(Stage.RESERVE.label)


def test_it_does_not_depend_on_the_api():
    import keyprojects.projects.filtersets as module

    source = Path(module.__file__).read_text(encoding="utf-8")
    assert "keyprojects.api" not in source and "ninja" not in source
