"""The Yuzhong demo: the units and projects named in the article, and about sixty more.

Deterministic: the same call builds the same data (a fixed random seed, a fixed year).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module
from typing import Any

from django.db import transaction
from django.utils import timezone

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.organisations.choices import JurisdictionLevel, Role, UnitKind
from keyprojects.organisations.models import Jurisdiction, Unit, User
from keyprojects.projects.choices import Industry, Level, Light, Milestone, Stage
from keyprojects.projects.models import AnnualPlan, Project, StageChange

DEMO_PASSWORD = "keyprojects"
DEMO_YEAR = 2026
WAN = Decimal(10000)

UNITS = [
    ("区发改委", UnitKind.DEPARTMENT),
    ("区住房城市建委", UnitKind.DEPARTMENT),
    ("区城管局", UnitKind.DEPARTMENT),
    ("区文化旅游委", UnitKind.DEPARTMENT),
    ("区教委", UnitKind.DEPARTMENT),
    ("区卫生健康委", UnitKind.DEPARTMENT),
    ("解放碑CBD管委会", UnitKind.COMMITTEE),
    ("区国资公司", UnitKind.STATE_COMPANY),
    ("康翔公司", UnitKind.STATE_COMPANY),
    ("区城投公司", UnitKind.STATE_COMPANY),
    ("区城市更新公司", UnitKind.STATE_COMPANY),
    ("重庆渝中实业发展有限公司", UnitKind.PRIVATE_COMPANY),
]

LEADERS = ["区长", "常务副区长", "分管城建副区长", "分管经济副区长", "分管文旅副区长"]


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    description: str


LOGINS = [
    Login("office", Role.PROGRAMME_OFFICE, "区发改委 · 项目办 (programme office)"),
    Login("leader", Role.LEADER, "分管副区长 (leader)"),
    Login("chengtou", Role.UNIT_USER, "区城投公司 (owner unit user)"),
    Login("zhujian", Role.UNIT_USER, "区住房城市建委 (responsible unit user)"),
    Login("auditor", Role.AUDITOR, "审计 (auditor, read-only)"),
    Login("jiangbei", Role.PROGRAMME_OFFICE, "江北区发改委 (another district)"),
]

# name, industry, owner, responsible, total 万元, start, completion, stage, leader
NAMED = [
    (
        "老鼓楼衙署遗址公园",
        Industry.CULTURE_TOURISM,
        "区城市更新公司",
        "区文化旅游委",
        Decimal(68000),
        dt.date(2021, 6, 1),
        dt.date(2026, 12, 31),
        Stage.CONSTRUCTION,
        "区长",
    ),
    (
        "珊瑚公园滨江公园",
        Industry.ECOLOGY,
        "区城投公司",
        "区城管局",
        Decimal(32000),
        dt.date(2022, 3, 1),
        dt.date(2026, 6, 30),
        Stage.CONSTRUCTION,
        "分管城建副区长",
    ),
    (
        "解放碑地下停车库及连接通道三期工程",
        Industry.TRANSPORT,
        "康翔公司",
        "解放碑CBD管委会",
        Decimal(45000),
        dt.date(2026, 4, 1),
        dt.date(2028, 12, 31),
        Stage.CONSTRUCTION,
        "常务副区长",
    ),
    (
        "马鞍山传统风貌区",
        Industry.URBAN_RENEWAL,
        "区城市更新公司",
        "区住房城市建委",
        Decimal(120000),
        dt.date(2020, 9, 1),
        dt.date(2025, 12, 31),
        Stage.COMPLETED,
        "分管文旅副区长",
    ),
]


PLACES = [
    "解放碑",
    "朝天门",
    "化龙桥",
    "大坪",
    "两路口",
    "上清寺",
    "七星岗",
    "菜园坝",
    "鹅岭",
    "大溪沟",
    "石油路",
    "李子坝",
    "佛图关",
    "十八梯",
    "白象街",
    "山城巷",
    "望龙门",
    "储奇门",
]
KINDS = [
    ("片区城市更新项目", Industry.URBAN_RENEWAL, (30000, 150000)),
    ("老旧小区改造工程", Industry.HOUSING, (3000, 20000)),
    ("公共停车场建设工程", Industry.TRANSPORT, (5000, 40000)),
    ("道路品质提升工程", Industry.TRANSPORT, (2000, 25000)),
    ("滨江步道及消落带治理", Industry.ECOLOGY, (8000, 60000)),
    ("地下管网改造工程", Industry.MUNICIPAL, (2000, 15000)),
    ("小学改扩建工程", Industry.SOCIAL, (6000, 30000)),
    ("社区卫生服务中心建设", Industry.SOCIAL, (2000, 9000)),
    ("文旅街区提升工程", Industry.CULTURE_TOURISM, (5000, 50000)),
    ("商务楼宇及配套建设", Industry.SERVICES, (40000, 300000)),
    ("山城步道建设工程", Industry.CULTURE_TOURISM, (1500, 8000)),
    ("数字经济产业园", Industry.INDUSTRY, (20000, 120000)),
]

# How many generated projects fall in each shape, for DEMO_YEAR.
SHAPES = [("reserve", 12), ("new_start", 14), ("continuing", 22), ("completing", 9),
          ("done", 3), ("cancelled", 1)]  # fmt: skip


def build_demo(*, reset: bool = False) -> tuple[Jurisdiction, bool]:
    """Build the demo; returns the district and whether anything was built."""
    with acting(channel=Channel.COMMAND), transaction.atomic():
        city, _ = Jurisdiction.objects.get_or_create(
            code="500000", defaults={"name": "重庆市", "level": JurisdictionLevel.CITY}
        )
        district, _ = Jurisdiction.objects.get_or_create(
            code="500103",
            defaults={"name": "渝中区", "level": JurisdictionLevel.DISTRICT, "parent": city},
        )
        jiangbei, _ = Jurisdiction.objects.get_or_create(
            code="500105",
            defaults={"name": "江北区", "level": JurisdictionLevel.DISTRICT, "parent": city},
        )
        if Project.objects.filter(jurisdiction=district).exists():
            if not reset:
                _ensure_logins(district, jiangbei)
                return district, False
            Project.objects.filter(jurisdiction__in=[district, jiangbei]).delete()
        units = {
            name: Unit.objects.get_or_create(
                jurisdiction=district, name=name, defaults={"kind": kind}
            )[0]
            for name, kind in UNITS
        }
        jiangbei_unit, _ = Unit.objects.get_or_create(
            jurisdiction=jiangbei, name="江北区城投公司", defaults={"kind": UnitKind.STATE_COMPANY}
        )
        _ensure_logins(district, jiangbei)
        rng = random.Random(2022)
        serial = iter(range(1, 10_000))
        for row in NAMED:
            name, industry, owner, resp, total_wan, start, end, stage, leader = row
            _make_project(
                rng, district, next(serial), name, industry, units[owner], units[resp],
                total_wan, start, end, stage, leader, Level.MUNICIPAL,
            )  # fmt: skip
        owners = [u for u in units.values() if u.kind != UnitKind.DEPARTMENT]
        departments = [u for u in units.values() if u.kind == UnitKind.DEPARTMENT]
        used: set[str] = {row[0] for row in NAMED}
        for shape, count in SHAPES:
            for _i in range(count):
                name, industry_, low_high = _unique_name(rng, used)
                total_wan = Decimal(rng.randrange(*low_high) // 100 * 100)
                start_, end_, stage_ = _dates_for(rng, shape)
                _make_project(
                    rng, district, next(serial), name, industry_, rng.choice(owners),
                    rng.choice(departments), total_wan, start_, end_, stage_, rng.choice(LEADERS),
                    rng.choice([Level.DISTRICT, Level.DISTRICT, Level.MUNICIPAL]),
                )  # fmt: skip
        _make_project(
            rng, jiangbei, 1, "江北嘴金融城配套道路工程", Industry.TRANSPORT, jiangbei_unit,
            jiangbei_unit, Decimal(26000), dt.date(2025, 5, 1), dt.date(2027, 6, 30),
            Stage.CONSTRUCTION, "区长", Level.DISTRICT, division="500105",
        )  # fmt: skip
        for module in _demo_modules():
            module.populate(district)
    return district, True


# Each capability adds its own demo records in `<app>/demo.py`: `populate(district)`.
DEMO_APPS = ("supervision", "problems", "meetings", "inspections", "alerts", "assessment",
             "bulletins", "notifications", "cockpit")  # fmt: skip


def _demo_modules() -> list[Any]:
    modules = []
    for app in DEMO_APPS:
        name = f"keyprojects.{app}.demo"
        try:
            modules.append(import_module(name))
        except ModuleNotFoundError as missing:
            if missing.name != name:
                raise
    return modules


def _ensure_logins(district: Jurisdiction, jiangbei: Jurisdiction) -> None:
    unit_of = {"chengtou": "区城投公司", "zhujian": "区住房城市建委"}
    positions = {"office": "区发改委主任", "leader": "分管城建副区长", "auditor": "区审计局审计员"}
    for login in LOGINS:
        jurisdiction = jiangbei if login.username == "jiangbei" else district
        unit = None
        if login.username in unit_of:
            unit = Unit.objects.get(jurisdiction=district, name=unit_of[login.username])
        user, created = User.objects.get_or_create(
            username=login.username,
            defaults={
                "role": login.role,
                "jurisdiction": jurisdiction,
                "unit": unit,
                "position": positions.get(login.username, ""),
                "full_name": login.description.split(" (")[0],
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()


def _unique_name(rng: random.Random, used: set[str]) -> tuple[str, str, tuple[int, int]]:
    while True:
        place = rng.choice(PLACES)
        kind, industry, low_high = rng.choice(KINDS)
        name = place + kind
        if name not in used:
            used.add(name)
            return name, industry, low_high


def _dates_for(rng: random.Random, shape: str) -> tuple[dt.date | None, dt.date | None, str]:
    y = DEMO_YEAR

    def day(year: int) -> dt.date:
        return dt.date(year, rng.randint(1, 12), 1)

    if shape == "reserve":
        start = day(y + rng.randint(1, 2)) if rng.random() < 0.6 else None
        end = dt.date(start.year + rng.randint(1, 3), 12, 31) if start else None
        return start, end, rng.choice([Stage.RESERVE, Stage.RESERVE, Stage.PRELIMINARY])
    if shape == "new_start":
        start = dt.date(y, rng.randint(2, 11), 1)
        end = dt.date(y + rng.randint(1, 3), rng.choice([6, 12]), 30)
        return start, end, Stage.CONSTRUCTION if start.month <= 9 else Stage.PRELIMINARY
    if shape == "continuing":
        return (
            day(y - rng.randint(1, 3)),
            dt.date(y + rng.randint(1, 2), 12, 31),
            Stage.CONSTRUCTION,
        )
    if shape == "completing":
        end = dt.date(y, rng.randint(3, 12), 28)
        stage = Stage.COMPLETED if end.month <= 9 else Stage.CONSTRUCTION
        return day(y - rng.randint(1, 3)), end, stage
    if shape == "done":
        return day(y - 4), dt.date(y - 1, rng.randint(3, 12), 28), Stage.OPERATING
    return day(y - 1), dt.date(y + 1, 12, 31), Stage.CANCELLED


def _make_project(
    rng: random.Random,
    jurisdiction: Jurisdiction,
    serial: int,
    name: str,
    industry: str,
    owner: Unit,
    responsible: Unit,
    total_wan: Decimal,
    start: dt.date | None,
    end: dt.date | None,
    stage: str,
    leader: str,
    level: str,
    division: str = "500103",
) -> Project:
    started = stage in (Stage.CONSTRUCTION, Stage.COMPLETED, Stage.OPERATING)
    finished = stage in (Stage.COMPLETED, Stage.OPERATING)
    has_code = stage != Stage.RESERVE or rng.random() < 0.5
    year_of_code = (start.year - 1) if start else DEMO_YEAR
    project = Project.objects.create(
        jurisdiction=jurisdiction,
        code=f"{min(year_of_code, DEMO_YEAR)}-{division}-{rng.choice(['48', '78', '50', '70'])}-01-"
        f"{serial * 7919 % 1_000_000:06d}"
        if has_code
        else None,
        name=name,
        level=level,
        industry=industry,
        site=f"渝中区{name[:3]}片区",
        latitude=Decimal("29.55") + Decimal(rng.randint(0, 400)) / 10000,
        longitude=Decimal("106.52") + Decimal(rng.randint(0, 700)) / 10000,
        scale_and_content=f"{name}，总建筑面积约{rng.randint(1, 30)}万平方米，含配套设施。",
        owner_unit=owner,
        responsible_unit=responsible,
        responsible_person=f"{owner.name}负责人",
        contact=f"{owner.name}项目部 023-6{rng.randint(1000000, 9999999)}",
        leader_in_charge=leader,
        start_year=start.year if start else None,
        end_year=end.year if end else None,
        planned_start=start,
        planned_completion=end,
        actual_start=start + dt.timedelta(days=rng.randint(0, 40)) if started and start else None,
        actual_completion=end if finished else None,
        total_investment=total_wan * WAN,
        funding_sources=rng.choice(
            ["区级财政", "专项债券+自筹", "企业自筹", "中央预算内+区级配套"]
        ),
        progress_percent=Decimal(100)
        if finished
        else (Decimal(rng.randint(5, 90)) if started else None),
        progress_text=_progress_text(rng, stage),
        preliminary_progress="已取得施工许可证"
        if started
        else rng.choice(["可研已批复，正在开展初步设计", "正在办理用地预审", "项目建议书已批复"]),
        problems_text=rng.choice(
            ["", "", "管线迁改协调难度大", "征收拆迁尚未完成", "资金到位滞后"]
        ),
        next_steps=rng.choice(["加快主体施工", "完成竣工验收", "推进前期手续办理", "抓紧招标"]),
        stage=stage,
    )
    _history(rng, project)
    _plans(rng, project)
    return project


def _progress_text(rng: random.Random, stage: str) -> str:
    return {
        Stage.RESERVE: "谋划储备中",
        Stage.PRELIMINARY: "前期手续办理中",
        Stage.CONSTRUCTION: rng.choice(["主体结构施工中", "基础施工中", "装饰装修施工中"]),
        Stage.COMPLETED: "已完工",
        Stage.OPERATING: "已投用",
        Stage.CANCELLED: "已终止",
    }[Stage(stage)]


def _history(rng: random.Random, project: Project) -> None:
    order = [Stage.RESERVE, Stage.PRELIMINARY, Stage.CONSTRUCTION, Stage.COMPLETED, Stage.OPERATING]
    start = project.actual_start or project.planned_start or dt.date(DEMO_YEAR - 1, 6, 1)
    when = {
        Stage.RESERVE: start - dt.timedelta(days=540),
        Stage.PRELIMINARY: start - dt.timedelta(days=300),
        Stage.CONSTRUCTION: start,
        Stage.COMPLETED: project.actual_completion or start,
        Stage.OPERATING: (project.actual_completion or start) + dt.timedelta(days=90),
    }
    reasons = {
        Stage.RESERVE: "纳入区级重点项目储备库",
        Stage.PRELIMINARY: "项目建议书获批，启动前期工作",
        Stage.CONSTRUCTION: "取得施工许可证，正式开工",
        Stage.COMPLETED: "通过竣工联合验收",
        Stage.OPERATING: "投入使用，效益初步显现",
        Stage.CANCELLED: "规划调整，项目终止",
    }
    current = Stage(project.stage)
    path = order[: order.index(current) + 1] if current in order else order[:2]
    if project.stage == Stage.CANCELLED:
        path = [*path, Stage.CANCELLED]
        when[Stage.CANCELLED] = dt.date(DEMO_YEAR, 3, 15)
    previous = ""
    for stage in path:
        moment = timezone.make_aware(dt.datetime.combine(when[stage], dt.time(10, 0)))
        StageChange.objects.create(
            project=project,
            from_stage=previous,
            to_stage=stage,
            reason=reasons[stage],
            at=moment,
            effective_date=when[stage],
        )
        previous = stage


def _plans(rng: random.Random, project: Project) -> None:
    if project.stage in (Stage.RESERVE, Stage.CANCELLED) or not project.planned_start:
        return
    first = project.planned_start.year
    last = min((project.planned_completion or project.planned_start).year, DEMO_YEAR)
    years = list(range(max(first, DEMO_YEAR - 3), last + 1))
    span = max(1, (project.planned_completion or project.planned_start).year - first + 1)
    share = (project.total_investment / span).quantize(Decimal("10000"))
    for year in years:
        plan = AnnualPlan(project=project, year=year, investment_target=share)
        if year == first:
            plan.milestone = Milestone.START
            plan.milestone_quarter = (project.planned_start.month - 1) // 3 + 1
        elif project.planned_completion and year == project.planned_completion.year:
            plan.milestone = Milestone.COMPLETION
            plan.milestone_quarter = (project.planned_completion.month - 1) // 3 + 1
        if year < DEMO_YEAR:
            plan.ytd_completed = (share * Decimal(rng.randint(85, 110)) / 100).quantize(WAN)
            plan.figures_as_of = dt.date(year, 12, 31)
        elif project.actual_start:
            pace = Decimal(rng.choice([40, 55, 68, 75, 80, 83, 88, 95, 102]))
            plan.ytd_completed = (share * pace / 100).quantize(WAN)
            plan.month_completed = (share * Decimal(rng.randint(3, 12)) / 100).quantize(WAN)
            plan.figures_as_of = dt.date(DEMO_YEAR, 10, 31)
            gap = pace - Decimal(1000) / 12
            project.light = Light.GREEN if gap > -10 else Light.YELLOW if gap >= -30 else Light.RED
        plan.save()
    if project.light:
        project.save(update_fields=["light"])
