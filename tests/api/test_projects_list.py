from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keyprojects.projects.choices import Light, Stage
from tests.factories import AnnualPlanFactory, ProjectFactory

PARK, CORAL, OLD_TOWN, CAR_PARK = (
    "老鼓楼衙署遗址公园",
    "珊瑚公园滨江公园",
    "马鞍山传统风貌区",
    "解放碑地下停车库及连接通道三期工程",
)


def _names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


@pytest.fixture
def ledger(world):
    """Three more district projects, besides the world's two."""
    reserve = ProjectFactory(
        jurisdiction=world.district,
        name="马鞍山传统风貌区",
        code=None,
        stage=Stage.RESERVE,
        owner_unit=world.bystander_unit,
        responsible_unit=world.responsible,
        planned_start=None,
        planned_completion=None,
        actual_start=None,
        total_investment=Decimal("800000000.00"),
        leader_in_charge="分管副区长",
        light=Light.RED,
    )
    new_start = ProjectFactory(
        jurisdiction=world.district,
        name="解放碑地下停车库及连接通道三期工程",
        stage=Stage.PRELIMINARY,
        owner_unit=world.owner,
        responsible_unit=world.bystander_unit,
        planned_start=dt.date(2025, 6, 1),
        planned_completion=dt.date(2027, 6, 1),
        actual_start=None,
        total_investment=Decimal("20000000.00"),
        level="municipal",
        industry="transport",
    )
    type(world.other_project).objects.filter(pk=world.other_project.pk).update(
        code="2024-500103-78-01-777777"
    )
    AnnualPlanFactory(project=world.project, year=2025, investment_target=Decimal("123.45"))
    return {"reserve": reserve, "new_start": new_start}


def test_it_returns_amounts_as_decimal_strings_dates_iso_and_units(world, ledger, api_for):
    response = api_for(world.office).get("/api/projects/", {"year": 2025, "sort": "name"})

    item = next(i for i in response.json()["items"] if i["id"] == world.project.pk)
    assert item["total_investment"] == "100000000.00"
    assert item["annual_target"] == "123.45"
    assert item["planned_start"] == "2024-03-01"
    assert item["owner_unit"] == {"id": world.owner.pk, "name": "区城投公司"}
    assert item["batch"] == "continuing"
    assert item["year"] == 2025
    assert item["version"] == 1


def test_the_batch_is_for_the_current_year_by_default(world, api_for):
    response = api_for(world.office).get("/api/projects/")

    assert response.json()["year"] == timezone.localdate().year
    expected = world.project.batch(response.json()["year"])
    assert response.json()["items"][0]["batch"] == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stage": "reserve"}, [OLD_TOWN]),
        (
            {"stage": ["reserve", "preliminary"]},
            [OLD_TOWN, CAR_PARK],
        ),
        ({"level": "municipal"}, [CAR_PARK]),
        ({"industry": "transport"}, [CAR_PARK]),
        ({"light": "red"}, [OLD_TOWN]),
        ({"leader": "分管副区长"}, [OLD_TOWN]),
        ({"q": "公园"}, [PARK, CORAL]),
        ({"q": " 衙署 "}, [PARK]),
        ({"q": "01-777777"}, [CORAL]),
        ({"year": 2025, "batch": "new_start"}, [CAR_PARK]),
        ({"year": 2025, "batch": "continuing"}, [PARK, CORAL]),
        ({"year": 2026, "batch": "completed"}, [PARK, CORAL]),
        (
            {"year": 2024, "batch": "reserve"},
            [OLD_TOWN, CAR_PARK],
        ),
    ],
)
def test_it_filters_like_the_ledger(world, ledger, api_for, params, expected):
    response = api_for(world.office).get("/api/projects/", params)

    assert sorted(_names(response)) == sorted(expected)
    assert response.json()["count"] == len(expected)


