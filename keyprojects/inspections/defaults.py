"""The usual checklists of a Chinese construction site, in the inspectors' words (after
JGJ 59 建筑施工安全检查标准, GB 50300 建筑工程施工质量验收统一标准 and the site epidemic-control
rules). A jurisdiction's templates start with these; the programme office edits them."""

from __future__ import annotations

from .choices import InspectionKind
from .choices import ItemSeverity as S

# (text, category, severity if failed, days to rectify)
Item = tuple[str, str, str, int]

SAFETY: list[Item] = [
    ("安全生产责任制落实，项目经理、专职安全员到岗履职", "安全管理", S.GENERAL, 3),
    ("危大工程专项施工方案经审批、论证，并按方案实施", "安全管理", S.MAJOR, 3),
    ("特种作业人员（电工、焊工、架子工、起重司机等）持证上岗", "安全管理", S.MAJOR, 1),
    ("安全技术交底和班前安全教育记录齐全", "安全管理", S.GENERAL, 3),
    ("临边、洞口防护栏杆和盖板设置到位（临边防护）", "高处作业", S.MAJOR, 1),
    ("作业人员正确佩戴安全帽，高处作业系挂安全带", "高处作业", S.GENERAL, 1),
    ("脚手架基础、连墙件、剪刀撑符合方案，验收挂牌后使用", "脚手架", S.MAJOR, 3),
    ("脚手板满铺，挡脚板和密目式安全网设置完好", "脚手架", S.GENERAL, 3),
    ("基坑支护、降排水及坑边堆载符合方案，变形监测正常", "基坑工程", S.MAJOR, 3),
    ("模板支架按专项方案搭设，混凝土浇筑前经验收", "模板支架", S.MAJOR, 3),
    ("施工用电三级配电、两级保护，一机一闸一漏一箱", "施工用电", S.MAJOR, 1),
    ("电缆线路架空或埋地敷设，无拖地、破损", "施工用电", S.GENERAL, 2),
    ("塔式起重机安装验收、使用登记，限位及保险装置有效", "起重机械", S.MAJOR, 3),
    ("施工升降机、物料提升机防坠安全器在检定有效期内", "起重机械", S.MAJOR, 3),
    ("消防通道畅通，灭火器材配置有效，动火作业经审批", "消防安全", S.MAJOR, 1),
    ("易燃易爆物品分类存放，库房、宿舍防火间距符合要求", "消防安全", S.GENERAL, 3),
]

CIVILISED: list[Item] = [
    ("施工现场围挡连续封闭，高度符合要求", "文明施工", S.GENERAL, 3),
    ("出入口设置车辆冲洗设施，车辆冲洗干净后出场", "扬尘治理", S.GENERAL, 1),
    ("场内主要道路硬化，裸露土方覆盖或绿化", "扬尘治理", S.GENERAL, 2),
    ("土方、拆除作业采取洒水、喷雾降尘措施", "扬尘治理", S.GENERAL, 1),
    ("渣土运输车辆密闭，按规定时间和路线行驶", "扬尘治理", S.GENERAL, 2),
    ("建筑垃圾分类集中堆放并及时清运", "文明施工", S.GENERAL, 3),
    ("夜间施工办理许可，施工噪声不超标", "文明施工", S.GENERAL, 3),
    ("生活区、办公区与作业区分隔设置，在建建筑内不住人", "文明施工", S.MAJOR, 3),
    ("“五牌一图”及安全警示标志设置齐全", "文明施工", S.GENERAL, 5),
]

QUALITY: list[Item] = [
    ("钢筋、水泥、砂石等原材料进场验收，见证取样复试合格", "原材料", S.GENERAL, 5),
    ("混凝土试块按规定留置、标准养护，强度报告齐全", "混凝土工程", S.MAJOR, 5),
    ("钢筋隐蔽工程经监理验收签认后方可浇筑混凝土", "钢筋工程", S.MAJOR, 3),
    ("钢筋规格、间距、保护层厚度及锚固长度符合设计", "钢筋工程", S.MAJOR, 3),
    ("混凝土结构无蜂窝、孔洞、露筋，裂缝已处理", "混凝土工程", S.GENERAL, 7),
    ("模板平整度、垂直度及截面尺寸偏差在允许范围内", "模板工程", S.GENERAL, 5),
    ("砌体灰缝饱满，拉结筋、构造柱设置符合规范", "砌体工程", S.GENERAL, 7),
    ("防水层施工及闭水、淋水试验记录齐全", "防水工程", S.GENERAL, 7),
    ("桩基检测（静载、低应变）报告合格", "地基基础", S.MAJOR, 7),
    ("按图施工，设计变更手续完备", "质量管理", S.MAJOR, 7),
    ("检验批、分项工程验收资料与施工进度同步", "质量资料", S.GENERAL, 7),
]

EPIDEMIC: list[Item] = [
    ("工地实行封闭管理，出入口测温、登记", "出入管理", S.GENERAL, 1),
    ("建立务工人员实名制健康台账", "人员管理", S.GENERAL, 2),
    ("口罩、消毒液、测温枪等防疫物资储备充足", "防疫物资", S.GENERAL, 2),
    ("宿舍、食堂、厕所等公共区域每日消毒并有记录", "环境消杀", S.GENERAL, 1),
    ("食堂分餐错峰就餐，从业人员持健康证", "食堂管理", S.GENERAL, 2),
    ("设置临时隔离观察室，制定应急处置预案", "应急处置", S.MAJOR, 2),
    ("明确疫情防控责任人，开展防疫知识培训", "防控责任", S.GENERAL, 3),
]

TEMPLATES: list[tuple[str, str, list[Item]]] = [
    ("建筑施工安全生产检查表", InspectionKind.SAFETY, SAFETY),
    ("文明施工与扬尘治理检查表", InspectionKind.SAFETY, CIVILISED),
    ("工程质量检查表", InspectionKind.QUALITY, QUALITY),
    ("施工现场疫情防控检查表", InspectionKind.EPIDEMIC, EPIDEMIC),
]
