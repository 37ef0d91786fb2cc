"""Demo problems and demands: about twenty-five, in every state, through the same services as
the pages, then dated back over the past weeks so the timeline and the statistics read like
a real autumn of work."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit, User
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import Project
from keyprojects.supervision import services as supervision
from keyprojects.supervision.choices import TaskStatus
from keyprojects.supervision.models import Task, TaskUpdate
from keyprojects.supervision.sources import tasks_of

from . import services
from .choices import Category, Severity
from .models import Problem, ProblemEvent, ProblemResponse


@dataclass(frozen=True)
class Demo:
    category: str
    severity: str
    title: str
    need: str
    units: tuple[str, ...]
    state: str  # raised, withdrawn, assigned, overdue, partial, resolved, closed, reopened
    days_ago: int
    description: str = ""
    needed_from: str = ""
    answers: tuple[str, ...] = field(default=())
    rating: int = 0
    comment: str = ""
    project: str = ""


C, S = Category, Severity
PROBLEMS = [
    Demo(C.DEMOLITION, S.URGENT, "剩余3户房屋征收未签约，影响场地平整",
         "请协调区房屋征收中心加快剩余住户签约腾房，11月底前交付净地。",
         ("区住房城市建委",), "overdue", 40,
         description="红线范围内尚有3户住户对补偿方案有异议，土石方单位无法进场。",
         answers=("已约谈3户住户，2户原则同意签约，1户仍在协商。",),
         project="老鼓楼衙署遗址公园"),
    Demo(C.UTILITIES, S.IMPORTANT, "10kV电力管线迁改滞后，主体结构无法施工",
         "请协调供电公司尽快审定迁改方案并安排停电窗口。",
         ("区城管局",), "closed", 75, needed_from="国网重庆市区供电公司",
         answers=("已与供电公司召开对接会，迁改方案已审定。", "停电窗口已安排，迁改于本周六完成。"),
         rating=5, comment="协调有力，迁改按期完成。", project="珊瑚公园滨江公园"),
    Demo(C.FUNDING, S.IMPORTANT, "第三季度工程进度款未拨付，拖欠施工单位约1200万元",
         "请按合同约定尽快拨付第三季度进度款，避免施工单位停工。",
         ("区国资公司", "区发改委"), "partial", 30,
         answers=("已完成进度款审核，正在走拨付流程。",),
         project="解放碑地下停车库及连接通道三期工程"),
    Demo(C.APPROVALS, S.URGENT, "施工许可证办理卡在消防设计审查环节",
         "请加快消防设计审查，确保月内取得施工许可证。",
         ("区住房城市建委",), "resolved", 20,
         answers=("已开通绿色通道，消防设计审查意见已出具，施工许可证已核发。",)),
    Demo(C.PLANNING, S.GENERAL, "地下连接通道与既有建筑基础冲突，需调整设计方案",
         "请协调规划部门对调整后的设计方案予以审查。",
         ("解放碑CBD管委会",), "assigned", 6, needed_from="市规划自然资源局",
         project="解放碑地下停车库及连接通道三期工程"),
    Demo(C.LAND, S.IMPORTANT, "项目用地内国有土地使用权尚未收回",
         "请协调原使用权单位办理土地收回手续。",
         ("区国资公司",), "closed", 90,
         answers=("已与原使用权单位签订收回协议，土地已移交。",), rating=4,
         comment="办理及时，手续稍慢。"),
    Demo(C.LABOUR, S.GENERAL, "工人到岗不足，现场仅到岗六成",
         "请协助对接劳务资源，保障节点工期用工。",
         ("区住房城市建委",), "closed", 60,
         answers=("已协调两家劳务企业补充工人80名。",), rating=4),
    Demo(C.MATERIALS, S.GENERAL, "商品混凝土供应紧张，夜间浇筑无法保障",
         "请协调搅拌站优先保障重点项目供应。",
         ("区住房城市建委",), "assigned", 4),
    Demo(C.EPIDEMIC, S.URGENT, "封控期间材料运输车辆通行受限",
         "请为项目材料运输车辆办理通行证明。",
         ("区卫生健康委",), "closed", 120,
         answers=("已为项目办理通行证明12张。",), rating=5, comment="当天办结。"),
    Demo(C.OTHER, S.GENERAL, "夜间施工许可延期申请",
         "请办理混凝土浇筑夜间施工许可延期。",
         ("区城管局",), "resolved", 12,
         answers=("夜间施工许可已延期至12月31日。",)),
    Demo(C.UTILITIES, S.IMPORTANT, "燃气中压管道迁改方案未确定",
         "请协调燃气公司尽快确定迁改方案和实施时间。",
         ("区城管局",), "overdue", 35, needed_from="重庆燃气集团",
         answers=("已函告燃气公司，方案正在编制。",)),
    Demo(C.DEMOLITION, S.IMPORTANT, "临街商铺租户拒绝搬迁",
         "请协调街道和管委会做好租户搬迁工作。",
         ("解放碑CBD管委会",), "closed", 100,
         answers=("已与租户达成补偿协议，商铺已腾空。",), rating=3,
         comment="问题解决，但耗时较长。"),
    Demo(C.FUNDING, S.URGENT, "专项债券资金未到位，项目资金缺口约8000万元",
         "请协调将项目纳入下一批专项债券申报，并先行调度资金。",
         ("区发改委", "区国资公司"), "assigned", 8),
    Demo(C.APPROVALS, S.GENERAL, "环评批复办理周期较长",
         "请协调市生态环境局加快环评审批。",
         ("区发改委",), "raised", 2, needed_from="市生态环境局"),
    Demo(C.UTILITIES, S.GENERAL, "通信光缆迁改需三家运营商配合",
         "请协调电信、移动、联通同步实施光缆迁改。",
         ("区城管局",), "reopened", 50,
         answers=("三家运营商已完成迁改。",), rating=2,
         comment="联通光缆仍未迁走，影响基坑开挖。"),
    Demo(C.OTHER, S.GENERAL, "施工占道需交通组织方案审批",
         "请协调交巡警部门审批占道施工交通组织方案。",
         ("区城管局",), "raised", 1, needed_from="区交巡警支队"),
    Demo(C.PLANNING, S.IMPORTANT, "文物保护范围内施工方案需专家论证",
         "请组织文物专家对施工方案进行论证。",
         ("区文化旅游委",), "closed", 80,
         answers=("已组织专家论证会，方案通过。",), rating=5,
         project="老鼓楼衙署遗址公园"),
    Demo(C.LAND, S.GENERAL, "临时用地手续到期需续办",
         "请办理施工临时用地续期手续。",
         ("区住房城市建委",), "withdrawn", 25),
    Demo(C.MATERIALS, S.GENERAL, "钢材价格上涨，合同价款调整需认定",
         "请明确材料价差调整的认定办法。",
         ("区发改委",), "raised", 3),
    Demo(C.FUNDING, S.GENERAL, "项目前期工作经费不足",
         "请安排前期工作经费200万元。",
         ("区发改委",), "overdue", 45),
    Demo(C.APPROVALS, S.IMPORTANT, "初步设计及概算批复未下达",
         "请加快初步设计及概算审批。",
         ("区发改委",), "resolved", 25,
         answers=("初步设计及概算已批复。",)),
    Demo(C.DEMOLITION, S.URGENT, "征收范围内违法建筑拆除受阻",
         "请组织联合执法拆除违法建筑。",
         ("区城管局", "区住房城市建委"), "partial", 14,
         answers=("已下达限期拆除通知。",)),
    Demo(C.LABOUR, S.GENERAL, "农民工工资专户资金不足",
         "请督促总包单位补足工资专户资金。",
         ("区住房城市建委",), "closed", 70,
         answers=("总包单位已补足工资专户资金。",), rating=4),
]  # fmt: skip

# A second report of the first problem, merged into it.
DUPLICATE = ("剩余住户未签约导致无法进场", "请尽快完成剩余住户征收。")

# How long after the assignment a unit first answers: the same day, or days later.
ANSWER_HOURS = (2, 5, 26, 29, 50, 74)

# Units that answer in the demo and have no person yet get one (no password: not a login).
RESPONDERS = {
    "区城管局": "chengguan",
    "解放碑CBD管委会": "cbd",
    "区国资公司": "guozi",
    "区发改委": "fagai",
    "区卫生健康委": "weijian",
    "区文化旅游委": "wenlv",
}


def populate(district: Jurisdiction) -> None:
    rng = random.Random(2026)
    now = timezone.now()
    office = User.objects.filter(role=Role.PROGRAMME_OFFICE, jurisdiction=district).first()
    if office is None:
        return
    units = {u.name: u for u in Unit.objects.filter(jurisdiction=district)}
    projects = list(
        Project.objects.filter(
            jurisdiction=district, stage__in=[Stage.PRELIMINARY, Stage.CONSTRUCTION]
        )
        .select_related("owner_unit", "responsible_unit")
        .order_by("pk")
    )
    if not projects:
        return
    named = {p.name: p for p in projects}
    first: Problem | None = None
    for demo in PROBLEMS:
        project = named.get(demo.project) or rng.choice(projects)
        responders = [units[n] for n in demo.units if n in units]
        responders = [u for u in responders if u.pk != project.owner_unit_id]
        if not responders:
            continue
        problem = _play(demo, project, responders, office, now)
        first = first or problem
    if first is not None and first.is_open:
        _duplicate(first, office, now)
    today = timezone.localdate()
    supervision.tasks_check_deadlines(today)
    services.problems_check_deadlines(today)


def _person(unit: Unit) -> User:
    person = User.objects.filter(unit=unit, role=Role.UNIT_USER, is_active=True).first()
    if person is not None:
        return person
    username = RESPONDERS.get(unit.name, f"unit{unit.pk}")
    person, created = User.objects.get_or_create(
        username=username,
        defaults={
            "role": Role.UNIT_USER,
            "jurisdiction_id": unit.jurisdiction_id,
            "unit": unit,
            "full_name": f"{unit.name}联络员",
        },
    )
    if created:
        person.set_unusable_password()
        person.save()
    return person


def _raiser(project: Project, office: User) -> tuple[User, Unit]:
    """The owner unit's own person when it has one; otherwise the office records it."""
    person = User.objects.filter(
        unit_id=project.owner_unit_id, role=Role.UNIT_USER, is_active=True
    ).first()
    return (person or office), project.owner_unit


