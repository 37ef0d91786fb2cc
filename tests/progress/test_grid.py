from decimal import Decimal as D

from keyprojects.progress.models import MonthlyReport

from ..factories import ProjectFactory


def test_a_unit_fills_one_grid_for_all_its_projects(world, client_for):
    second = ProjectFactory(jurisdiction=world.district, owner_unit=world.owner,
                            responsible_unit=world.responsible)  # fmt: skip
    client = client_for(world.owner_user)
    page = client.get("/reports/grid/", {"year": 2026, "month": 10})
    assert [line["project"] for line in page.context["lines"]] == sorted(
        [world.project, second], key=lambda p: p.name
    )
    data = {
        f"investment-{world.project.pk}": "120.5",
        f"workers-{world.project.pk}": "40",
        f"investment-{second.pk}": "0",
        f"progress_percent-{second.pk}": "15",
        "submit": "1",
    }
    response = client.post("/reports/grid/?year=2026&month=10", data)
    assert response.status_code == 302
    first = MonthlyReport.objects.get(project=world.project)
    assert first.investment == D("1205000.00") and first.status == "submitted"
    assert MonthlyReport.objects.get(project=second).progress_percent == 15


def test_one_bad_row_saves_nothing(world, client_for):
    second = ProjectFactory(jurisdiction=world.district, owner_unit=world.owner,
                            responsible_unit=world.responsible)  # fmt: skip
    client = client_for(world.owner_user)
    data = {f"investment-{world.project.pk}": "120", f"investment-{second.pk}": "-3"}
    response = client.post("/reports/grid/?year=2026&month=10", data)
    assert response.status_code == 200 and not MonthlyReport.objects.exists()
    line = next(x for x in response.context["lines"] if x["project"] == second)
    assert line["errors"] and line["values"]["investment"] == "-3"
    data[f"investment-{second.pk}"] = "abc"
    response = client.post("/reports/grid/?year=2026&month=10", data)
    assert not MonthlyReport.objects.exists()


def test_the_grid_offers_only_the_projects_one_may_edit(world, client_for):
    lines = client_for(world.bystander_user).get("/reports/grid/").context["lines"]
    assert [line["project"] for line in lines] == [world.other_project]
    assert client_for(world.leader).get("/reports/grid/").context["lines"] == []


def test_the_excel_template_round_trip(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from keyprojects.progress.services import report_save

    report_save(project=world.project, year=2026, month=10, investment=D("1234500"),
                progress_percent=D("41.5"), workers=12, progress_text="主体施工")  # fmt: skip
    client = client_for(world.owner_user)
    data = client.get("/reports/grid/", {"year": 2026, "month": 10, "download": 1}).content
    response = client.post(
        "/reports/grid/?year=2026&month=10",
        {"template": SimpleUploadedFile("t.xlsx", data)},
    )
    (line,) = response.context["lines"]
    assert line["values"] == {
        "investment": "123.45",
        "progress_percent": "41.5",
        "managers": "0",
        "workers": "12",
        "progress_text": "主体施工",
    }
    assert MonthlyReport.objects.get().investment == D("1234500")  # nothing saved by reading


def test_a_template_row_that_is_not_ones_project_is_reported(world, client_for):
    import io

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    book = openpyxl.Workbook()
    book.active.append(["标题"])
    book.active.append(["项目代码", "项目名称", "本月完成投资（万元）"])
    book.active.append(["", "别人的项目", 5])
    out = io.BytesIO()
    book.save(out)
    client = client_for(world.owner_user)
    response = client.post(
        "/reports/grid/", {"template": SimpleUploadedFile("t.xlsx", out.getvalue())}
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("别人的项目" in m for m in messages)
    bad = client.post("/reports/grid/", {"template": SimpleUploadedFile("t.xlsx", b"nope")})
    assert any(".xlsx" in str(m) for m in bad.wsgi_request._messages)
