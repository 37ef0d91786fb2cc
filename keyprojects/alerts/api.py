"""Alerts in the JSON API: read them, acknowledge or resolve them, and (the office) tune the
rules that raise them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.params import P, QueryEx

from keyprojects.api.auth import caller
from keyprojects.api.errors import forbidden, not_found
from keyprojects.api.schemas import ErrorOut
from keyprojects.organisations.models import Jurisdiction

from . import services
from .choices import ACTIVE_STATUSES, AlertKind, AlertStatus, EventKind, Owner, Severity
from .models import RED_FIRST, Alert, AlertQuerySet, AlertRule
from .rules import installed

router = Router(tags=["alerts"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class AlertOut(Schema):
    id: int
    kind: AlertKind
    kind_label: str
    severity: Severity
    status: AlertStatus
    message: str = Field(description="What was found, in the caller's language.")
    params: dict[str, Any] = Field(description="The figures the message is made from.")
    subject: str
    label: str
    project_id: int | None
    owner_unit_id: int | None
    owner_unit: str | None
    opened_at: dt.datetime
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    resolved_by_itself: bool
    task_id: int | None
    version: int = Field(description="Send it back with a move; a stale one is refused.")


class AlertEventOut(Schema):
    kind: EventKind
    severity: Severity
    note: str
    actor: str | None
    at: dt.datetime


class AlertDetailOut(AlertOut):
    events: list[AlertEventOut]


class KindCount(Schema):
    kind: AlertKind
    count: int
    red: int


class AlertPage(Schema):
    count: int
    by_kind: list[KindCount]
    items: list[AlertOut]


class MoveIn(Schema):
    note: str = ""
    version: int


class RuleOut(Schema):
    id: int
    jurisdiction_id: int
    kind: AlertKind
    kind_label: str
    installed: bool = Field(description="False while the records it reads are not installed.")
    enabled: bool
    params: dict[str, Any]
    owner: Owner
    creates_task: bool
    task_severity: Severity
    task_deadline_days: int
    version: int


class RuleIn(Schema):
    """Only what is sent changes; `params` is the whole set of thresholds."""

    version: int
    enabled: bool | None = None
    params: Any = Field(None, description="The rule's thresholds, every one of them.")
    owner: str | None = None
    creates_task: bool | None = None
    task_severity: str | None = None
    task_deadline_days: Any = None


def alert_out(alert: Alert, today: dt.date) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "kind_label": alert.get_kind_display(),
        "severity": alert.severity,
        "status": alert.status,
        "message": alert.message(today),
        "params": alert.params,
        "subject": alert.subject,
        "label": alert.label,
        "project_id": alert.project_id,
        "owner_unit_id": alert.owner_unit_id,
        "owner_unit": str(alert.owner_unit) if alert.owner_unit_id else None,
        "opened_at": alert.opened_at,
        "acknowledged_at": alert.acknowledged_at,
        "resolved_at": alert.resolved_at,
        "resolved_by_itself": alert.resolved_by_itself,
        "task_id": alert.task_id,
        "version": alert.version,
    }


def _visible(request: HttpRequest) -> AlertQuerySet:
    return Alert.objects.visible_to(caller(request)).select_related("owner_unit")


def _get(request: HttpRequest, alert_id: int) -> Alert:
    alert = _visible(request).filter(pk=alert_id).first()
    if alert is None:
        raise not_found()
    return alert


def _detail(alert: Alert) -> dict[str, Any]:
    events = [
        {
            "kind": e.kind,
            "severity": e.severity,
            "note": e.note,
            "actor": str(e.actor) if e.actor_id else None,
            "at": e.at,
        }
        for e in alert.events.select_related("actor")
    ]
    return {**alert_out(alert, timezone.localdate()), "events": events}


@router.get("/alerts/", response={200: AlertPage, **ERRORS}, summary="List alerts")
def list_alerts(
    request: HttpRequest,
    status: AlertStatus | None = None,
    any_status: bool = False,
    severity: Severity | None = None,
    kind: AlertKind | None = None,
    owner_unit_id: int | None = None,
    project_id: int | None = None,
    offset: QueryEx[int, P(ge=0)] = 0,
    limit: QueryEx[int, P(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Alerts the caller may read, red first; open and acknowledged ones unless `status` or
    `any_status` says otherwise. `by_kind` counts them by kind under the other filters."""
    alerts = _visible(request)
    if status:
        alerts = alerts.filter(status=status)
    elif not any_status:
        alerts = alerts.filter(status__in=ACTIVE_STATUSES)
    if severity:
        alerts = alerts.filter(severity=severity)
    if owner_unit_id:
        alerts = alerts.filter(owner_unit_id=owner_unit_id)
    if project_id:
        alerts = alerts.filter(project_id=project_id)
    by_kind = [
        {"kind": row["kind"], "count": row["n"], "red": row["red"]}
        for row in alerts.order_by("kind")
        .values("kind")
        .annotate(n=Count("id"), red=Count("id", filter=Q(severity=Severity.RED)))
    ]
    if kind:
        alerts = alerts.filter(kind=kind)
    alerts = alerts.order_by(RED_FIRST, "-opened_at", "-id")
    today = timezone.localdate()
    return {
        "count": alerts.count(),
        "by_kind": by_kind,
        "items": [alert_out(a, today) for a in alerts[offset : offset + limit]],
    }


