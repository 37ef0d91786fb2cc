from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A long piece of work run by the task worker, whose progress a page can follow."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def report(self, done: int, total: int, message: str = "") -> None:
        """Record progress; called from the worker, read by the page."""
        Job.objects.filter(pk=self.pk).update(
            done=done, total=total, message=message[:300], status=JobStatus.RUNNING
        )
        self.done, self.total, self.message = done, total, message

    def finish(self, *, result: Any, failed: bool = False, message: str = "") -> None:
        self.status = JobStatus.FAILED if failed else JobStatus.DONE
        self.result = result
        self.message = message[:300]
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "result", "message", "finished_at"])


class DailyRun(models.Model):
    """One daily step run for one day: the nightly run does each step once per day, and a
    step that failed is tried again by the next run."""

    day = models.DateField(_("day"))
    step = models.CharField(_("step"), max_length=100)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), default=False)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-day", "step"]
        verbose_name = _("daily run")
        verbose_name_plural = _("daily runs")
        constraints = [models.UniqueConstraint(fields=["day", "step"], name="daily_run_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.step}"
