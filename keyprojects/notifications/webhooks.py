"""Outgoing webhooks: each notice posted once per webhook as signed JSON, retried with backoff.

Every request carries

    X-Keyprojects-Event:      the notice's id (the same on every retry: receive it once)
    X-Keyprojects-Attempt:    1, 2, ...
    X-Keyprojects-Timestamp:  Unix time in seconds when this attempt was sent
    X-Keyprojects-Signature:  sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret>

A receiver recomputes the signature over the raw body and refuses the request when it differs
or when the timestamp is more than five minutes off (a captured request cannot be replayed
later); `verify_signature()` is the reference. An answer other than 2xx, or no answer, is
tried again after 1, 2, 4, 8 ... minutes until the attempts run out. Delivery runs on the task
worker, never in a web request.

The chat robots of WeCom, DingTalk and Feishu want their own text message instead of the JSON
above; DingTalk and Feishu robots also check their own signature, made with the secret they
give (enter it as the webhook's secret).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from keyprojects.organisations.models import Jurisdiction, Unit

from .choices import EventStatus, WebhookFormat
from .kinds import TEST_KIND, kind_of
from .models import Webhook, WebhookDelivery, WebhookEvent

log = logging.getLogger(__name__)

EVENT_HEADER = "X-Keyprojects-Event"
ATTEMPT_HEADER = "X-Keyprojects-Attempt"
TIMESTAMP_HEADER = "X-Keyprojects-Timestamp"
SIGNATURE_HEADER = "X-Keyprojects-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300


def max_attempts() -> int:
    return int(getattr(settings, "KEYPROJECTS_WEBHOOK_MAX_ATTEMPTS", 8))


def first_retry_seconds() -> int:
    return int(getattr(settings, "KEYPROJECTS_WEBHOOK_FIRST_RETRY_SECONDS", 60))


def timeout_seconds() -> float:
    return float(getattr(settings, "KEYPROJECTS_WEBHOOK_TIMEOUT_SECONDS", 10))


def retry_delay(attempt: int) -> dt.timedelta:
    """The wait after failed attempt number `attempt`: doubling, at most six hours."""
    return dt.timedelta(seconds=min(first_retry_seconds() * 2 ** (attempt - 1), 6 * 3600))


# -- signing ----------------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str,
    timestamp: str | None,
    body: bytes,
    signature: str | None,
    *,
    now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """True when `signature` is this body's, made with `secret` at `timestamp`, and the
    timestamp is within `tolerance` seconds of now."""
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


# -- what is sent -----------------------------------------------------------------------------


def _jurisdiction_chains() -> dict[int, list[int]]:
    parents = dict(Jurisdiction.objects.values_list("pk", "parent_id"))
    chains: dict[int, list[int]] = {}
    for pk in parents:
        chain: list[int] = []
        at: int | None = pk
        while at is not None and at not in chain:
            chain.append(at)
            at = parents.get(at)
        chains[pk] = chain
    return chains


def queue_events(
    *, kind: str, key: str, title: str, body: str, url: str, recipients: list[tuple[Any, bool]]
) -> list[WebhookEvent]:
    """Make one event per active webhook that takes `kind` and covers someone the notice is
    for who has not muted it; queue its delivery. `recipients` are (person, muted) pairs."""
    hooks = [h for h in Webhook.objects.filter(active=True) if h.takes(kind)]
    if not hooks:
        return []
    chains = _jurisdiction_chains()
    units = Unit.objects.in_bulk({u.unit_id for u, _m in recipients if u.unit_id})

    def jurisdiction_of(user: Any) -> int | None:
        if user.jurisdiction_id:
            return int(user.jurisdiction_id)
        unit = units.get(user.unit_id)
        return unit.jurisdiction_id if unit else None

    made = []
    for hook in hooks:
        covered = [
            (user, muted)
            for user, muted in recipients
            if hook.jurisdiction_id in chains.get(jurisdiction_of(user) or 0, [])
            and (hook.unit_id is None or user.unit_id == hook.unit_id)
        ]
        if not covered or all(muted for _u, muted in covered):
            continue
        wanted = [user for user, muted in covered if not muted]
        event = WebhookEvent(webhook=hook, kind=kind, key=key, title=title[:200])
        event.payload = payload(
            event, body=body, url=url, jurisdiction=hook.jurisdiction_id, people=wanted, units=units
        )
        event.next_try_at = timezone.now()
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError:
            continue  # this webhook already has this notice
        enqueue(event)
        made.append(event)
    return made


def payload(
    event: WebhookEvent,
    *,
    body: str,
    url: str,
    jurisdiction: int,
    people: list[Any],
    units: dict[int, Unit] | None = None,
    test: bool = False,
) -> dict[str, Any]:
    from .services import absolute

    units = units or {}
    place = Jurisdiction.objects.filter(pk=jurisdiction).values("code", "name").first()
    kind = kind_of(event.kind)
    return {
        "id": str(event.uid),
        "kind": event.kind,
        "kind_label": str(kind.label),
        "group": kind.group,
        "key": event.key,
        "title": event.title,
        "body": body,
        "url": absolute(url),
        "created_at": timezone.now().isoformat(),
        "jurisdiction": place,
        "recipients": [
            {
                "username": p.username,
                "name": p.full_name or p.position or p.username,
                "unit": units[p.unit_id].name if p.unit_id in units else None,
            }
            for p in people
        ],
        "test": test,
    }


def text_of(data: dict[str, Any]) -> str:
    """The notice as one chat message."""
    lines = [f"【{data.get('kind_label') or data.get('kind')}】{data.get('title', '')}"]
    if data.get("body") and data["body"] != data.get("title"):
        lines.append(str(data["body"]))
    names = "、".join(
        f"{r['name']}（{r['unit']}）" if r.get("unit") else str(r["name"])
        for r in data.get("recipients") or []
    )
    if names:
        lines.append(_("For: %(names)s") % {"names": names})
    if data.get("url"):
        lines.append(str(data["url"]))
    return "\n".join(lines)


def request_for(hook: Webhook, event: WebhookEvent, attempt: int) -> urllib.request.Request:
    """The HTTP request of one attempt, signed now."""
    now = time.time()
    url, message = hook.url, event.payload
    if hook.format == WebhookFormat.WECOM:
        message = {"msgtype": "text", "text": {"content": text_of(event.payload)}}
    elif hook.format == WebhookFormat.DINGTALK:
        message = {"msgtype": "text", "text": {"content": text_of(event.payload)}}
        millis = str(int(now * 1000))
        digest = hmac.new(
            hook.signing_secret.encode(), f"{millis}\n{hook.signing_secret}".encode(), "sha256"
        ).digest()
        signed = urllib.parse.quote_plus(base64.b64encode(digest))
        url = f"{url}{'&' if '?' in url else '?'}timestamp={millis}&sign={signed}"
    elif hook.format == WebhookFormat.FEISHU:
        seconds = str(int(now))
        key = f"{seconds}\n{hook.signing_secret}".encode()
        message = {
            "timestamp": seconds,
            "sign": base64.b64encode(hmac.new(key, b"", "sha256").digest()).decode(),
            "msg_type": "text",
            "content": {"text": text_of(event.payload)},
        }
    body = json.dumps(message, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    timestamp = str(int(now))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "keyprojects-webhook/1",
        EVENT_HEADER: str(event.uid),
        ATTEMPT_HEADER: str(attempt),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(hook.signing_secret, timestamp, body),
    }
    return urllib.request.Request(url, data=body, headers=headers, method="POST")


# -- sending ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""
    response: str = ""
    duration_ms: int = 0


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET without the notice: count it as a failure."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(hook: Webhook, event: WebhookEvent, attempt: int) -> Outcome:
    request = request_for(hook, event, attempt)
    started = time.monotonic()
    status: int | None = None
    raw = b""
    error = ""
    try:
        with _opener.open(request, timeout=timeout_seconds()) as answer:
            status = int(answer.status)
            raw = answer.read(2048)
    except urllib.error.HTTPError as failure:
        status = failure.code
        raw = failure.read(2048) if failure.fp else b""
    except (urllib.error.URLError, OSError, ValueError) as failure:
        reason = getattr(failure, "reason", None) or failure
        error = _("No answer: %(reason)s") % {"reason": reason}
    elapsed = int((time.monotonic() - started) * 1000)
    text = raw.decode("utf-8", "replace")[:500]
    if status is not None and not 200 <= status < 300:
        error = _("The receiver answered HTTP %(status)s.") % {"status": status}
    elif status is not None:
        error = _robot_refusal(hook, text)
    return Outcome(not error, status, error[:500], text, elapsed)


def _robot_refusal(hook: Webhook, text: str) -> str:
    """The chat robots answer 200 with an error code in the body (a bad key, a bad signature,
    too many messages): that is a failure too."""
    if hook.format == WebhookFormat.GENERIC:
        return ""
    try:
        answer = json.loads(text or "{}")
    except ValueError:
        return ""
    if not isinstance(answer, dict):
        return ""
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code in (0, "0", None):
        return ""
    message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
    return _("The robot refused the message: %(code)s %(message)s") % {
        "code": code,
        "message": message,
    }


def enqueue(event: WebhookEvent, run_after: dt.datetime | None = None) -> None:
    job = deliver_event.using(run_after=run_after) if run_after else deliver_event
    job.enqueue(event.pk)


def attempt(event_id: int, *, now: dt.datetime | None = None) -> WebhookDelivery | None:
    """Try to deliver an event once, if its turn has come. Returns the attempt's log row, or
    None when there was nothing to do (delivered already, given up, or a later try is set)."""
    now = now or timezone.now()
    with transaction.atomic():
        event = (
            WebhookEvent.objects.select_for_update()
            .select_related("webhook")
            .filter(pk=event_id)
            .first()
        )
        if event is None or event.status != EventStatus.PENDING:
            return None
        if event.next_try_at is not None and event.next_try_at > now:
            return None  # another worker has it, or a later try is scheduled
        if not event.webhook.active and event.kind != TEST_KIND:
            event.status, event.next_try_at = EventStatus.FAILED, None
            event.last_error = _("The webhook was switched off before this notice was sent.")
            event.save(update_fields=["status", "next_try_at", "last_error"])
            return None
        number = event.attempts + 1
        # Hold the event while the request is out, so a duplicate task leaves it alone; if
        # this worker dies, the sweep (`keyprojects webhooks`) takes it up after the hold.
        event.attempts = number
        event.next_try_at = now + dt.timedelta(seconds=timeout_seconds() + 60)
        event.save(update_fields=["attempts", "next_try_at"])
    outcome = post(event.webhook, event, number)
    finished = timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery(
            event=event,
            attempt=number,
            at=finished,
            ok=outcome.ok,
            status_code=outcome.status_code,
            error=outcome.error,
            response=outcome.response,
            duration_ms=outcome.duration_ms,
        )
        if outcome.ok:
            event.status, event.delivered_at, event.next_try_at = (
                EventStatus.DELIVERED,
                finished,
                None,
            )
            event.last_error = ""
        elif number >= max_attempts():
            event.status, event.next_try_at = EventStatus.FAILED, None
            event.last_error = outcome.error
        else:
            event.next_try_at = delivery.next_try_at = finished + retry_delay(number)
            event.last_error = outcome.error
        delivery.save()
        event.save(update_fields=["status", "delivered_at", "next_try_at", "last_error"])
        if event.status == EventStatus.PENDING:
            enqueue(event, run_after=event.next_try_at)
    return delivery


def send_again(event: WebhookEvent) -> None:
    """One more try now, for an event that gave up (the receiver is fixed, say)."""
    if event.status == EventStatus.DELIVERED:
        raise ValueError("delivered")
    now = timezone.now()
    WebhookEvent.objects.filter(pk=event.pk).update(status=EventStatus.PENDING, next_try_at=now)
    enqueue(event)


def send_test(hook: Webhook, *, user: Any) -> WebhookEvent:
    """Queue a test notice for this webhook (whether or not it is active)."""
    event = WebhookEvent(
        webhook=hook,
        kind=TEST_KIND,
        key=uuid.uuid4().hex,
        title=_("Test notice from the key projects platform"),
    )
    event.payload = payload(
        event,
        body=_("%(person)s sent this test to check that %(name)s receives notices.")
        % {"person": user.full_name or user.username, "name": hook.name},
        url="",
        jurisdiction=hook.jurisdiction_id,
        people=[],
        test=True,
    )
    event.next_try_at = timezone.now()
    event.save()
    enqueue(event)
    return event


def deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Attempt, here and now, every event whose turn has come: for a deployment without the
    task worker (run it every minute), and to pick up an attempt whose worker died."""
    now = now or timezone.now()
    due = list(
        WebhookEvent.objects.filter(status=EventStatus.PENDING, next_try_at__lte=now)
        .order_by("next_try_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if attempt(pk, now=now) is not None)


@task()
def deliver_event(event_id: int) -> str:
    delivery = attempt(event_id)
    if delivery is None:
        return "nothing to do"
    return "delivered" if delivery.ok else f"failed: {delivery.error}"
