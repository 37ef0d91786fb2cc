"""Running a Job inside a task: attribution in the audit trail, progress, failure."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import override

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting

from .models import Job, JobStatus

log = logging.getLogger(__name__)


def run_job(job_id: str, work: Callable[[Job], Any]) -> None:
    """Run `work(job)` as the person who started the job, through the task channel.

    A crash marks the job failed with a message the page shows; nothing half-done is kept
    because each job's work runs in its own transaction.
    """
    job = Job.objects.select_related("user").get(pk=job_id)
    if job.finished:
        return  # a task delivered twice does its work once
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    language = job.params.get("language") or "zh-hans"
    with override(language), acting(actor=job.user, channel=Channel.TASK):
        try:
            result = work(job)
        except Exception:
            log.exception("job %s failed", job.pk)
            job.finish(result=None, failed=True, message=_("The job failed; nothing was saved."))
            return
    job.finish(result=result)
