"""The leaders' cockpit: open it, click a chart through to the list behind it, and find there
the count the chart showed; on a phone the charts stack; a tile server draws under the map."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal
from typing import Any

import pytest

from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyReport
from keyprojects.progress.services import lights_rebuild
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import AnnualPlan, Project
from keyprojects.supervision import services as tasks

from ..factories import ProjectFactory
from .conftest import sign_in

YEAR, MONTH = 2026, 10
COCKPIT = f"/cockpit/?year={YEAR}&month={MONTH}"


@pytest.fixture
def programme(world: Any) -> Any:
    """Projects in three batches, two of them behind 序时, on the map; a late task."""
    placed = {"latitude": Decimal("29.553"), "longitude": Decimal("106.572")}
    Project.objects.filter(pk=world.project.pk).update(**placed)
    Project.objects.filter(pk=world.other_project.pk).update(
        latitude=Decimal("29.561"), longitude=Decimal("106.590")
    )
    continuing = ProjectFactory(
        jurisdiction=world.district, name="朝天门片区城市更新", owner_unit=world.owner,
        responsible_unit=world.responsible, planned_completion=dt.date(2027, 12, 31),
        latitude=Decimal("29.566"), longitude=Decimal("106.586"),
    )  # fmt: skip
    ProjectFactory(
        jurisdiction=world.district, name="马鞍山传统风貌区", owner_unit=world.owner,
        responsible_unit=world.responsible, stage=Stage.RESERVE, planned_start=None,
        planned_completion=None, actual_start=None,
    )  # fmt: skip
    for project, target, monthly in (
        (world.project, 12_000_000, 1_000_000),
        (world.other_project, 6_000_000, 100_000),
        (continuing, 10_000_000, 300_000),
    ):
        AnnualPlan.objects.create(project=project, year=YEAR, investment_target=Decimal(target))
        for month in range(1, MONTH + 1):
            MonthlyReport.objects.create(
                project=project, year=YEAR, month=month, investment=Decimal(monthly),
                status=ReportStatus.ACCEPTED,
            )  # fmt: skip
    for month in range(1, MONTH + 1):
        lights_rebuild(year=YEAR, month=month)
    tasks.create_task(
        title="解决施工用电", owner_unit=world.owner, deadline=dt.date(2026, 1, 15),
        project=world.project, issued_by=world.office,
    )  # fmt: skip
    return world


def chart_data(page: Any) -> dict[str, Any]:
    return json.loads(page.locator("#cockpit-data").text_content())  # type: ignore[no-any-return]


def click_datum(page: Any, chart: str, series: int, index: int, value: Any) -> None:
    """Click, with the mouse, inside the chart element that draws datum `index` of `series`."""
    page.wait_for_selector(f"#{chart}[data-ready='1']")
    page.locator(f"#{chart}").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([id, series, index, value]) => {
            const chart = echarts.getInstanceByDom(document.getElementById(id));
            return chart.convertToPixel({seriesIndex: series}, [index, value]);
        }""",
        [chart, series, index, value],
    )
    box = page.locator(f"#{chart}").bounding_box()
    point_at(page, box["x"] + x, box["y"] + y + 4)


def point_at(page: Any, x: float, y: float) -> None:
    """Move onto (x, y) as a person would, let the chart notice, then click."""
    page.mouse.move(x - 3, y)
    page.mouse.move(x, y)
    page.wait_for_timeout(150)
    page.mouse.click(x, y)