def _play(
    demo: Demo, project: Project, responders: list[Unit], office: User, now: dt.datetime
) -> Problem:
    raised_at = _morning(now, demo.days_ago)
    clock = _Clock(now)
    raiser, unit = _raiser(project, office)
    problem = services.problem_raise(
        user=raiser, project=project, raised_by_unit=unit, category=demo.category,
        severity=demo.severity, title=demo.title, description=demo.description,
        need=demo.need, needed_from=demo.needed_from,
    )  # fmt: skip
    clock.stamp(problem, raised_at)
    if demo.state == "raised":
        return problem
    if demo.state == "withdrawn":
        _refresh(problem)
        services.problem_withdraw(problem, user=raiser, reason="已自行协调解决。")
        clock.stamp(problem, raised_at + dt.timedelta(days=1, hours=2))
        return problem
    assigned_at = raised_at + dt.timedelta(days=1, hours=1)
    _refresh(problem)
    services.problem_assign(
        problem, user=office, units=responders, note="请按时限办理并及时反馈。",
        today=timezone.localdate(assigned_at),
    )  # fmt: skip
    clock.stamp(problem, assigned_at)
    # Some units answer the same afternoon, some take days.
    answered_at = assigned_at + dt.timedelta(hours=ANSWER_HOURS[len(demo.title) % 6])
    finishing = demo.state in ("resolved", "closed", "reopened")
    for i, unit_ in enumerate(responders):
        if demo.state == "assigned" or (demo.state == "partial" and i > 0):
            break
        person = _person(unit_)
        answers = demo.answers or ("已收到，正在办理。",)
        for j, text in enumerate(answers):
            last = j == len(answers) - 1
            done = last and (finishing or demo.state == "partial")
            _refresh(problem)
            services.problem_respond(problem, user=person, text=text, done=done)
            clock.stamp(problem, answered_at + dt.timedelta(days=j, hours=i))
        if finishing or demo.state == "partial":
            task = _open_task(problem, unit_)
            if task is not None and task.status == TaskStatus.SUBMITTED:
                supervision.task_accept(task, user=office, text="经核实，同意办结。")
                clock.stamp(problem, answered_at + dt.timedelta(days=len(answers), hours=i))
    if demo.state in ("closed", "reopened"):
        _refresh(problem)
        confirmer = raiser if raiser.unit_id == problem.raised_by_unit_id else office
        rating = demo.rating or 4
        services.problem_confirm(problem, user=confirmer, rating=rating, comment=demo.comment)
        clock.stamp(problem, answered_at + dt.timedelta(days=len(demo.answers) + 2))
    if demo.state == "reopened":
        _refresh(problem)
        services.problem_reopen(
            problem, user=office, reason=demo.comment or "问题未彻底解决。",
            today=timezone.localdate(answered_at + dt.timedelta(days=len(demo.answers) + 4)),
        )  # fmt: skip
        clock.stamp(problem, answered_at + dt.timedelta(days=len(demo.answers) + 4))
    _refresh(problem)
    return problem


