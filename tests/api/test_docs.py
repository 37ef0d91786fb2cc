from __future__ import annotations

import json
import re

from django.test import Client

from keyprojects.projects.filtersets import ProjectFilterSet

PATHS = {
    "/api/units/": {"get"},
    "/api/units/{unit_id}/": {"get"},
    "/api/projects/": {"get", "post"},
    "/api/projects/{project_id}/": {"get", "patch"},
    "/api/projects/{project_id}/stage/": {"post"},
    "/api/projects/{project_id}/plans/{year}/": {"get", "put"},
    "/api/tasks/": {"get", "post"},
    "/api/tasks/{task_id}/": {"get"},
    "/api/tasks/{task_id}/actions/": {"post"},
}


def test_the_openapi_document_lists_every_path(db):
    response = Client().get("/api/openapi.json")

    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    paths = {path: set(ops) for path, ops in document["paths"].items()}
    # Each capability's own tests pin its paths; these are the ledger's and the tasks'.
    assert {path: paths.get(path) for path in PATHS} == PATHS


def test_the_openapi_document_describes_the_ledger_filters(db):
    document = Client().get("/api/openapi.json").json()

    parameters = document["paths"]["/api/projects/"]["get"]["parameters"]
    names = {p["name"] for p in parameters}
    assert names == {"limit", "offset", *ProjectFilterSet.base_filters}
    stage = next(p for p in parameters if p["name"] == "stage")
    assert "construction" in stage["schema"]["items"]["enum"]
    sort = next(p for p in parameters if p["name"] == "sort")
    assert "-total_investment" in sort["schema"]["items"]["enum"]
    assert sort["explode"] is False


def test_the_openapi_document_declares_both_ways_to_authenticate(db):
    document = Client().get("/api/openapi.json").json()

    schemes = document["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_amounts_are_strings_in_the_document(db):
    document = Client().get("/api/openapi.json").json()

    project = document["components"]["schemas"]["ProjectOut"]["properties"]
    assert project["total_investment"]["type"] == "string"


def test_the_docs_page_needs_no_cdn(db):
    response = Client().get("/api/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert sources
    assert not [s for s in sources if re.match(r"(https?:)?//", s)]
    assert not re.search(r"https?://[^\s\"']*(cdn|jsdelivr|unpkg)", html)


def test_the_docs_page_does_not_call_the_online_validator(db):
    html = Client().get("/api/docs").content.decode()

    assert '"validatorUrl": null' in html


def _schemas(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("keyprojects."):
            found.append(sub)
        found.extend(_schemas(sub))
    return found


def test_no_two_schemas_share_a_name_in_the_openapi_document(db):
    from ninja import Schema

    Client().get("/api/openapi.json")  # every capability's operations are loaded
    by_name: dict[str, set[str]] = {}
    for schema in _schemas(Schema):
        by_name.setdefault(schema.__name__, set()).add(schema.__module__)
    shared = {name: modules for name, modules in by_name.items() if len(modules) > 1}
    assert not shared, shared
