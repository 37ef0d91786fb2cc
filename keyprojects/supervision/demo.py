"""Demo tasks: a leader's and the office's instructions in every state."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit, User
from keyprojects.projects.models import Project

from . import services

INSTRUCTIONS = [
    ("加快推进施工图审查，本月底前完成", "区住房城市建委", 12, "open"),
    ("协调电力管线迁改，确保不影响主体施工", "区城投公司", -9, "open"),
    ("补充报送一季度投资完成佐证材料", "区城投公司", -3, "submitted"),
    ("落实扬尘治理措施，完善围挡与喷淋", "区城投公司", -20, "done"),
    ("制定节点倒排计划并报区发改委备案", "区住房城市建委", 5, "open"),
    ("研究解决项目资金缺口，提出融资方案", "区国资公司", -15, "open"),
    ("组织参建单位开展安全生产自查", "区城市更新公司", 20, "open"),
]


def populate(district: Jurisdiction) -> None:
    rng = random.Random(55)
    today = timezone.localdate()
    office = User.objects.filter(role=Role.PROGRAMME_OFFICE, jurisdiction=district).first()
    leader = User.objects.filter(role=Role.LEADER, jurisdiction=district).first()
    projects = list(Project.objects.filter(jurisdiction=district).order_by("pk"))
    for i, (title, unit_name, days, state) in enumerate(INSTRUCTIONS):
        unit = Unit.objects.filter(jurisdiction=district, name=unit_name).first()
        if unit is None:
            continue
        owned = [p for p in projects if unit.pk in (p.owner_unit_id, p.responsible_unit_id)]
        project = rng.choice(owned) if owned else None
        issuer = leader if i % 2 == 0 else office
        task = services.create_task(
            title=title, owner_unit=unit, project=project, issued_by=issuer,
            deadline=today + dt.timedelta(days=days),
            detail="（演示数据）",
        )  # fmt: skip
        worker = User.objects.filter(unit=unit).first() or office
        if state in ("submitted", "done"):
            services.task_comment(task, user=worker, text="已组织相关单位推进。")
            services.task_submit(task, user=worker, text="已按要求完成，请验收。")
        if state == "done":
            services.task_accept(task, user=issuer, text="同意销号。")
    services.tasks_check_deadlines(today)
