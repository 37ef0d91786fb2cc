from __future__ import annotations

from django.test import Client


def test_an_unknown_api_path_answers_json_404(world, api_for):
    response = api_for(world.office).get("/api/nothing/here/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


def test_the_api_root_points_to_the_docs(db):
    response = Client().get("/api/")

    assert response.json() == {"docs": "/api/docs", "openapi": "/api/openapi.json"}


def test_a_missing_final_slash_redirects_keeping_the_method(world, api_for):
    response = api_for(world.office).post("/api/projects", {"name": "x"})

    assert response.status_code == 308
    assert response["Location"] == "/api/projects/"


def test_a_missing_final_slash_keeps_the_query(world, api_for):
    response = api_for(world.office).get("/api/projects?stage=reserve&limit=5")

    assert response.status_code == 308
    assert response["Location"] == "/api/projects/?stage=reserve&limit=5"


def test_a_redirect_is_followed_with_the_body(world, api_for):
    api = api_for(world.office)

    response = api.client.patch(
        f"/api/projects/{world.project.pk}",
        '{"version": 1, "site": "解放碑"}',
        content_type="application/json",
        follow=True,
    )

    assert response.status_code == 200
    assert response.json()["site"] == "解放碑"


def test_the_not_found_message_speaks_the_callers_language(world, api_for):
    response = api_for(world.office, language="zh-hans").get("/api/nothing/")

    assert response.json()["detail"] == "未找到。"
