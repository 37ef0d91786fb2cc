from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from keyprojects.api.models import ApiToken

from .conftest import ApiClient


def test_it_accepts_a_bearer_token(world):
    _token, key = ApiToken.issue(world.office, "script")

    response = ApiClient(key).get("/api/projects/")

    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_it_refuses_an_unknown_token_with_json(world):
    response = ApiClient("not-a-key").get("/api/projects/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["errors"] == {}
    assert "Bearer" in response.json()["detail"]


def test_it_refuses_the_token_of_a_deactivated_person(world):
    _token, key = ApiToken.issue(world.office, "script")
    world.office.is_active = False
    world.office.save()

    assert ApiClient(key).get("/api/projects/").status_code == 401


def test_it_refuses_a_request_without_credentials(world):
    response = Client().get("/api/units/")

    assert response.status_code == 401


def test_it_records_when_a_token_was_last_used(world):
    token, key = ApiToken.issue(world.office, "script")

    ApiClient(key).get("/api/units/")

    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < dt.timedelta(seconds=10)


def test_it_records_the_last_use_at_most_once_a_minute(world):
    token, key = ApiToken.issue(world.office, "script")
    recent = timezone.now() - dt.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)

    ApiClient(key).get("/api/units/")
    token.refresh_from_db()
    assert token.last_used_at == recent

    stale = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    ApiClient(key).get("/api/units/")
    token.refresh_from_db()
    assert token.last_used_at > stale


def test_it_accepts_the_session_of_a_signed_in_person(world, client_for):
    response = client_for(world.leader).get("/api/projects/")

    assert response.status_code == 200


def test_a_session_write_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)
    url = f"/api/projects/{world.project.pk}/"

    refused = client.patch(url, {"version": 1, "site": "解放碑"}, content_type="application/json")

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    world.project.refresh_from_db()
    assert world.project.site == ""

    client.get("/api/docs")  # any page that sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.patch(
        url,
        {"version": 1, "site": "解放碑"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert accepted.status_code == 200


def test_a_token_write_needs_no_csrf_token(world):
    _token, key = ApiToken.issue(world.office, "script")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {key}"})

    response = client.patch(
        f"/api/projects/{world.project.pk}/",
        {"version": 1, "site": "解放碑"},
        content_type="application/json",
    )

    assert response.status_code == 200


def test_a_session_read_needs_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)

    assert client.get("/api/projects/").status_code == 200
