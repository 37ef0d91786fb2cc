"""Every page × every persona, including someone from another district."""

import pytest
from django.test import Client

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404

PERSONAS = [
    "office", "leader", "owner_user", "responsible_user", "bystander_user", "auditor", "outsider",
]  # fmt: skip


def expect(**by_persona: int) -> dict[str, int]:
    missing = set(PERSONAS) - set(by_persona)
    assert not missing, missing
    return by_persona


EVERYONE = expect(**dict.fromkeys(PERSONAS, OK))
READERS_OF_PROJECT = expect(
    office=OK, leader=OK, owner_user=OK, responsible_user=OK, bystander_user=OK, auditor=OK,
    outsider=NOT_FOUND,
)  # fmt: skip
EDITORS_OF_PROJECT = expect(
    office=OK, leader=FORBIDDEN, owner_user=OK, responsible_user=OK, bystander_user=FORBIDDEN,
    auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip
OFFICES = expect(
    office=OK, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=FORBIDDEN, auditor=FORBIDDEN, outsider=OK,
)  # fmt: skip
AUDIT_READERS = expect(
    office=OK, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=FORBIDDEN, auditor=OK, outsider=OK,
)  # fmt: skip

PAGES = [
    ("/projects/", EVERYONE),
    ("/projects/?batch=continuing&sort=-total_investment&q=公园", EVERYONE),
    ("/projects/{project}/", READERS_OF_PROJECT),
    ("/projects/{project}/edit/", EDITORS_OF_PROJECT),
    ("/projects/{project}/stage/", EDITORS_OF_PROJECT),
    ("/projects/{project}/plans/2026/", EDITORS_OF_PROJECT),
    ("/projects/add/", OFFICES),
    ("/projects/export.xlsx", EVERYONE),
    ("/projects/import/", OFFICES),
    ("/units/", EVERYONE),
    ("/audit/", AUDIT_READERS),
    ("/audit/?verify=1", AUDIT_READERS),
    ("/account/tokens/", EVERYONE),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_page_answers_each_persona_as_its_role_allows(world, client_for, persona, url, expected):
    user = world.personas()[persona]
    response = client_for(user).get(url.format(project=world.project.pk))
    assert response.status_code == expected[persona], (persona, url)


@pytest.mark.parametrize(
    "url", ["/projects/", "/projects/1/", "/units/", "/audit/", "/projects/export.xlsx"]
)
def test_signed_out_visitors_are_sent_to_sign_in(db, url):
    response = Client().get(url)
    assert response.status_code == REDIRECT
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("office", 302), ("leader", 403), ("owner_user", 403), ("auditor", 403), ("outsider", 404)],
)
def test_only_the_programme_office_deletes(world, client_for, persona, expected):
    user = world.personas()[persona]
    response = client_for(user).post(f"/projects/{world.project.pk}/delete/")
    assert response.status_code == expected


def test_someone_from_another_district_sees_none_of_its_projects(world, client_for):
    page = client_for(world.outsider).get("/projects/").content.decode()
    assert world.project.name not in page
    assert world.foreign_project.name in page


def test_a_unit_user_reads_the_whole_ledger_of_its_district(world, client_for):
    page = client_for(world.bystander_user).get("/projects/").content.decode()
    assert world.project.name in page and world.other_project.name in page
    assert world.foreign_project.name not in page


def test_the_audit_trail_shows_only_the_readers_jurisdiction(world, client_for):
    page = client_for(world.outsider).get("/audit/").content.decode()
    assert world.project.name not in page


def test_refusals_are_pages_in_the_users_language(world, client_for):
    forbidden = client_for(world.leader).get(f"/projects/{world.project.pk}/edit/")
    assert forbidden.status_code == 403 and "无权访问" in forbidden.content.decode()
    missing = client_for(world.outsider).get(f"/projects/{world.project.pk}/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
