"""Demo inspections for 渝中区: a dozen over the past months, their hazards open, overdue and
closed, and two incidents. Deterministic; run through the same services as the pages."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, User
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import Project
from keyprojects.supervision.models import Task, TaskUpdate

from . import incidents, services
from .checklists import templates_ensure
from .choices import IncidentKind, Outcome
from .models import ChecklistTemplate, Hazard, Inspection

INSPECTORS = [
    "区住房城市建委安全监督站检查组",
    "区发改委、区住房城市建委联合检查组",
    "区卫生健康委疫情防控督导组",
    "项目部安全员（自查）",
    "监理单位总监理工程师（自查）",
]

FINDINGS = {
    "高处作业": ["5层东侧临边防护栏杆缺失约6米", "2名作业人员未系挂安全带"],
    "脚手架": ["北侧落地式脚手架连墙件缺失3处", "脚手板未满铺，存在探头板"],
    "施工用电": ["2号配电箱漏电保护器失效", "钢筋加工区电缆拖地、破皮"],
    "消防安全": ["材料堆放占用消防通道", "焊接作业未办理动火审批"],
    "起重机械": ["塔吊力矩限制器未调试", "施工升降机防坠安全器超过检定期"],
    "扬尘治理": ["出入口冲洗设施未启用，车辆带泥上路", "东侧裸露土方约800平方米未覆盖"],
    "文明施工": ["围挡局部破损倒伏", "建筑垃圾未及时清运"],
    "钢筋工程": ["3层梁柱节点箍筋间距偏大", "板面负筋保护层垫块缺失"],
    "混凝土工程": ["4层楼板同条件试块未留置", "地下室外墙局部蜂窝麻面"],
    "安全管理": ["专职安全员不在岗", "特种作业人员2人证书过期"],
}
GENERIC = "现场检查发现不符合要求"

RECTIFICATIONS = [
    "已按要求整改完毕，附整改后照片。",
    "已组织专项整改并对作业人员进行安全教育。",
    "问题已整改，监理单位已复查确认。",
]


def populate(district: Jurisdiction) -> None:
    if Inspection.objects.filter(jurisdiction=district).exists():
        return
    office = (
        User.objects.filter(role=Role.PROGRAMME_OFFICE, jurisdiction=district)
        .order_by("pk")
        .first()
    )
    projects = list(
        Project.objects.filter(jurisdiction=district, stage=Stage.CONSTRUCTION)
        .select_related("owner_unit", "responsible_unit", "jurisdiction")
        .order_by("pk")[:8]
    )
    if office is None or not projects:
        return
    templates_ensure(jurisdiction=district)
    templates = list(ChecklistTemplate.objects.usable_for(projects[0]).order_by("pk"))
    rng = random.Random(2023)
    today = timezone.localdate()
    ages = sorted((rng.randint(3, 160) for _ in range(12)), reverse=True)
    for n, age in enumerate(ages):
        project = projects[n % len(projects)]
        template = templates[n % len(templates)]
        _inspect(rng, office, project, template, today - dt.timedelta(days=age), today)
    services.hazards_check_deadlines(today)
    _incidents(office, projects, today)


def _unit_user(unit_id: int) -> User | None:
    return User.objects.filter(unit_id=unit_id, is_active=True).order_by("pk").first()


def _inspect(
    rng: random.Random,
    office: User,
    project: Project,
    template: ChecklistTemplate,
    date: dt.date,
    today: dt.date,
) -> None:
    self_check = rng.random() < 0.3 and _unit_user(project.owner_unit_id)
    inspector = self_check or office
    inspection = services.inspection_start(
        user=inspector, project=project, template=template, date=date,
        inspectors=INSPECTORS[3] if self_check else rng.choice(INSPECTORS[:3]), today=today,
    )  # fmt: skip
    results = list(inspection.results.all())
    failing = set(rng.sample(range(len(results)), k=min(len(results), rng.choice([0, 1, 2, 3]))))
    entries = []
    for i, result in enumerate(results):
        if i in failing:
            outcome = Outcome.FAIL
            note = rng.choice(FINDINGS.get(result.category, [GENERIC]))
        else:
            outcome = Outcome.NOT_APPLICABLE if rng.random() < 0.08 else Outcome.PASS
            note = ""
        entries.append(services.ResultEntry(result_id=result.pk, outcome=outcome, note=note))
    services.inspection_record(user=inspector, inspection=inspection, entries=entries, today=today)
    hazards = services.inspection_complete(user=inspector, inspection=inspection, today=date)
    finished = timezone.make_aware(dt.datetime.combine(date, dt.time(17, 30)))
    Inspection.objects.filter(pk=inspection.pk).update(completed_at=finished, created_at=finished)
    Hazard.objects.filter(inspection=inspection).update(created_at=finished)
    Task.objects.filter(pk__in=[h.task_id for h in hazards]).update(created_at=finished)
    for hazard in hazards:
        _rectify(rng, office, hazard, today)


def _photo(rng: random.Random) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 480), (rng.randint(90, 160), rng.randint(120, 170), 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 300, 580, 330), fill=(230, 200, 40))
    draw.rectangle((60, 120, 80, 330), fill=(200, 60, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile("rectified.jpg", out.getvalue(), content_type="image/jpeg")


def _rectify(rng: random.Random, office: User, hazard: Hazard, today: dt.date) -> None:
    """Older hazards were mostly rectified and closed, a few are still overdue; recent ones
    are open or waiting for acceptance. The demo dates each step back to when it happened."""
    task_id = hazard.task_id
    assert task_id is not None
    found = hazard.inspection.date
    fate = rng.random()
    if hazard.deadline >= today:
        if fate < 0.4:
            return
        closing = False
    elif fate < 0.25:
        return  # overdue
    else:
        closing = True
    worker = _unit_user(hazard.responsible_unit_id) or office
    allowed = max(1, (hazard.deadline - found).days + 2)
    done_on = min(today, found + dt.timedelta(days=rng.randint(1, allowed)))
    services.hazard_rectify(
        user=worker, hazard=hazard, text=rng.choice(RECTIFICATIONS), upload=_photo(rng)
    )
    rectified = timezone.make_aware(dt.datetime.combine(done_on, dt.time(16)))
    if closing:
        services.hazard_accept(user=office, hazard=hazard, text="经复查，整改到位，同意销号。")
    closed = rectified + dt.timedelta(days=1)
    Hazard.objects.filter(pk=hazard.pk).update(
        rectified_at=rectified, closed_at=closed if closing else None
    )
    Task.objects.filter(pk=task_id).update(
        submitted_at=rectified, closed_at=closed if closing else None
    )
    _backdate(TaskUpdate.objects.filter(task_id=task_id), rectified, closed)


def _backdate(updates: Any, rectified: dt.datetime, closed: dt.datetime) -> None:
    for update in updates.order_by("at", "id"):
        if update.kind in ("evidence", "submitted"):
            update.at = rectified
        elif update.kind == "accepted":
            update.at = closed
        else:
            continue
        TaskUpdate.objects.filter(pk=update.pk).update(at=update.at)


def _incidents(office: User, projects: list[Project], today: dt.date) -> None:
    incidents.incident_save(
        user=office,
        project=projects[0],
        occurred_on=today - dt.timedelta(days=47),
        kind=IncidentKind.SAFETY,
        deaths=0,
        serious_injuries=1,
        direct_loss=Decimal("186000.00"),
        description="钢筋加工区一名工人操作切断机时右手受伤，送医救治，诊断为重伤。",
        measures="停工整顿钢筋加工区，更换防护罩，对全体作业人员开展机械操作安全教育。",
        today=today,
    )
    incidents.incident_save(
        user=office,
        project=projects[min(2, len(projects) - 1)],
        occurred_on=today - dt.timedelta(days=96),
        kind=IncidentKind.EPIDEMIC,
        description="工地一名务工人员核酸检测阳性，已转运隔离，密接人员居家观察。",
        measures="工地全面消杀，暂停集中用餐7天，人员分区作业。",
        today=today,
    )