def _duplicate(target: Problem, office: User, now: dt.datetime) -> None:
    clock = _Clock(now)
    raised_at = _morning(now, 20)
    project = target.project
    unit = (
        project.responsible_unit
        if project.responsible_unit_id != target.raised_by_unit_id
        else project.owner_unit
    )
    title, need = DUPLICATE
    duplicate = services.problem_raise(
        user=office, project=project, raised_by_unit=unit, category=target.category,
        severity=target.severity, title=title, need=need,
    )  # fmt: skip
    clock.stamp(duplicate, raised_at)
    _refresh(duplicate)
    _refresh(target)
    services.problem_merge(duplicate, user=office, into=target, reason="同一问题重复反映。")
    clock.stamp(duplicate, raised_at + dt.timedelta(hours=3), target)


def _open_task(problem: Problem, unit: Unit) -> Task | None:
    return (
        tasks_of(problem)
        .filter(owner_unit=unit)
        .exclude(status=TaskStatus.CANCELLED)
        .order_by("-created_at", "-id")
        .first()
    )


def _refresh(problem: Problem) -> None:
    problem.refresh_from_db()


def _morning(now: dt.datetime, days_ago: int) -> dt.datetime:
    local = timezone.localtime(now) - dt.timedelta(days=days_ago)
    return local.replace(hour=9, minute=30, second=0, microsecond=0)


