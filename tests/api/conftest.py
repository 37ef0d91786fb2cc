from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from keyprojects.api.models import ApiToken
from keyprojects.organisations.models import User


class ApiClient:
    """A client that speaks JSON with a bearer token, as a script would."""

    def __init__(self, key: str | None, language: str = "en") -> None:
        headers = {"Accept-Language": language}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self.client = Client(headers=headers)

    def get(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, data)

    def _send(self, method: str, path: str, payload: Any) -> Any:
        body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
        return getattr(self.client, method)(path, body, content_type="application/json")

    def post(self, path: str, payload: Any = None) -> Any:
        return self._send("post", path, payload if payload is not None else {})

    def patch(self, path: str, payload: Any) -> Any:
        return self._send("patch", path, payload)

    def put(self, path: str, payload: Any) -> Any:
        return self._send("put", path, payload)


@pytest.fixture
def api_for(world: Any) -> Any:
    def make(user: User | None, language: str = "en") -> ApiClient:
        key = ApiToken.issue(user, "tests")[1] if user is not None else None
        return ApiClient(key, language)

    return make
