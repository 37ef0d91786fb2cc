"""Every figure of the cockpit opens a list filtered to the same records: the count the list
shows is the count the chart shows, for every reader."""

from __future__ import annotations

from typing import Any

import pytest

from keyprojects.cockpit.figures import figures_for
from keyprojects.cockpit.present import cockpit_data

from .conftest import MONTH, TODAY, YEAR

pytestmark = pytest.mark.django_db


def linked_counts(data: dict[str, Any]) -> list[tuple[str, int]]:
    """(url, count) for every figure of the cockpit that opens a list."""
    pairs = [(data["summary"]["projects_url"], data["summary"]["projects"]),
             (data["summary"]["behind_url"], data["summary"]["behind"])]  # fmt: skip
    pairs += [(b["url"], b["count"]) for b in data["batches"]]
    pairs += [(s["url"], s["count"]) for s in data["stages"]]
    pairs += [(m["url"], m["behind"]) for m in data["investment"]["months"]]
    pairs += [(light["url"], light["count"]) for light in data["lights"]["month"]]
    for months in data["lights"]["by_month"].values():
        pairs += [(m["url"], m["count"]) for m in months]
    pairs.append((data["lights"]["not_started"]["url"], data["lights"]["not_started"]["count"]))
    for row in data["ranking"]:
        pairs += [
            (row["projects_url"], row["projects"]),
            (row["red_url"], row["red"]),
            (row["yellow_url"], row["yellow"]),
            (row["overdue_tasks_url"], row["overdue_tasks"]),
        ]
    for block in (data["tasks"], data["problems"]):
        if block:
            pairs += [(bar["url"], bar["count"]) for bar in block["bars"] if bar["url"]]
    return pairs


def list_count(response: Any, url: str) -> int:
    """How many records the list page shows in all (every page of it)."""
    context = response.context
    if "#not-started" in url:
        return len(context["not_started"])
    if "lights" in context:
        return len(list(context["lights"]))
    return int(context["page"].paginator.count)


@pytest.mark.parametrize("persona", ["office", "leader", "owner_user", "responsible_user",
                                     "auditor", "outsider"])  # fmt: skip
def test_each_figure_opens_its_list_with_the_same_count(programme, client_for, persona):
    user = programme.world.personas()[persona]
    data = cockpit_data(figures_for(user, year=YEAR, month=MONTH, today=TODAY))
    client = client_for(user)
    pairs = linked_counts(data)
    assert len(pairs) > 60
    checked = 0
    for url, count in pairs:
        response = client.get(url)
        assert response.status_code == 200, url
        assert list_count(response, url) == count, (persona, url)
        checked += count > 0
    assert checked > 10 or persona == "outsider"


def test_the_links_carry_the_year_month_and_filters_the_chart_used(programme):
    world = programme.world
    data = cockpit_data(figures_for(world.office, year=YEAR, month=MONTH, today=TODAY))
    assert data["batches"][0]["url"] == "/projects/?year=2026&batch=new_start"
    assert data["stages"][2]["url"] == "/projects/?year=2026&stage=construction"
    assert data["lights"]["month"][2]["url"] == "/reports/behind/?year=2026&month=10&light=red"
    assert data["investment"]["months"][4]["url"] == "/reports/behind/?year=2026&month=5"
    unit = next(r for r in data["ranking"] if r["unit_id"] == world.bystander_unit.pk)
    assert unit["red_url"] == (
        f"/reports/behind/?year=2026&month=10&owner_unit={world.bystander_unit.pk}&light=red"
    )
    assert (
        unit["overdue_tasks_url"] == f"/tasks/all/?owner_unit={world.bystander_unit.pk}&overdue=on"
    )
    assert [b["url"] for b in data["tasks"]["bars"]] == [
        "/tasks/all/?status=done", "/tasks/all/", "/tasks/all/?overdue=on",
    ]  # fmt: skip


def test_the_behind_list_narrows_to_one_light_and_one_owner_unit(programme, client_for):
    world = programme.world
    client = client_for(world.office)
    base = f"/reports/behind/?year={YEAR}&month={MONTH}"

    def names(response):
        return sorted(light.project.name for light in response.context["lights"])

    assert names(client.get(base)) == ["朝天门片区城市更新", "珊瑚公园滨江公园"]
    assert names(client.get(base + "&light=green")) == ["老鼓楼衙署遗址公园"]
    assert names(client.get(base + f"&owner_unit={world.owner.pk}")) == []
    assert names(client.get(base + f"&owner_unit={world.owner.pk}&light=green")) == [
        "老鼓楼衙署遗址公园"
    ]
    # Nothing outside the reader's view comes in through a unit id, and junk is ignored.
    foreign_unit = world.foreign_project.owner_unit_id
    assert names(client.get(base + f"&owner_unit={foreign_unit}&light=green")) == []
    assert names(client.get(base + "&light=purple&owner_unit=x")) == names(client.get(base))
    not_started = client.get(base + f"&owner_unit={world.bystander_unit.pk}").context
    assert list(not_started["not_started"]) == []
