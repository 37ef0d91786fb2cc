"""Uploaded files are read by the people who may read the record they belong to, and by
nobody else, even with the file's name: another district, another unit's task, a folder
that holds no such record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from keyprojects.approvals.models import ProcedureStep
from keyprojects.supervision import services as tasks


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def evidence(world):
    """A report of a task of 区住房城市建委 about no project, with a file attached."""
    task = tasks.create_task(
        title="报送征收方案", owner_unit=world.responsible, deadline=dt.date(2026, 12, 31),
        issued_by=world.office,
    )  # fmt: skip
    upload = SimpleUploadedFile("征收方案.pdf", b"%PDF-1.4 evidence", "application/pdf")
    update = tasks.task_comment(task, user=world.responsible_user, text="已报送", upload=upload)
    return "/media/" + update.file.name


def test_a_task_file_is_read_by_the_office_and_the_unit_that_owns_the_task(
    world, client_for, evidence
):
    for reader in (world.office, world.leader, world.responsible_user):
        response = client_for(reader).get(evidence)
        assert response.status_code == 200, reader
        assert b"".join(response.streaming_content) == b"%PDF-1.4 evidence"


def test_a_task_file_is_not_read_by_those_the_task_is_hidden_from(world, client_for, evidence):
    for reader in (world.bystander_user, world.owner_user, world.outsider):
        assert client_for(reader).get(evidence).status_code == 404, reader
    assert Client().get(evidence).status_code == 302  # signed out: to the sign-in page


def test_a_project_document_follows_the_project(world, client_for):
    step = ProcedureStep.objects.create(project=world.foreign_project, position=1,
                                        name="立项", phase="project_land")  # fmt: skip
    step.document.save("立项批复.pdf", ContentFile(b"%PDF-1.4"), save=True)
    url = "/media/" + step.document.name
    assert url.startswith("/media/procedures/")
    assert client_for(world.outsider).get(url).status_code == 200  # 江北区's own project
    assert client_for(world.office).get(url).status_code == 404  # 渝中区's office
    assert client_for(world.auditor).get(url).status_code == 404


def test_a_file_in_no_known_folder_is_not_served(world, client_for, _media):
    (_media / "imports").mkdir()
    (_media / "imports" / "ledger.xlsx").write_bytes(b"xlsx")
    (_media / "stray.txt").write_bytes(b"stray")
    office = client_for(world.office)
    assert office.get("/media/imports/ledger.xlsx").status_code == 404
    assert office.get("/media/stray.txt").status_code == 404
    assert office.get("/media/../settings.py").status_code == 404
    assert office.get("/media/tasks/2026/11/missing.pdf").status_code == 404


def test_every_kind_of_upload_has_a_rule_or_a_view_of_its_own() -> None:
    """A new file field must say who reads its files, else they would not be served."""
    from django.apps import apps
    from django.db import models

    from keyprojects.web.media import UPLOADS

    own_views = ("bulletins/", "imports/")
    ruled = {u.folder for u in UPLOADS}
    for model in apps.get_models():
        if not model.__module__.startswith("keyprojects."):
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, models.FileField):
                continue
            upload_to = field.upload_to
            path = upload_to(model(), "x.jpg") if callable(upload_to) else upload_to
            folder = path.split("/", 1)[0] + "/"
            assert folder in ruled or folder in own_views, (model, field.name, folder)
