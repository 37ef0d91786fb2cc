"""A real HTTP receiver on 127.0.0.1 that checks each request's signature, and the real task
worker, for the webhook tests."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import call_command

from keyprojects.notifications.webhooks import (
    ATTEMPT_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)

SECRET = "s3cret-for-tests"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    answered: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def event(self) -> str:
        return self.headers[EVENT_HEADER]

    @property
    def attempt(self) -> int:
        return int(self.headers[ATTEMPT_HEADER])


@dataclass
class Receiver:
    """Answers each signed request with the next of `answers` (then 200); refuses a request
    whose signature does not verify with 401, as a real receiver would."""

    secret: str = SECRET
    answers: list[int] = field(default_factory=list)
    body: bytes = b'{"ok":true}'
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                verified = verify_signature(
                    receiver.secret,
                    self.headers.get(TIMESTAMP_HEADER),
                    body,
                    self.headers.get(SIGNATURE_HEADER),
                )
                code = (receiver.answers.pop(0) if receiver.answers else 200) if verified else 401
                receiver.received.append(
                    Received(self.path, dict(self.headers.items()), body, verified, code)
                )
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(receiver.body if code == 200 else b'{"error":"no"}')

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def run_worker() -> None:
    """Run the queued tasks that are due with the real worker, inside the test's transaction
    (the worker would otherwise close the connection between tasks, as it does in production)."""
    from django_tasks_db.management.commands import db_worker

    original = db_worker.close_old_connections
    db_worker.close_old_connections = lambda: None
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    finally:
        db_worker.close_old_connections = original


@pytest.fixture
def worker() -> Any:
    return run_worker


@pytest.fixture(autouse=True)
def _english_pages(settings: Any) -> Any:
    """Messages are read in English here, in pages as in services."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
