import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from keyprojects.audit.models import AuditEntry
from keyprojects.jobs.models import JobStatus
from keyprojects.projects.excel import ledger_export
from keyprojects.projects.models import Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def exported_with(world, change_name_to=None):
    data = ledger_export(Project.objects.filter(jurisdiction=world.district), year=2026)
    if change_name_to is None:
        return data
    book = load_workbook(io.BytesIO(data))
    for row in book.active.iter_rows():
        for cell in row:
            if cell.value == world.project.name:
                cell.value = change_name_to
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data, name="台账.xlsx"):
    return client.post(
        "/projects/import/", {"file": SimpleUploadedFile(name, data, XLSX), "allow_new_units": "on"}
    )


def test_upload_preview_and_confirm(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.office)
    response = upload(client, exported_with(world, change_name_to="老鼓楼衙署遗址公园（一期）"))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.context["counts"]["update"] == 1
    assert "老鼓楼衙署遗址公园（一期）" in preview.content.decode()
    world.project.refresh_from_db()
    assert world.project.name == "老鼓楼衙署遗址公园"  # nothing saved by the preview
    fingerprint = preview.context["preview"].fingerprint
    queued = client.post(response["Location"], {"fingerprint": fingerprint, "confirm": "1"})
    assert queued.status_code == 302 and queued["Location"].startswith("/jobs/")
    job_page = client.get(queued["Location"])
    assert job_page.context["job"].status == JobStatus.QUEUED
    world.project.refresh_from_db()
    assert world.project.name == "老鼓楼衙署遗址公园"
    run_worker()
    progress = client.get(queued["Location"], HTTP_HX_REQUEST="true")
    assert progress.context["job"].status == JobStatus.DONE
    assert b"<html" not in progress.content and b"hx-trigger" not in progress.content
    world.project.refresh_from_db()
    assert world.project.name == "老鼓楼衙署遗址公园（一期）"
    entry = AuditEntry.objects.filter(object_id=str(world.project.pk)).order_by("seq").last()
    assert (entry.channel, entry.actor) == ("import", world.office)
    assert not list((tmp_path / "imports").iterdir())
    assert client_for(world.leader).get(queued["Location"]).status_code == 404


def run_worker():
    """Run the queued jobs with the real worker, inside the test's transaction (the worker
    would otherwise close the connection between tasks, as it does in production)."""
    from django_tasks_db.management.commands import db_worker

    original = db_worker.close_old_connections
    db_worker.close_old_connections = lambda: None
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    finally:
        db_worker.close_old_connections = original


def test_the_project_changed_between_preview_and_confirm(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.office)
    location = upload(client, exported_with(world, change_name_to="新名称"))["Location"]
    fingerprint = client.get(location).context["preview"].fingerprint
    Project.objects.filter(pk=world.project.pk).update(name="别人改的名称")
    queued = client.post(location, {"fingerprint": fingerprint, "confirm": "1"})
    run_worker()
    job = client.get(queued["Location"]).context["job"]
    assert job.status == JobStatus.DONE and job.result["errors"] and not job.result["applied"]
    world.project.refresh_from_db()
    assert world.project.name == "别人改的名称"


def test_an_unchanged_export_imports_as_unchanged(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.office)
    location = upload(client, exported_with(world))["Location"]
    counts = client.get(location).context["counts"]
    assert counts["create"] == counts["update"] == counts["error"] == 0


def test_a_file_that_is_not_a_ledger_saves_nothing(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.office)
    before = (Project.objects.count(), AuditEntry.objects.count())
    location = upload(client, b"not a spreadsheet at all", name="x.xlsx")["Location"]
    preview = client.get(location)
    assert preview.context["preview"].errors
    assert 'data-testid="confirm"' not in preview.content.decode()
    response = client.post(location, {"fingerprint": "x", "confirm": "1"})
    assert response.status_code == 422
    assert (Project.objects.count(), AuditEntry.objects.count()) == before


def test_a_file_over_the_limit_is_refused_before_reading(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.KEYPROJECTS_MAX_UPLOAD_BYTES = 1000
    response = upload(client_for(world.office), b"PK\x03\x04" + b"0" * 5000)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_the_preview_of_someone_else_is_not_found(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    location = upload(client_for(world.office), exported_with(world))["Location"]
    assert client_for(world.outsider).get(location).status_code == 404


def test_export_honours_the_filter(world, client_for):
    from python_calamine import CalamineWorkbook

    data = client_for(world.office).get("/projects/export.xlsx", {"q": "珊瑚"}).content
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    cells = {c for row in sheet.to_python() for c in row}
    assert "珊瑚公园滨江公园" in cells and world.project.name not in cells
