"""On a phone (390 px): an inspector records an inspection with a failed item that becomes a
hazard; the owner unit rectifies it with a photo; the programme office accepts it."""

from __future__ import annotations

import io
import re

from PIL import Image

from keyprojects.inspections.models import ChecklistItem, ChecklistTemplate, Hazard, Inspection
from keyprojects.supervision.models import Task

from .conftest import sign_in

ITEMS = [
    ("临边、洞口防护栏杆设置到位", "高处作业", "major", 2),
    ("施工用电一机一闸一漏一箱", "施工用电", "general", 3),
    ("消防通道畅通", "消防安全", "general", 5),
]


def jpeg(path, colour):
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_recording_an_inspection_and_closing_its_hazard_on_a_phone(
    world, phone, page, browser, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    checklist = ChecklistTemplate.objects.create(
        jurisdiction=world.district, kind="safety", name="现场安全检查表"
    )
    for n, (text, category, severity, days) in enumerate(ITEMS, start=1):
        ChecklistItem.objects.create(template=checklist, position=n, text=text, category=category,
                                     severity=severity, rectification_days=days)  # fmt: skip

    # The responsible unit's inspector, on site.
    sign_in(phone, "responsible_user")
    phone.goto("/inspections/")
    assert fits(phone)
    phone.click("[data-testid=new-inspection]")
    phone.select_option("#id_project", str(world.project.pk))
    phone.select_option("#id_template", str(checklist.pk))
    phone.click("[data-testid=start-inspection]")
    phone.wait_for_url(re.compile(r".*/inspections/\d+/record/$"))
    assert fits(phone)

    first = phone.locator("[data-testid=item-1]")
    assert not first.locator(".fail-extra").is_visible()
    first.locator("label[for$='-fail']").click()
    assert first.locator(".fail-extra").is_visible()  # deadline and unit, for a failed item
    first.locator("[data-testid=note]").fill("5层东侧临边防护栏杆缺失约6米")
    first.locator("[data-testid=photo]").set_input_files(
        jpeg(tmp_path / "found.jpg", (200, 80, 60))
    )
    phone.locator("[data-testid=item-2] label[for$='-pass']").click()
    phone.locator("[data-testid=item-3] label[for$='-na']").click()
    assert fits(phone)
    phone.click("[data-testid=complete-inspection]")
    phone.wait_for_url(re.compile(r".*/inspections/\d+/$"))
    assert Inspection.objects.get().status == "completed"
    assert phone.locator("[data-testid=hazard-link]").count() == 1
    assert fits(phone)
    hazard = Hazard.objects.get()
    assert hazard.status == "open" and "临边防护栏杆缺失" in hazard.description
    assert hazard.responsible_unit == world.owner and hazard.result.photo
    assert Task.objects.get().needs_evidence

    # The owner unit, on its own phone, rectifies with a photo.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    owner = context.new_page()
    owner.set_default_timeout(10_000)
    sign_in(owner, "owner_user")
    owner.goto("/inspections/hazards/")
    assert fits(owner)
    owner.click(f"[data-testid=hazards] a[href='/inspections/hazards/{hazard.pk}/']")
    owner.wait_for_url(f"**/inspections/hazards/{hazard.pk}/")
    assert fits(owner)
    owner.fill("#rectify-text", "已补设防护栏杆并挂设安全网")
    owner.set_input_files("#rectify-file", jpeg(tmp_path / "fixed.jpg", (60, 160, 90)))
    owner.click("[data-testid=rectify]")
    owner.wait_for_selector("[data-testid=evidence]")
    assert Hazard.objects.get().status == "rectified"
    context.close()

    # The programme office accepts it.
    sign_in(page, "office")
    page.goto(f"/inspections/hazards/{hazard.pk}/")
    page.fill("#decide-text", "经复查整改到位")
    page.click("[data-testid=accept]")
    page.wait_for_selector("[data-testid=hazard-status]")
    hazard = Hazard.objects.get()
    assert hazard.status == "closed" and hazard.task.status == "done"
    assert "[data-testid=decide-form]" not in page.content()
