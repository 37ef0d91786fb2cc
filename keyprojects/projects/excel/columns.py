"""The columns of the ledger (台账): what officials call them, and what each one fills.

The Chinese here is the vocabulary of the spreadsheets themselves (their headers and
section titles), not interface text, so it is data rather than translation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from keyprojects.projects.choices import Batch, Industry, Level, Light

from .values import norm_text, split_unit

# Kinds of column: how a cell is read.
TEXT, CODE, AMOUNT, DATE, YEAR, YEARS, DATES, UNIT, LEVEL, INDUSTRY, BATCH, IGNORED = (
    "text", "code", "amount", "date", "year", "years", "dates", "unit", "level", "industry",
    "batch", "ignored",
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    key: str
    kind: str
    synonyms: tuple[str, ...]
    # Project field, or "plan.<field>" for the year's AnnualPlan; "" when only read or shown.
    field: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("seq", IGNORED, ("序号", "编号", "序")),
    Column("code", CODE, ("项目代码", "项目编码", "代码", "项目编号", "统一项目代码",
                          "国家项目代码", "项目统一代码", "赋码"), "code"),
    Column("name", TEXT, ("项目名称", "项目名", "名称", "项目"), "name"),
    Column("batch", BATCH, ("类别/批次", "类别", "批次", "项目类别", "项目批次", "类型"), ""),
    Column("level", LEVEL, ("级别", "项目级别", "层级", "项目层级"), "level"),
    Column("industry", INDUSTRY, ("行业", "所属行业", "行业类别", "行业分类", "行业领域"),
           "industry"),
    Column("site", TEXT, ("建设地点", "地点", "项目地点", "建设地址", "项目位置", "选址"), "site"),
    Column("scale_and_content", TEXT, (
        "建设规模及主要建设内容", "建设规模及内容", "建设内容及规模", "主要建设内容",
        "建设内容", "建设规模", "建设规模和内容", "建设规模和主要建设内容", "主要建设内容及规模",
    ), "scale_and_content"),
    Column("owner_unit", UNIT, ("业主单位", "建设单位", "项目业主", "业主", "项目单位",
                                "建设业主", "项目业主单位", "实施单位"), "owner_unit"),
    Column("responsible_unit", UNIT, ("责任单位", "牵头单位", "主管单位", "牵头责任单位",
                                      "责任部门", "行业主管部门", "牵头部门"), "responsible_unit"),
    Column("responsible_person", TEXT, ("责任人", "项目责任人", "负责人", "单位责任人"),
           "responsible_person"),
    Column("contact", TEXT, ("联系人", "联系人及电话", "联系方式", "项目联系人"), "contact"),
    Column("leader_in_charge", TEXT, ("挂点领导", "包抓领导", "联系领导", "分管领导",
                                      "责任领导", "挂帅领导", "区领导"), "leader_in_charge"),
    Column("years", YEARS, ("建设起止年限", "起止年限", "建设年限", "建设周期", "建设期限",
                            "起止年份", "建设起止年份")),
    Column("start_year", YEAR, ("开工年份", "起始年份", "开始年份", "起始年"), "start_year"),
    Column("end_year", YEAR, ("竣工年份", "结束年份", "完工年份", "截止年份"), "end_year"),
    Column("planned_dates", DATES, ("计划开工/竣工日期", "计划开竣工日期", "计划开竣工时间",
                                    "开竣工时间", "开竣工日期", "计划开工/竣工时间",
                                    "开工/竣工日期", "开工/竣工时间")),
    Column("planned_start", DATE, ("计划开工日期", "计划开工时间", "开工日期", "开工时间",
                                   "计划开工"), "planned_start"),
    Column("planned_completion", DATE, ("计划竣工日期", "计划竣工时间", "竣工日期", "竣工时间",
                                        "完工时间", "计划完工时间", "计划完工日期", "计划竣工"),
           "planned_completion"),
    Column("actual_start", DATE, ("实际开工日期", "实际开工时间"), "actual_start"),
    Column("actual_completion", DATE, ("实际竣工日期", "实际竣工时间", "实际完工时间"),
           "actual_completion"),
    Column("total_investment", AMOUNT, ("总投资", "计划总投资", "项目总投资", "估算总投资",
                                        "概算总投资", "总投资额"), "total_investment"),
    Column("funding_sources", TEXT, ("资金来源", "资金筹措", "资金来源渠道", "资金筹措方式"),
           "funding_sources"),
    Column("investment_target", AMOUNT, ("年度计划投资", "年度计划", "本年计划投资",
                                         "年计划投资", "年度投资计划", "今年计划投资",
                                         "年度计划完成投资", "本年度计划投资"),
           "plan.investment_target"),
    Column("month_completed", AMOUNT, ("本月完成投资", "本月完成", "当月完成投资", "当月完成"),
           "plan.month_completed"),
    Column("ytd_completed", AMOUNT, ("本年累计完成投资", "本年累计完成", "年度累计完成",
                                     "今年累计完成投资", "本年完成投资", "年初至今完成投资",
                                     "本年累计完成投资额", "年度累计完成投资"),
           "plan.ytd_completed"),
    Column("since_start_completed", AMOUNT, ("开工累计完成投资", "开工累计完成",
                                             "自开工累计完成投资", "累计完成投资",
                                             "开工以来累计完成投资", "累计完成"),
           "plan.since_start_completed"),
    Column("plan_share", IGNORED, ("占年度计划%", "占年度计划", "占年度计划比例",
                                   "年度计划完成率", "完成年度计划比例", "完成率")),
    Column("total_share", IGNORED, ("占总投资%", "占总投资", "占总投资比例")),
    Column("pace_gap", IGNORED, ("序时进度差", "序时进度", "与序时进度差", "序时进度差(百分点)")),
    Column("progress_text", TEXT, ("形象进度", "工程形象进度", "目前进展", "项目进展",
                                   "进展情况", "形象进度情况", "建设进度", "当前形象进度"),
           "progress_text"),
    Column("preliminary_progress", TEXT, ("前期手续进展", "前期工作进展", "前期手续",
                                          "前期工作情况", "前期手续办理情况"),
           "preliminary_progress"),
    Column("problems_text", TEXT, ("存在问题", "存在的问题", "问题", "困难问题",
                                   "存在问题及困难", "存在困难和问题"), "problems_text"),
    Column("next_steps", TEXT, ("下步打算", "下一步打算", "下步工作", "下一步工作计划",
                                "下步计划", "下一步计划"), "next_steps"),
    Column("light", IGNORED, ("预警", "预警等级", "预警灯", "亮灯", "预警情况")),
)  # fmt: skip

BY_KEY = {column.key: column for column in COLUMNS}
_LOOKUP = {norm_text(s).lower(): column.key for column in COLUMNS for s in column.synonyms}

# Headers that carry a month or a year: 2026年计划投资, 1-10月完成投资, 10月完成投资.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\d{4}年(?:度)?(?:计划|投资计划|计划投资|计划完成投资)"), "investment_target"),
    (re.compile(r"^(?:\d{4}年)?1?-?\d{1,2}月(?:份)?累计完成"), "ytd_completed"),
    (re.compile(r"^(?:\d{4}年)?1月?[-—~至]\d{1,2}月(?:份)?(?:完成|累计)"), "ytd_completed"),
    (re.compile(r"^(?:\d{4}年)?\d{1,2}月(?:份)?完成"), "month_completed"),
    (
        re.compile(r"^(?:截至|截止)(?:目前|\d{4}年\d{1,2}月(?:底|末)?)?(?:开工)?累计完成"),
        "since_start_completed",
    ),
    (re.compile(r"^\d{4}年(?:度)?(?:累计)?完成投资"), "ytd_completed"),
)


@dataclass(frozen=True)
class HeaderMatch:
    key: str
    unit: str | None


def match_header(text: str, group: str = "") -> HeaderMatch | None:
    """The column a header names, with the amount unit it states; `group` is the merged
    header above it in a two-row header."""
    sub, sub_unit = split_unit(text)
    top, top_unit = split_unit(group)
    unit = sub_unit or top_unit
    if group and top:
        grouped = _in_group(top.lower(), sub.lower())
        if grouped:
            return HeaderMatch(grouped, unit)
    key = _lookup(sub.lower())
    if key is None and top:
        key = _lookup((top + sub).lower())
    if key is None and top and sub.lower() in GENERIC_SUBHEADERS:
        key = _lookup(top.lower())
    return HeaderMatch(key, unit) if key else None


# Sub-headers that only repeat what the header above them says: 本年累计完成投资 / 金额.
GENERIC_SUBHEADERS = frozenset({"金额", "投资", "投资额", "数额", "额", "完成", "完成投资", "合计"})


def _lookup(text: str) -> str | None:
    if not text:
        return None
    text = text.rstrip("%").rstrip(":")
    if key := _LOOKUP.get(text):
        return key
    for pattern, key in _PATTERNS:
        if pattern.match(text):
            return key
    bare = _REMARK.sub("", text)  # 建设单位(业主), 业主单位(盖章)
    if bare and bare != text:
        return _lookup(bare)
    return None


_REMARK = re.compile(r"\([^)]*\)")


def _in_group(top: str, sub: str) -> str | None:
    """A sub-header that only means something under its group: 开工 under 计划开工/竣工日期."""
    group = _lookup(top)
    actual = "实际" in top
    if group == "years" or (group is None and "年限" in top):
        if re.search(r"起|开始|开工", sub):
            return "start_year"
        if re.search(r"止|结束|竣工|完工", sub):
            return "end_year"
    if group in ("planned_dates", "planned_start", "planned_completion") or re.search(
        r"(?:开工|竣工).*(?:日期|时间)|开竣工", top
    ):
        if re.search(r"开工|开始|起", sub):
            return "actual_start" if actual else "planned_start"
        if re.search(r"竣工|完工|结束|止", sub):
            return "actual_completion" if actual else "planned_completion"
    return None


# --- vocabulary of values ------------------------------------------------------------------

SECTION_TITLES = {
    Batch.NEW_START: "新开工项目",
    Batch.CONTINUING: "续建项目",
    Batch.COMPLETED: "建成项目",
    Batch.RESERVE: "储备项目",
}
BATCH_ORDER = (Batch.NEW_START, Batch.CONTINUING, Batch.COMPLETED, Batch.RESERVE)
BATCH_WORDS = (
    ("新开工", Batch.NEW_START),
    ("开工", Batch.NEW_START),
    ("续建", Batch.CONTINUING),
    ("在建", Batch.CONTINUING),
    ("建成", Batch.COMPLETED),
    ("竣工", Batch.COMPLETED),
    ("完工", Batch.COMPLETED),
    ("投用", Batch.COMPLETED),
    ("储备", Batch.RESERVE),
    ("前期", Batch.RESERVE),
)
_NUMBERING = r"(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)[、.]?|\d{1,2}[、.])?"
SECTION_RE = re.compile(
    rf"^{_NUMBERING}(?:{'|'.join(word for word, _ in BATCH_WORDS)}|[、和及/])+(?:一批)?(?:项目|类)?"
    r"(?:\(.*\))?(?:[:,;].*)?$"
)
TOTAL_RE = re.compile(r"^(?:全区|全市|全县|总|项目)?(?:合计|小计|总计|共计|汇总)")
NOTE_RE = re.compile(r"^(?:备注|注[:：\d]|说明[:：]|填表说明|填报说明|制表|填报人|审核人|填表人|"
                     r"单位负责人|联系电话)")  # fmt: skip


def section_batch(text: str) -> str | None:
    """The batch a section row names: 一、新开工项目, （一）续建项目, 续建项目（12个）."""
    normalised = norm_text(text)
    if not SECTION_RE.match(normalised):
        return None
    for word, batch in BATCH_WORDS:
        if word in normalised:
            return batch
    return None


def batch_from_text(text: str) -> str | None:
    normalised = norm_text(text)
    for word, batch in BATCH_WORDS:
        if word in normalised:
            return batch
    return None


LEVEL_WORDS = {
    "国家级": Level.NATIONAL, "国家": Level.NATIONAL, "国家重点": Level.NATIONAL,
    "市级": Level.MUNICIPAL, "市": Level.MUNICIPAL, "市重点": Level.MUNICIPAL,
    "市级重点": Level.MUNICIPAL,
    "区级": Level.DISTRICT, "区": Level.DISTRICT, "区重点": Level.DISTRICT, "县级": Level.DISTRICT,
    "区级重点": Level.DISTRICT,
}  # fmt: skip
LEVEL_NAMES = {Level.NATIONAL: "国家级", Level.MUNICIPAL: "市级", Level.DISTRICT: "区级"}

INDUSTRY_NAMES = {
    Industry.TRANSPORT: "交通",
    Industry.MUNICIPAL: "市政",
    Industry.URBAN_RENEWAL: "城市更新",
    Industry.CULTURE_TOURISM: "文化旅游",
    Industry.INDUSTRY: "工业",
    Industry.SERVICES: "现代服务业",
    Industry.SOCIAL: "社会事业",
    Industry.ECOLOGY: "生态环保",
    Industry.ENERGY: "能源",
    Industry.WATER: "水利",
    Industry.HOUSING: "住房",
    Industry.OTHER: "其他",
}
INDUSTRY_WORDS = {
    **{name: key for key, name in INDUSTRY_NAMES.items()},
    "交通运输": Industry.TRANSPORT, "交通基础设施": Industry.TRANSPORT,
    "市政基础设施": Industry.MUNICIPAL, "市政设施": Industry.MUNICIPAL,
    "旧城改造": Industry.URBAN_RENEWAL, "城市有机更新": Industry.URBAN_RENEWAL,
    "文旅": Industry.CULTURE_TOURISM, "文化": Industry.CULTURE_TOURISM,
    "旅游": Industry.CULTURE_TOURISM, "产业": Industry.INDUSTRY, "制造业": Industry.INDUSTRY,
    "服务业": Industry.SERVICES, "商贸": Industry.SERVICES, "社会民生": Industry.SOCIAL,
    "民生": Industry.SOCIAL, "教育": Industry.SOCIAL, "卫生": Industry.SOCIAL,
    "生态": Industry.ECOLOGY, "生态环境": Industry.ECOLOGY, "环保": Industry.ECOLOGY,
    "水务": Industry.WATER, "住房保障": Industry.HOUSING, "保障性住房": Industry.HOUSING,
    "房地产": Industry.HOUSING, "其它": Industry.OTHER,
}  # fmt: skip
LIGHT_NAMES = {Light.GREEN: "绿灯", Light.YELLOW: "黄灯", Light.RED: "红灯"}