def test_it_filters_by_unit_owning_or_answering(world, ledger, api_for):
    api = api_for(world.office)

    by_unit = _names(api.get("/api/projects/", {"unit": world.bystander_unit.pk}))
    by_owner = _names(api.get("/api/projects/", {"owner_unit": world.bystander_unit.pk}))
    by_resp = _names(api.get("/api/projects/", {"responsible_unit": world.bystander_unit.pk}))

    assert sorted(by_unit) == sorted(
        ["珊瑚公园滨江公园", "马鞍山传统风貌区", "解放碑地下停车库及连接通道三期工程"]
    )
    assert sorted(by_owner) == sorted(["珊瑚公园滨江公园", "马鞍山传统风貌区"])
    assert sorted(by_resp) == sorted(["珊瑚公园滨江公园", "解放碑地下停车库及连接通道三期工程"])


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-total_investment", [OLD_TOWN, PARK, CORAL, CAR_PARK]),
        ("total_investment", [CAR_PARK, PARK, CORAL, OLD_TOWN]),
        # Blanks go last whichever the direction.
        ("planned_start", [PARK, CORAL, CAR_PARK, OLD_TOWN]),
        ("-planned_start", [CAR_PARK, PARK, CORAL, OLD_TOWN]),
        ("-annual_target", [PARK, CORAL, OLD_TOWN, CAR_PARK]),
        ("level,-total_investment", [OLD_TOWN, PARK, CORAL, CAR_PARK]),
    ],
)
def test_it_sorts_by_ledger_columns(world, ledger, api_for, sort, expected):
    response = api_for(world.office).get("/api/projects/", {"sort": sort, "year": 2025})

    assert _names(response) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "password"}, "sort"),
        ({"stage": "building"}, "stage"),
        ({"year": "next"}, "year"),
        ({"unit": 999999}, "unit"),
        ({"limit": 501}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_it_refuses_bad_parameters_with_field_errors(world, api_for, params, field):
    response = api_for(world.office).get("/api/projects/", params)

    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_a_unit_of_another_district_is_not_a_valid_filter(world, api_for):
    response = api_for(world.office).get(
        "/api/projects/", {"unit": world.foreign_project.owner_unit_id}
    )

    assert response.status_code == 422
    assert "unit" in response.json()["errors"]


def test_it_paginates_with_a_count(world, api_for):
    ProjectFactory.create_batch(
        7, jurisdiction=world.district, owner_unit=world.owner, responsible_unit=world.owner
    )
    api = api_for(world.office)

    first = api.get("/api/projects/", {"limit": 4}).json()
    second = api.get("/api/projects/", {"limit": 4, "offset": 4}).json()
    last = api.get("/api/projects/", {"limit": 4, "offset": 8}).json()

    assert first["count"] == second["count"] == 9
    assert (first["limit"], first["offset"]) == (4, 0)
    ids = [p["id"] for page in (first, second, last) for p in page["items"]]
    assert len(ids) == len(set(ids)) == 9


def test_sorted_pages_do_not_overlap(world, api_for):
    ProjectFactory.create_batch(
        9, jurisdiction=world.district, owner_unit=world.owner, responsible_unit=world.owner
    )
    api = api_for(world.office)

    ids = []
    for offset in range(0, 11, 3):
        page = api.get("/api/projects/", {"limit": 3, "offset": offset, "sort": "level"})
        ids += [p["id"] for p in page.json()["items"]]

    assert len(ids) == len(set(ids)) == 11


def test_the_number_of_queries_does_not_grow_with_the_page(world, api_for):
    for _ in range(3):
        owner = ProjectFactory(jurisdiction=world.district).owner_unit
        ProjectFactory.create_batch(10, jurisdiction=world.district, owner_unit=owner)
    api = api_for(world.office)
    api.get("/api/projects/")  # the token's first use writes its time

    with CaptureQueriesContext(connection) as small:
        assert len(api.get("/api/projects/", {"limit": 5}).json()["items"]) == 5
    with CaptureQueriesContext(connection) as large:
        assert len(api.get("/api/projects/", {"limit": 100}).json()["items"]) == 35

    assert len(large) == len(small)
    assert len(large) <= 5


@pytest.mark.parametrize(
    ("year", "batch"), [(2024, "new_start"), (2025, "continuing"), (2026, "completed")]
)
def test_one_project_shows_the_batch_of_the_asked_year(world, api_for, year, batch):
    response = api_for(world.leader).get(f"/api/projects/{world.project.pk}/", {"year": year})

    assert (response.json()["year"], response.json()["batch"]) == (year, batch)