@router.get(
    "/alerts/{alert_id}/", response={200: AlertDetailOut, **ERRORS}, summary="Read an alert"
)
def get_alert(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    return _detail(_get(request, alert_id))


@router.post(
    "/alerts/{alert_id}/acknowledge/",
    response={200: AlertDetailOut, **ERRORS},
    summary="Acknowledge an alert",
)
def acknowledge(request: HttpRequest, alert_id: int, payload: MoveIn) -> dict[str, Any]:
    """The unit that answers for the alert, or the office, says what is being done (`note`
    is required). Only an open alert can be acknowledged; a stale `version` answers 422."""
    alert = services.alert_acknowledge(
        _get(request, alert_id), user=caller(request), note=payload.note, version=payload.version
    )
    return _detail(_get(request, alert.pk))


@router.post(
    "/alerts/{alert_id}/resolve/",
    response={200: AlertDetailOut, **ERRORS},
    summary="Resolve an alert (the office)",
)
def resolve(request: HttpRequest, alert_id: int, payload: MoveIn) -> dict[str, Any]:
    """The office closes an open or acknowledged alert, saying why (`note`)."""
    alert = services.alert_resolve(
        _get(request, alert_id), user=caller(request), note=payload.note, version=payload.version
    )
    return _detail(_get(request, alert.pk))


def rule_out(rule: AlertRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "jurisdiction_id": rule.jurisdiction_id,
        "kind": rule.kind,
        "kind_label": rule.get_kind_display(),
        "installed": installed(rule.kind),
        "enabled": rule.enabled,
        "params": rule.params,
        "owner": rule.owner,
        "creates_task": rule.creates_task,
        "task_severity": rule.task_severity,
        "task_deadline_days": rule.task_deadline_days,
        "version": rule.version,
    }


def _office_places(request: HttpRequest) -> list[int]:
    user = caller(request)
    if not user.is_programme_office:
        raise forbidden()
    ids = user.visible_jurisdiction_ids()
    if ids is None:
        return list(Jurisdiction.objects.values_list("pk", flat=True))
    return list(ids)


@router.get("/alert-rules/", response={200: list[RuleOut], **ERRORS}, summary="List alert rules")
def list_rules(request: HttpRequest, jurisdiction_id: int | None = None) -> list[dict[str, Any]]:
    """The rules of the caller's jurisdiction (or another they oversee): the office only."""
    places = _office_places(request)
    user = caller(request)
    place = jurisdiction_id or user.jurisdiction_id or (places[0] if places else None)
    if place is None or place not in places:
        raise not_found()
    return [rule_out(r) for r in services.rules_for(place).values()]


def _rule(request: HttpRequest, rule_id: int) -> AlertRule:
    places = _office_places(request)
    rule = AlertRule.objects.filter(pk=rule_id, jurisdiction_id__in=places).first()
    if rule is None:
        raise not_found()
    return rule


@router.get("/alert-rules/{rule_id}/", response={200: RuleOut, **ERRORS}, summary="Read a rule")
def get_rule(request: HttpRequest, rule_id: int) -> dict[str, Any]:
    return rule_out(_rule(request, rule_id))


@router.patch("/alert-rules/{rule_id}/", response={200: RuleOut, **ERRORS}, summary="Change a rule")
def update_rule(request: HttpRequest, rule_id: int, payload: RuleIn) -> dict[str, Any]:
    """Settings the rule could not compute with (a missing or unknown threshold, a wrong
    type, a negative value, red below yellow) answer 422 with the reason per setting, under
    `params.<name>`, and change nothing. The rule's alerts then follow the new settings: at
    once, or in a very large district shortly after, by the worker."""
    rule = _rule(request, rule_id)
    fields = {
        name: value
        for name, value in payload.model_dump(exclude={"version"}).items()
        if name in payload.model_fields_set
    }
    saved = services.rule_update(rule=rule, user=caller(request), version=payload.version, **fields)
    return rule_out(saved.rule)
