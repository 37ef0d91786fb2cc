"""Sign in, filter the ledger, open a project, edit it, meet a stale edit, export Excel."""

import io
from decimal import Decimal

from python_calamine import CalamineWorkbook

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.projects.models import Project
from keyprojects.projects.services import project_update

from .conftest import sign_in


def test_the_main_ledger_flow(world, page):
    sign_in(page, "owner_user")
    assert page.locator("[data-testid=ledger] tbody tr").count() == 2

    page.fill("#id_q", "老鼓楼")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=%E8%80%81%E9%BC%93%E6%A5%BC**")
    rows = page.locator("[data-testid=ledger] tbody tr")
    assert rows.count() == 1

    rows.first.locator("a").first.click()
    page.wait_for_url(f"**/projects/{world.project.pk}/**")
    assert page.locator("[data-testid=project-name]").inner_text().startswith("老鼓楼衙署遗址公园")

    page.click("[data-testid=edit]")
    page.fill("#id_total_investment", "12345.6")
    page.click("[data-testid=save]")
    page.wait_for_url(f"**/projects/{world.project.pk}/")
    assert "12,345.60" in page.locator("[data-testid=total-investment]").inner_text()

    # Someone else saves while this person has the form open.
    page.click("[data-testid=edit]")
    page.fill("#id_site", "我的地址")
    project = Project.objects.get(pk=world.project.pk)
    with acting(actor=world.responsible_user, channel=Channel.WEB):
        project_update(project=project, version=project.version, site="他们的地址")
    page.click("[data-testid=save]")
    conflict = page.locator("[data-testid=conflict]")
    conflict.wait_for()
    assert "他们的地址" in conflict.inner_text()
    assert page.input_value("#id_site") == "我的地址"
    assert Project.objects.get(pk=world.project.pk).site == "他们的地址"

    page.goto("/projects/?q=公园")
    with page.expect_download() as download_info:
        page.click("[data-testid=export]")
    data = download_info.value.path().read_bytes()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    cells = [c for row in book.get_sheet_by_index(0).to_python() for c in row]
    assert "老鼓楼衙署遗址公园" in cells and "珊瑚公园滨江公园" in cells
    assert Decimal(str(max(c for c in cells if isinstance(c, float)))) > 0
