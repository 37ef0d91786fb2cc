"""The bulletin's background work, run by the task worker (`keyprojects db_worker`): draft
the figures, make the Word file, make the PDF, and keep or publish them, reporting each step
to the page's progress bar."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_tasks import task

from keyprojects.jobs.models import Job
from keyprojects.jobs.runner import run_job

from .choices import FileKind
from .models import Bulletin


@task()
def make_bulletin_files(job_id: str) -> None:
    run_job(job_id, bulletin_job)


def bulletin_job(job: Job) -> dict[str, Any]:
    from . import services

    params = job.params
    bulletin = Bulletin.objects.select_related("jurisdiction").get(pk=params["bulletin_id"])
    steps = [
        *([_("Drafting the figures")] if params.get("refresh") else []),
        _("Writing the Word document"),
        _("Writing the PDF"),
        _("Publishing") if params.get("publish") else _("Keeping the files"),
    ]
    total = len(steps)
    position = 0

    def step() -> None:
        nonlocal position
        job.report(position, total, steps[position])
        position += 1

    def on_file(kind: str) -> None:
        if kind in (FileKind.DOCX, FileKind.PDF):
            step()

    try:
        if params.get("refresh"):
            step()
            bulletin = services.bulletin_refresh(bulletin=bulletin)
        rendered = services.bulletin_render(bulletin=bulletin, progress=on_file)
        step()
        if params.get("publish"):
            bulletin = services.bulletin_publish(bulletin=bulletin, user=job.user,
                                                 rendered=rendered)  # fmt: skip
        else:
            bulletin = services.bulletin_store_files(bulletin=bulletin, rendered=rendered)
    except ValidationError as refused:
        message = " ".join(refused.messages)
        job.report(total, total, message)
        return {"bulletin_id": bulletin.pk, "error": message}
    job.report(total, total, _("Done"))
    return {
        "bulletin_id": bulletin.pk,
        "published": bulletin.is_published,
        "docx_sha256": bulletin.docx_sha256,
        "pdf_sha256": bulletin.pdf_sha256,
    }
