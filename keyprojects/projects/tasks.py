"""Background work on the ledger, run by the task worker (`keyprojects db_worker`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django_tasks import task

from keyprojects.jobs.models import Job
from keyprojects.jobs.runner import run_job
from keyprojects.organisations.models import Jurisdiction

from .excel import ledger_import


@task()
def import_ledger(job_id: str) -> None:
    run_job(job_id, _import_ledger)


def _import_ledger(job: Job) -> dict[str, Any]:
    params = job.params
    path = Path(params["path"])
    try:
        job.report(0, 1, _("Reading the ledger"))
        result = ledger_import(
            path,
            jurisdiction=Jurisdiction.objects.get(pk=params["jurisdiction_id"]),
            year=params.get("year"),
            allow_new_units=params.get("allow_new_units", True),
            expected_fingerprint=params.get("fingerprint") or None,
        )
        job.report(1, 1, _("Saved") if result.applied else _("Nothing was saved"))
    finally:
        path.unlink(missing_ok=True)
    summary = result.as_json()
    summary.pop("projects")
    return summary
