from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit

from .choices import EventStatus, WebhookFormat
from .kinds import Kind, kind_of

# The hour of the daily digest for someone who never chose one (local time).
DEFAULT_DIGEST_HOUR = 8


class Notification(models.Model):
    """A message in a person's in-app inbox (and, when sent, by email)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(max_length=100, help_text="What the notice is about, to send it once.")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed = models.BooleanField(default=False)
    # A kind the person muted is still kept, already read, so nothing is lost from the inbox.
    muted = models.BooleanField(_("muted"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="notification_once")
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_info(self) -> Kind:
        return kind_of(self.kind)


class NotificationPreference(AuditedModel):
    """How one person wants to hear: which kinds they muted, email, the daily digest.

    A muted kind is not emailed, not in the digest, not counted as unread, and a chat robot
    does not post it for this person; it still lands in the inbox, marked muted.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_enabled = models.BooleanField(_("email me each notice"), default=True)
    digest_enabled = models.BooleanField(_("send me a daily digest by email"), default=True)
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"), default=DEFAULT_DIGEST_HOUR, validators=[MaxValueValidator(23)]
    )
    digest_tasks = models.BooleanField(_("list my open tasks in the digest"), default=True)
    muted_kinds = models.JSONField(_("muted kinds"), default=list, blank=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(digest_hour__lte=23), name="notification_pref_digest_hour_valid"
            )
        ]

    def __str__(self) -> str:
        return str(self.user)

    def is_muted(self, kind: str) -> bool:
        return kind in (self.muted_kinds or [])


class Digest(models.Model):
    """One person's daily digest: at most one a day (the unique day makes a second run, or a
    second worker, send nothing), and the start of the next digest's period."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    notices = models.PositiveIntegerField(_("notices"), default=0)
    tasks = models.PositiveIntegerField(_("open tasks"), default=0)
    overdue = models.PositiveIntegerField(_("overdue tasks"), default=0)
    emailed = models.BooleanField(_("emailed"), default=False)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookQuerySet(models.QuerySet["Webhook"]):
    def visible_to(self, user: Any) -> WebhookQuerySet:
        """The programme office manages the webhooks of its jurisdictions; no one else sees
        them (the secret is on the page)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        if user.role != Role.PROGRAMME_OFFICE:
            return self.none()
        return self.filter(jurisdiction_id__in=user.visible_jurisdiction_ids() or [])


class Webhook(AuditedModel):
    """An address that receives notices as signed JSON: a workplace chat robot, or any system.

    Each notice is posted once per webhook (not once per person it is for), when it is for
    someone in the webhook's jurisdiction (and unit, when one is set) who has not muted it.
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Only notices for this unit's people. Leave empty for the whole jurisdiction."),
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("address"), max_length=500)
    format = models.CharField(
        _("format"), max_length=10, choices=WebhookFormat.choices, default=WebhookFormat.GENERIC
    )
    # Left out of the audit trail (see apps.py); `secret_set_at` records that it changed.
    signing_secret = models.CharField(_("secret"), max_length=200, default=new_secret)
    secret_set_at = models.DateTimeField(_("secret set"), default=timezone.now)
    kinds = models.JSONField(
        _("kinds"), default=list, blank=True, help_text=_("Empty: every kind.")
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = WebhookQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction__code", "name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        indexes = [models.Index(fields=["active", "jurisdiction"], name="webhook_active_idx")]

    def __str__(self) -> str:
        return self.name

    def takes(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds

    def kind_labels(self) -> list[str]:
        return [str(kind_of(code).label) for code in self.kinds or []]


class WebhookEvent(models.Model):
    """One notice to post to one webhook, sent until it is received or the attempts run out.

    The payload is fixed when the notice is made, so every attempt sends the same body (a
    receiver can tell a retry by the same `X-Keyprojects-Event`)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(
        Webhook, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(max_length=100)
    title = models.CharField(_("title"), max_length=200)
    payload = models.JSONField()
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_try_at = models.DateTimeField(_("next try"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook notice")
        verbose_name_plural = _("webhook notices")
        constraints = [
            models.UniqueConstraint(fields=["webhook", "kind", "key"], name="webhook_event_once")
        ]
        indexes = [
            models.Index(
                fields=["next_try_at"],
                name="webhook_event_due_idx",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["webhook", "-created_at"], name="webhook_event_log_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_info(self) -> Kind:
        return kind_of(self.kind)


class WebhookDelivery(models.Model):
    """One attempt to post an event: what came back, and when the next try is."""

    event = models.ForeignKey(
        WebhookEvent, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="deliveries"
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    ok = models.BooleanField(_("succeeded"), default=False)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response = models.CharField(_("response"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    next_try_at = models.DateTimeField(_("next try"), null=True, blank=True)

    class Meta:
        ordering = ["event", "attempt"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "attempt"], name="webhook_delivery_attempt")
        ]

    def __str__(self) -> str:
        return f"{self.event_id}#{self.attempt}"