def map_pixel(page: Any, point: list[Any]) -> tuple[float, float]:
    """Where on the page the map draws `point` ([id, longitude, latitude, ...])."""
    page.wait_for_selector("#chart-map[data-ready='1']")
    page.locator("#chart-map").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([lon, lat]) => {
            const chart = echarts.getInstanceByDom(document.getElementById('chart-map'));
            const rad = lat * Math.PI / 180;
            const my = (1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2 * 256;
            return chart.convertToPixel({seriesIndex: 0}, [(lon + 180) / 360 * 256, my]);
        }""",
        [point[1], point[2]],
    )
    box = page.locator("#chart-map").bounding_box()
    return box["x"] + x, box["y"] + y


def count_text(page: Any, selector: str) -> int:
    return int(re.search(r"\d+", page.locator(selector).inner_text()).group())  # type: ignore[union-attr]


def test_a_leader_clicks_charts_through_to_the_lists_behind_them(programme, page):
    sign_in(page, "leader")
    page.goto(COCKPIT)
    data = chart_data(page)
    assert page.locator("[data-testid=kpi-projects] [data-count]").inner_text() == "4"

    # A bar of the four batches opens the ledger filtered to that batch.
    continuing = next(b for b in data["batches"] if b["key"] == "continuing")
    index = data["batches"].index(continuing)
    click_datum(page, "chart-batches", 0, index, continuing["count"] / 2)
    page.wait_for_url("**/projects/?year=2026&batch=continuing")
    assert continuing["count"] == 1
    assert count_text(page, "[data-testid=count]") == continuing["count"]
    assert page.locator("[data-testid=ledger] tbody tr").count() == 1

    # The month's lights open the list of projects with that light.
    page.goto(COCKPIT)
    red = next(light for light in data["lights"]["month"] if light["key"] == "red")
    assert red["count"] == 2
    page.wait_for_selector("#chart-lights[data-ready='1']")
    x, y = page.locator("#chart-lights").evaluate(
        """(el) => {
            const chart = echarts.getInstanceByDom(el);
            const slice = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(2);
            const angle = (slice.startAngle + slice.endAngle) / 2;
            const radius = (slice.r0 + slice.r) / 2;
            return [slice.cx + radius * Math.cos(angle), slice.cy + radius * Math.sin(angle)];
        }"""
    )
    box = page.locator("#chart-lights").bounding_box()
    point_at(page, box["x"] + x, box["y"] + y)
    page.wait_for_url("**/reports/behind/?year=2026&month=10&light=red")
    assert page.locator("[data-testid=behind] tbody tr").count() == red["count"]

    # A month of the investment chart opens the projects behind in that month.
    page.goto(COCKPIT)
    march = data["investment"]["months"][2]
    click_datum(page, "chart-investment", 0, 2, float(march["completed"]) / 10000 / 2)
    page.wait_for_url("**/reports/behind/?year=2026&month=3")
    assert page.locator("[data-testid=behind] tbody tr").count() == march["behind"]

    # An owner unit's bar opens the ledger of its projects.
    page.goto(COCKPIT)
    ranked = [r for r in data["ranking"] if r["share"] is not None][:20][::-1]
    unit = ranked[0]
    click_datum(page, "chart-ranking", 0, float(unit["share"]) / 2, 0)
    page.wait_for_url(f"**/projects/?year=2026&owner_unit={unit['unit_id']}")
    assert count_text(page, "[data-testid=count]") == unit["projects"]

    # The overdue tasks open the overdue list.
    page.goto(COCKPIT)
    overdue = data["tasks"]["bars"][2]
    click_datum(page, "chart-tasks", 0, overdue["count"] / 2, 2)
    page.wait_for_url(lambda url: "/tasks/all/?overdue=on" in url)
    assert overdue["count"] == 1
    assert page.get_by_text("解决施工用电").count() == 1

    # A project on the map opens the project.
    page.goto(COCKPIT)
    point = data["map"]["points"][0]
    point_at(page, *map_pixel(page, point))
    page.wait_for_url(f"**/projects/{point[0]}/?year=2026")


def test_choosing_another_month_redraws_the_cockpit_for_it(programme, page):
    sign_in(page, "office")
    page.goto(COCKPIT)
    page.select_option("select[name=month]", "3")
    page.wait_for_url("**/cockpit/?year=2026&month=3")
    assert chart_data(page)["month"] == 3
    page.wait_for_selector("#chart-investment[data-ready='1']")


def test_on_a_phone_the_charts_stack_and_nothing_spills_sideways(programme, phone):
    sign_in(phone, "owner_user")
    phone.goto(COCKPIT)
    phone.wait_for_selector("#chart-map[data-ready='1']")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    batches = phone.locator("#chart-batches").bounding_box()
    stages = phone.locator("#chart-stages").bounding_box()
    assert stages["y"] > batches["y"] + batches["height"] - 1  # one below the other
    assert batches["width"] > 300


def test_without_a_tile_server_the_map_asks_nothing_of_anyone(programme, page, live_server):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, "office")
    page.goto(COCKPIT)
    page.wait_for_selector("#chart-map[data-ready='1']")
    assert all(url.startswith(live_server.url) for url in requests)
    assert page.locator("#chart-map").get_attribute("data-tiles") is None


def test_a_configured_tile_server_draws_under_the_map(programme, page, live_server, settings):
    settings.KEYPROJECTS_MAP_TILES = (
        f"{live_server.url}/static/keyprojects/favicon.svg?z={{z}}&x={{x}}&y={{y}}"
    )
    tiles: list[str] = []
    page.on("request", lambda r: tiles.append(r.url) if "favicon.svg?z=" in r.url else None)
    sign_in(page, "office")
    page.goto(COCKPIT)
    page.wait_for_selector("#chart-map[data-tiles='1']")
    page.wait_for_timeout(300)
    assert tiles
    z, x, y = (int(v) for v in re.search(r"z=(\d+)&x=(\d+)&y=(\d+)", tiles[0]).groups())  # type: ignore[union-attr]
    # 渝中区 (longitude 106.50 to 106.59, latitude 29.55 to 29.57) lies in the tiles asked for.
    assert 10 <= z <= 18
    for lon, lat in ((106.57, 29.56),):
        rad = math.radians(lat)
        tile_x = (lon + 180) / 360 * 2**z
        tile_y = (1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * 2**z
        assert abs(x - tile_x) <= 4 and abs(y - tile_y) <= 4


def test_a_name_with_markup_is_shown_as_text_in_a_tooltip(programme, page):
    Project.objects.filter(pk=programme.other_project.pk).update(
        name='<img src="x" onerror="window.hacked=1">珊瑚公园'
    )
    sign_in(page, "office")
    page.goto(COCKPIT)
    point = next(p for p in chart_data(page)["map"]["points"] if "珊瑚公园" in p[4])
    page.mouse.move(*map_pixel(page, point))
    page.get_by_text('<img src="x" onerror="window.hacked=1">珊瑚公园').wait_for()
    assert page.evaluate("window.hacked") is None
