"""Demo bulletins: the last reported month's bulletin, published with its files, and a draft
for the month after it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max
from django.utils import timezone

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, User
from keyprojects.projects.models import AnnualPlan

from . import services
from .forms import last_month
from .models import Bulletin

COPY_TO = "区委办公室，区人大常委会办公室，区政府办公室，区政协办公室，区纪委监委。"
TEXTS: dict[str, Any] = {
    "comment_overall": (
        "总体看，全区重点项目建设总体平稳有序，但投资完成进度仍滞后于序时进度，"
        "稳投资、保增长任务依然艰巨，各单位务必切实增强紧迫感。"
    ),
    "comment_lagging": (
        "请上述项目业主单位和责任单位认真分析滞后原因，倒排工期、挂图作战，"
        "于下月10日前将赶超措施书面报区发改委。"
    ),
    "comment_problems": (
        "对超期未办结的事项，区发改委将提请区政府专题调度会研究，并纳入年度目标考核。"
    ),
    "next_steps": (
        "一是加快在建项目建设。督促续建项目业主单位抢抓施工黄金期，确保完成年度投资目标。\n"
        "二是推动新开工项目早落地。对未按期开工项目实行“一项目一专班”，逐项销号。\n"
        "三是强化要素保障。聚焦用地、资金、审批等堵点难点，实行清单化管理、台账化落实。\n"
        "四是严格督查考核。持续开展“红黄灯”预警，对连续两月亮红灯的项目进行约谈。"
    ),
}


def _periods(district: Jurisdiction) -> tuple[tuple[int, int], tuple[int, int]]:
    """The month the demo's figures are dated, and the month after it."""
    dated = AnnualPlan.objects.filter(project__jurisdiction=district).aggregate(
        last=Max("figures_as_of")
    )["last"]
    year, month = (dated.year, dated.month) if dated else last_month()
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return (year, month), following


def populate(district: Jurisdiction) -> None:
    if Bulletin.objects.filter(jurisdiction=district).exists():
        return
    office = User.objects.filter(role=Role.PROGRAMME_OFFICE, jurisdiction=district).first()
    (year, month), (next_year, next_month) = _periods(district)
    issued = dt.date(next_year, next_month, 5)
    with acting(actor=office, channel=Channel.COMMAND):
        published = services.bulletin_create(
            jurisdiction=district, year=year, month=month, user=office,
            today=max(issued, dt.date(year, month, 1)),
        )  # fmt: skip
        published = services.bulletin_refresh(bulletin=published)
        published = services.bulletin_update(bulletin=published, copy_to=COPY_TO, **TEXTS)
        services.bulletin_publish(bulletin=published, user=office)

        today = max(timezone.localdate(), dt.date(next_year, next_month, 1))
        draft = services.bulletin_create(
            jurisdiction=district, year=next_year, month=next_month, user=office, today=today
        )
        draft = services.bulletin_refresh(bulletin=draft)
        services.bulletin_update(bulletin=draft, copy_to=COPY_TO)
