"""Demo dispatch meetings and site visits: two meetings held (the second opening with what the
first decided), one planned with its agenda proposed, and two site visits with instructions.

The meetings and visits are dated before today, so each step is taken as of its own day
(`today=`), and the tasks they made are then moved on as their owners would have."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import Max
from django.utils import timezone

from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit, User
from keyprojects.progress.models import MonthlyLight
from keyprojects.progress.services import lights_rebuild
from keyprojects.projects.models import AnnualPlan, Project
from keyprojects.supervision import services as tasks

from . import agenda, attendance, services, visits
from .agenda import agenda_propose
from .choices import Presence
from .models import Meeting

NAMED_ROUTE = [
    ("老鼓楼衙署遗址公园",
     "遗址本体保护展示工程已复工，施工人员到岗率约九成；展陈设计方案尚未最终确定。"),
    ("珊瑚公园滨江公园", "滨江步道主体基本完成，消落带治理受汛期影响需倒排工期。"),
    ("解放碑地下停车库及连接通道三期工程",
     "连接通道与既有商业体接口协调难度大，管线迁改尚未完成。"),
    ("马鞍山传统风貌区", "风貌区已建成开放，业态招商进度偏慢，部分院落空置。"),
]  # fmt: skip

# text, owner unit, days to the deadline, what became of it by today
FIRST_DECISIONS = [
    ("区住房城市建委牵头，两周内完成解放碑连接通道管线迁改方案审查。",
     "区住房城市建委", 14, "done"),
    ("区城投公司加快珊瑚公园滨江公园消落带治理，汛前完成主体施工。",
     "区城投公司", 24, "submitted"),
    ("区国资公司会同区财政局研究项目资金缺口，提出融资方案报区政府。",
     "区国资公司", 21, "open"),
    ("区城市更新公司制定马鞍山传统风貌区招商方案，引入文旅业态。",
     "区城市更新公司", 60, "open"),
]  # fmt: skip

SECOND_DECISIONS = [
    ("区国资公司融资方案逾期未报，限一周内报送区政府常务会审议。", "区国资公司", 7),
    ("解放碑CBD管委会协调商业体业主，月底前签订连接通道接口协议。", "解放碑CBD管委会", 16),
    ("区住房城市建委对在建项目开展安全生产专项检查并通报结果。", "区住房城市建委", 30),
]  # fmt: skip

SECOND_VISIT = [
    ("公共停车场建设工程", "施工围挡破损，扬尘治理措施落实不到位。"),
    ("小学改扩建工程", "主体结构封顶，秋季开学前需完成室内装修及消防验收。"),
]


def populate(district: Jurisdiction) -> None:
    office = User.objects.filter(role=Role.PROGRAMME_OFFICE, jurisdiction=district).first()
    leader = User.objects.filter(role=Role.LEADER, jurisdiction=district).first()
    if office is None or leader is None or Meeting.objects.filter(jurisdiction=district).exists():
        return
    rng = random.Random(2022)
    today = timezone.localdate()
    units = {u.name: u for u in Unit.objects.filter(jurisdiction=district)}
    projects = {p.name: p for p in Project.objects.filter(jurisdiction=district)}
    _ensure_lights(district, today)

    first = _meeting(district, office, today - dt.timedelta(days=42), "区政府第一会议室")
    _hold(first, office, units, rng, "会议听取了区发改委关于全区重点项目推进情况的汇报，"
          "研究了管线迁改、资金缺口、招商等问题。")  # fmt: skip
    for text, unit, days, _state in FIRST_DECISIONS:
        services.decision_add(
            first, user=office, text=text, owner_unit=units[unit],
            deadline=first.date + dt.timedelta(days=days),
            project=_project_for(text, projects),
        )  # fmt: skip
    services.meeting_close(first, user=office, today=first.date)
    issued = first.decisions.order_by("order")
    for decision, (*_rest, state) in zip(issued, FIRST_DECISIONS, strict=True):
        _progress(decision.task, office, state)

    second = _meeting(district, office, today - dt.timedelta(days=14), "区政府第三会议室")
    _hold(second, office, units, rng, "会议首先通报了上次调度会议定事项落实情况，"
          "对逾期事项进行了督办，并研究了新的问题。")  # fmt: skip
    for text, unit, days in SECOND_DECISIONS:
        services.decision_add(
            second, user=office, text=text, owner_unit=units[unit],
            deadline=second.date + dt.timedelta(days=days),
        )  # fmt: skip
    services.meeting_close(second, user=office, today=second.date)

    third = _meeting(district, office, today + dt.timedelta(days=7), "区政府第一会议室")
    agenda_propose(third, user=office, today=today)
    attendance.attendance_invite_agenda_units(third, user=office)

    _visit_the_four(district, office, leader, units, projects, today - dt.timedelta(days=30))
    _second_visit(district, office, leader, units, projects, today - dt.timedelta(days=9))
    tasks.tasks_check_deadlines(today)


def _ensure_lights(district: Jurisdiction, today: dt.date) -> None:
    """The lights the agenda reads, for the last month the figures are reported for."""
    ours = Project.objects.filter(jurisdiction=district)
    if MonthlyLight.objects.filter(project__in=ours).exists():
        return
    plans = AnnualPlan.objects.filter(project__in=ours, figures_as_of__lte=today)
    latest = plans.aggregate(latest=Max("figures_as_of"))["latest"]
    if latest is not None:
        lights_rebuild(year=latest.year, month=latest.month, projects=ours)


def _meeting(district: Jurisdiction, office: User, date: dt.date, place: str) -> Meeting:
    number = (date.month - 1) * 2 + (1 if date.day <= 15 else 2)
    return services.meeting_create(
        user=office, jurisdiction=district, date=date, start_time=dt.time(9, 30), place=place,
        title=f"{date.year}年第{number}次重点项目调度会", chair_name="常务副区长",
    )  # fmt: skip


def _hold(
    meeting: Meeting, office: User, units: dict[str, Unit], rng: random.Random, minutes: str
) -> None:
    agenda_propose(meeting, user=office, today=meeting.date)
    agenda.agenda_add(
        meeting, user=office, text="区发改委通报全区重点项目投资完成情况", unit=units["区发改委"]
    )
    attendance.attendance_add(meeting, user=office, name="常务副区长")
    for name in ("区发改委", "区住房城市建委", "区城管局", "解放碑CBD管委会", "区国资公司",
                 "区城投公司", "区城市更新公司"):  # fmt: skip
        attendance.attendance_add(meeting, user=office, unit=units[name])
    attendance.attendance_invite_agenda_units(meeting, user=office)
    marks: dict[int, tuple[str, str]] = {}
    for row in meeting.attendance.select_related("unit"):
        roll = rng.random()
        if roll < 0.12:
            marks[row.pk] = (Presence.DELEGATE, "办公室主任")
        elif roll < 0.18:
            marks[row.pk] = (Presence.ABSENT, "")
        else:
            marks[row.pk] = (Presence.PRESENT, "")
    attendance.attendance_mark(meeting, user=office, marks=marks, today=meeting.date)
    services.meeting_hold(meeting, user=office, minutes=minutes, today=meeting.date)


def _project_for(text: str, projects: dict[str, Project]) -> Project | None:
    names = {
        "连接通道": "解放碑地下停车库及连接通道三期工程",
        "珊瑚公园": "珊瑚公园滨江公园",
        "马鞍山": "马鞍山传统风貌区",
    }
    for key, name in names.items():
        if key in text:
            return projects.get(name)
    return None


def _progress(task: Any, office: User, state: str) -> None:
    if task is None or state == "open":
        return
    tasks.task_comment(task, user=office, text="已组织相关单位专题研究推进。")
    tasks.task_submit(task, user=office, text="已按会议要求完成，请验收。")
    if state == "done":
        tasks.task_accept(task, user=office, text="同意销号。")


def _visit_the_four(
    district: Jurisdiction,
    office: User,
    leader: User,
    units: dict[str, Unit],
    projects: dict[str, Project],
    date: dt.date,
) -> None:
    """The visit the article describes: the district's leaders at the four projects, then a
    meeting with the units."""
    visit = visits.visit_create(
        user=office, jurisdiction=district, date=date, title="区委、区政府主要领导现场办公",
        leaders=[leader], leader_names="区委书记、区长",
        units=[units[n] for n in ("区发改委", "区住房城市建委", "区城管局", "解放碑CBD管委会",
                                  "区国资公司", "康翔公司", "区城投公司", "区城市更新公司")],
        summary="实地察看四个重点项目复工建设情况，随后召开座谈会听取区发改委及各单位汇报。",
    )  # fmt: skip
    stops = {}
    for name, findings in NAMED_ROUTE:
        project = projects.get(name)
        if project is not None:
            stops[name] = visits.stop_add(visit, user=office, project=project, findings=findings)
    instructions = [
        ("解放碑地下停车库及连接通道三期工程", None, "区长",
         "连接通道接口问题由解放碑CBD管委会牵头协调，一个月内拿出解决方案。",
         "解放碑CBD管委会", 30),
        ("老鼓楼衙署遗址公园", leader, "",
         "抓紧确定展陈设计方案，确保年内对外开放。", "区文化旅游委", 45),
        ("珊瑚公园滨江公园", None, "区委书记",
         "消落带治理要倒排工期、挂图作战，确保汛前完工。", "区城投公司", 20),
    ]  # fmt: skip
    for stop_name, who, position, text, unit, days in instructions:
        stop = stops.get(stop_name)
        if stop is None or unit not in units:
            continue
        visits.instruction_add(
            visit, user=office, stop=stop, leader=who, leader_name=position, text=text,
            owner_unit=units[unit], deadline=date + dt.timedelta(days=days), today=date,
        )  # fmt: skip


def _second_visit(
    district: Jurisdiction,
    office: User,
    leader: User,
    units: dict[str, Unit],
    projects: dict[str, Project],
    date: dt.date,
) -> None:
    """A leader in charge checks two projects and records an instruction from the site."""
    title = f"{leader.position or '分管副区长'}现场办公"
    visit = visits.visit_create(
        user=office, jurisdiction=district, date=date, title=title, leaders=[leader],
        units=[units["区住房城市建委"], units["区城管局"]],
    )  # fmt: skip
    route = [
        (project, findings)
        for kind, findings in SECOND_VISIT
        for project in sorted(projects.values(), key=lambda p: p.pk)
        if kind in project.name and project.stage == "construction"
    ]
    seen: set[int] = set()
    for project, findings in route:
        if project.pk in seen or len(seen) == 2:
            continue
        seen.add(project.pk)
        stop = visits.stop_add(visit, user=office, project=project, findings=findings)
        text = f"针对{findings.rstrip('。')}的问题，立即整改并报送整改情况。"
        visits.instruction_add(
            visit, user=leader, stop=stop, text=text,
            owner_unit=project.responsible_unit, deadline=date + dt.timedelta(days=7),
            needs_evidence=True, today=date,
        )  # fmt: skip
