"""The usual steps (DOMAIN.md), as data in the users' words: a jurisdiction's templates start
with these and the programme office edits them."""

from .models import Phase, TemplateKind

GOVERNMENT = [
    ("在线审批监管平台赋码", Phase.PROJECT_LAND, "区发改委"),
    ("项目建议书批复", Phase.PROJECT_LAND, "区发改委"),
    ("选址意见书及用地预审", Phase.PROJECT_LAND, "区规划自然资源局"),
    ("环境影响评价", Phase.PROJECT_LAND, "区生态环境局"),
    ("节能审查", Phase.PROJECT_LAND, "区发改委"),
    ("社会稳定风险评估", Phase.PROJECT_LAND, "区委政法委"),
    ("水土保持方案", Phase.PROJECT_LAND, "区水利局"),
    ("可行性研究报告批复", Phase.PROJECT_LAND, "区发改委"),
    ("建设用地规划许可证及土地供应", Phase.PROJECT_LAND, "区规划自然资源局"),
    ("初步设计及概算批复", Phase.CONSTRUCTION_PERMIT, "区发改委"),
    ("建设工程规划许可证", Phase.CONSTRUCTION_PERMIT, "区规划自然资源局"),
    ("施工图审查", Phase.WORKS_PERMIT, "区住房城市建委"),
    ("施工及监理招标", Phase.WORKS_PERMIT, "区公共资源交易中心"),
    ("施工许可证", Phase.WORKS_PERMIT, "区住房城市建委"),
    ("竣工联合验收", Phase.ACCEPTANCE, "区住房城市建委"),
]

TEMPLATE_NAMES = {
    TemplateKind.GOVERNMENT: "政府投资项目审批流程",
    TemplateKind.FILING: "企业投资项目备案流程",
    TemplateKind.APPROVAL: "企业投资项目核准流程",
}
ENTERPRISE_STEP = {TemplateKind.FILING: "项目备案", TemplateKind.APPROVAL: "项目核准"}
GOVERNMENT_ONLY = {"项目建议书批复", "可行性研究报告批复"}


def steps_for(kind: str) -> list[tuple[str, str, str, bool]]:
    """(name, phase, department, needed before works start) for a kind of template."""
    rows = list(GOVERNMENT)
    if kind in ENTERPRISE_STEP:
        rows = [r for r in rows if r[0] not in GOVERNMENT_ONLY]
        rows.insert(1, (ENTERPRISE_STEP[TemplateKind(kind)], Phase.PROJECT_LAND, "区发改委"))
    return [(name, phase, dept, phase != Phase.ACCEPTANCE) for name, phase, dept in rows]
