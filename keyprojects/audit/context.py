"""Who is acting, and through what: set once per request, command, import or job."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from .choices import Channel


@dataclass(frozen=True)
class AuditContext:
    actor: Any = None  # a User, or None for the system
    channel: str = Channel.SYSTEM
    correlation_id: str = ""


_SYSTEM = AuditContext()
_current: ContextVar[AuditContext] = ContextVar("audit_context", default=_SYSTEM)


def current() -> AuditContext:
    return _current.get()


@contextmanager
def acting(*, actor: Any = None, channel: str, correlation_id: str = "") -> Iterator[AuditContext]:
    """Attribute every change made inside the block to `actor` through `channel`."""
    ctx = AuditContext(actor, channel, correlation_id or uuid.uuid4().hex)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


@contextmanager
def channel(name: str) -> Iterator[AuditContext]:
    """Keep the actor, change the channel (an import started from a page, say)."""
    ctx = replace(current(), channel=name)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