class _Clock:
    """Dates back what a step just wrote (everything stamped after the previous step) to the
    moment the story says it happened."""

    PROBLEM_TIMES = (
        "raised_at",
        "triaged_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "escalated_at",
    )
    TASK_TIMES = ("created_at", "submitted_at", "closed_at")

    def __init__(self, now: dt.datetime) -> None:
        self.since = now - dt.timedelta(seconds=1)

    def stamp(self, problem: Problem, moment: dt.datetime, *others: Problem) -> None:
        moment = min(moment, timezone.now() - dt.timedelta(minutes=1))
        for each in (problem, *others):
            self._stamp(each, moment)
        self.since = timezone.now() - dt.timedelta(microseconds=1)

    def _stamp(self, problem: Problem, moment: dt.datetime) -> None:
        since = self.since
        updates: dict[str, Any] = {}
        current = Problem.objects.filter(pk=problem.pk).values(*self.PROBLEM_TIMES).first() or {}
        for name in self.PROBLEM_TIMES:
            value = current.get(name)
            if value is not None and value >= since:
                updates[name] = moment
        if updates:
            Problem.objects.filter(pk=problem.pk).update(**updates)
        ProblemEvent.objects.filter(problem=problem, at__gte=since).update(at=moment)
        ProblemResponse.objects.filter(problem=problem, at__gte=since).update(at=moment)
        tasks = tasks_of(problem)
        for name in self.TASK_TIMES:
            tasks.filter(**{f"{name}__gte": since}).update(**{name: moment})
        TaskUpdate.objects.filter(task__in=tasks, at__gte=since).update(at=moment)
