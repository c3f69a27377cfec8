"""The demo county's tables: townships, units, people counts, posts, absences and accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jiceng.accounts.roles import Role, Scope

from ..models import (
    AbsenceKind,
    RegionKind,
    StaffingKind,
    UnitKind,
)

DEMO_PASSWORD = "Jiceng@2026"
RANDOM_SEED = 2026
COUNTY_CODE = "411799000000"
COUNTY_NAME = "示范县"
EXISTS_MESSAGE = "示范县数据已存在，保留现有数据。"

# 张店乡's approved quotas (核定编制) as published in the source document (004), beside the people
# actually on staff that the demo creates (行政 29, 工勤 3, 事业 32). The staffing demo
# (jiceng/staffing/demo.py) records exactly these totals in the ledger: this table is their only source.
ZHANGDIAN_APPROVED = {
    StaffingKind.ADMINISTRATIVE: 34,
    StaffingKind.SERVICE: 4,
    StaffingKind.INSTITUTIONAL: 35,
}
# Where 张店乡's vacancies (ZHANGDIAN_APPROVED minus the people on staff) sit: handed out one at a time,
# round the list, so 事业 35 = 农业服务中心 12 + 文化服务中心 5 + 村镇建设发展中心 6 + 计划生育技术服务中心 12.
ZHANGDIAN_VACANCIES = {
    StaffingKind.ADMINISTRATIVE: ("党政办公室", "党建工作办公室", "经济发展办公室", "社会事务办公室", "平安建设办公室"),
    StaffingKind.SERVICE: ("党政办公室",),
    StaffingKind.INSTITUTIONAL: ("农业服务中心", "文化服务中心", "村镇建设发展中心"),
}

K = UnitKind
STAFF_CODES = {
    "A": StaffingKind.ADMINISTRATIVE,
    "I": StaffingKind.INSTITUTIONAL,
    "S": StaffingKind.SERVICE,
    "C": StaffingKind.CONTRACT,
}


# ---------------------------------------------------------------------------------------------
# Data tables
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class U:
    """A unit of a township: its name without the township prefix, its kind and its people.

    `staff` lists the people working there by staffing kind: "A3 S1" = 3 行政 + 1 工勤
    (I = 事业, C = 编外聘用). The first listed person heads the unit.
    """

    short: str
    kind: str
    staff: str = ""


@dataclass(frozen=True)
class Township:
    name: str
    code: str
    kind: str
    root: str  # the leadership unit, e.g. 龙泉镇党委政府
    leaders: tuple[str, ...]  # positions of the people in the root unit (all 行政)
    villages: tuple[str, ...]  # 社区 get codes 001–199, 村 200–399
    units: tuple[U, ...]
    org_code: str  # 9-character organisation code in the root's 统一社会信用代码
    reform_on: date  # when the current offices and centres were set up
    reform_doc: str
    root_since: date = date(1984, 4, 1)


TOWNSHIPS: tuple[Township, ...] = (
    Township(
        name="城关街道",
        code="411799001000",
        kind=RegionKind.SUBDISTRICT,
        root="城关街道党工委办事处",
        leaders=("党工委书记", "办事处主任"),
        villages=("新华社区", "人民路社区", "解放街社区", "文昌社区", "南关社区"),
        units=(
            U("党政办公室", K.COMBINED, "A2"),
            U("党建工作办公室", K.PARTY, "A2"),
            U("社会事务办公室", K.GOVERNMENT, "A2"),
            U("城市管理办公室", K.GOVERNMENT, "A1 C1"),
            U("平安建设办公室", K.GOVERNMENT, "A2"),
            U("便民服务中心", K.SERVICE_CENTER, "I2 C1"),
            U("综合行政执法队", K.ENFORCEMENT, "A2 C1"),
        ),
        org_code="011799001",
        reform_on=date(2019, 12, 1),
        reform_doc="示编〔2019〕15号",
        root_since=date(2011, 8, 1),
    ),
    Township(
        name="东关街道",
        code="411799002000",
        kind=RegionKind.SUBDISTRICT,
        root="东关街道党工委办事处",
        leaders=("党工委书记", "办事处主任"),
        villages=("东关社区", "建设路社区", "花园社区", "朝阳社区"),
        units=(
            U("党政办公室", K.COMBINED, "A2"),
            U("党建工作办公室", K.PARTY, "A2"),
            U("社会事务办公室", K.GOVERNMENT, "A2"),
            U("平安建设办公室", K.GOVERNMENT, "A2"),
            U("便民服务中心", K.SERVICE_CENTER, "I2 C1"),
            U("综合行政执法队", K.ENFORCEMENT, "A2"),
        ),
        org_code="011799002",
        reform_on=date(2019, 12, 1),
        reform_doc="示编〔2019〕15号",
        root_since=date(2011, 8, 1),
    ),
    # 毕节 "大部门"制: 三办三中心, total staffing unchanged; the stations it absorbed are in LONGQUAN_MERGED.
    Township(
        name="龙泉镇",
        code="411799100000",
        kind=RegionKind.TOWN,
        root="龙泉镇党委政府",
        leaders=("党委书记", "镇长", "党委副书记", "副镇长"),
        villages=("龙泉社区", "柳树村", "王庄村", "李湾村", "桥头村", "大营村"),
        units=(
            U("党政综合办公室", K.COMBINED, "A3 S1"),
            U("社会管理综合治理办公室", K.COMBINED, "A3"),
            U("经济和社会事业管理办公室", K.GOVERNMENT, "A3"),
            U("农业服务中心", K.INSTITUTION, "I4"),
            U("社会事业服务中心", K.INSTITUTION, "I3"),
            U("卫生和计生服务中心", K.INSTITUTION, "I3"),
            U("便民服务中心", K.SERVICE_CENTER, "I2 C1"),
        ),
        org_code="011799100",
        reform_on=date(2014, 3, 1),
        reform_doc="示编〔2014〕12号",
    ),
    # 吉安 "5+2": five party/government offices + 便民服务中心 + 综合行政执法队.
    Township(
        name="白沙镇",
        code="411799101000",
        kind=RegionKind.TOWN,
        root="白沙镇党委政府",
        leaders=("党委书记", "镇长"),
        villages=("白沙社区", "张楼村", "刘庄村", "前进村", "河湾村"),
        units=(
            U("党政综合办公室", K.COMBINED, "A3 S1"),
            U("党建工作办公室", K.PARTY, "A2"),
            U("经济发展办公室", K.GOVERNMENT, "A2"),
            U("社会事务办公室", K.GOVERNMENT, "A2"),
            U("生态环境和村镇建设办公室", K.GOVERNMENT, "A2"),
            U("便民服务中心", K.SERVICE_CENTER, "I2 C1"),
            U("综合行政执法队", K.ENFORCEMENT, "A2 C1"),
        ),
        org_code="011799101",
        reform_on=date(2019, 9, 1),
        reform_doc="示编〔2019〕8号",
    ),
    # 驻马店 model for an economically developed town: 4 party/government offices + 8 public-service
    # units (事业单位, kind institution) = 4 + 8.
    Township(
        name="河西镇",
        code="411799102000",
        kind=RegionKind.TOWN,
        root="河西镇党委政府",
        leaders=("党委书记", "镇长"),
        villages=("河西社区", "新庄村", "赵庄村", "孙岗村", "杨湖村", "马店村", "高楼村"),
        units=(
            # 4 party/government offices
            U("党政办公室", K.COMBINED, "A3 S1"),
            U("经济发展办公室", K.GOVERNMENT, "A2"),
            U("社会事务办公室", K.GOVERNMENT, "A2"),
            U("平安建设办公室", K.GOVERNMENT, "A2"),
            # 8 public-service units
            U("农业农村服务中心", K.INSTITUTION, "I3"),
            U("村镇建设发展中心", K.INSTITUTION, "I2"),
            U("文化旅游服务中心", K.INSTITUTION, "I2"),
            U("社会保障服务中心", K.INSTITUTION, "I2"),
            U("党群服务中心", K.INSTITUTION, "I2"),
            U("退役军人服务站", K.INSTITUTION, "I2"),
            U("社会治理服务中心", K.INSTITUTION, "I2"),
            U("卫生健康服务中心", K.INSTITUTION, "I2"),
        ),
        org_code="011799102",
        reform_on=date(2020, 6, 1),
        reform_doc="示编〔2020〕5号",
    ),
    # 张店乡 as published (004): 实有 行政 29, 工勤 3, 事业 32 (农业服务中心 11, 文化服务中心 4,
    # 村镇建设发展中心 5, 计划生育技术服务中心 12). Approved quotas: ZHANGDIAN_APPROVED.
    Township(
        name="张店乡",
        code="411799200000",
        kind=RegionKind.TOWNSHIP,
        root="张店乡党委政府",
        leaders=("党委书记", "乡长", "党委副书记", "人大主席", "副乡长"),
        villages=("张店村", "李庄村", "后湖村", "陈寨村", "郭楼村"),
        units=(
            U("党政办公室", K.COMBINED, "A7 S3"),
            U("党建工作办公室", K.PARTY, "A5"),
            U("经济发展办公室", K.GOVERNMENT, "A4"),
            U("社会事务办公室", K.GOVERNMENT, "A4"),
            U("平安建设办公室", K.GOVERNMENT, "A4"),
            U("农业服务中心", K.INSTITUTION, "I11"),
            U("文化服务中心", K.INSTITUTION, "I4"),
            U("村镇建设发展中心", K.INSTITUTION, "I5"),
            U("计划生育技术服务中心", K.INSTITUTION, "I12"),
        ),
        org_code="011799200",
        reform_on=date(2020, 6, 1),
        reform_doc="示编〔2020〕5号",
    ),
    # A small 吉安 "5+2" 乡.
    Township(
        name="青山乡",
        code="411799201000",
        kind=RegionKind.TOWNSHIP,
        root="青山乡党委政府",
        leaders=("党委书记", "乡长"),
        villages=("青山村", "石门村", "松林村", "杨树村"),
        units=(
            U("党政综合办公室", K.COMBINED, "A2"),
            U("党建工作办公室", K.PARTY, "A2"),
            U("经济发展办公室", K.GOVERNMENT, "A2"),
            U("社会事务办公室", K.GOVERNMENT, "A2"),
            U("生态环境和村镇建设办公室", K.GOVERNMENT, "A2"),
            U("便民服务中心", K.SERVICE_CENTER, "I2"),
            U("综合行政执法队", K.ENFORCEMENT, "A2 C1"),
        ),
        org_code="011799201",
        reform_on=date(2019, 9, 1),
        reform_doc="示编〔2019〕8号",
    ),
)

# The stations and offices 龙泉镇 had before 2014, and the new office or centre each was merged into
# (毕节: 党政办+人大办+团委+妇联+工会+统计+武装+组织+党建+远教 → 党政综合办公室, and so on). The orgs
# seed creates them; the staffing demo merges them through an executed 改革方案 (ReorgPlan).
LONGQUAN_MERGE_ON = date(2014, 3, 1)
LONGQUAN_MERGE_DOC = "示编〔2014〕12号"
LONGQUAN_PLAN_NAME = "龙泉镇“三办三中心”大部门制改革方案"
LONGQUAN_STATION_QUOTA_ON = date(2010, 1, 1)  # the stations' quotas before the reform
LONGQUAN_STATION_QUOTA_DOC = "示编〔2010〕1号"
LONGQUAN_OFFICE_QUOTA_DOC = "示编〔2014〕11号"  # the new offices' own quota, for the people hired after 2014
LONGQUAN_PLAQUE = "武装部"  # the old name kept as a plaque (加挂牌子) on its office
LONGQUAN_MERGED: tuple[tuple[str, str, str, date], ...] = (
    # (old unit, kind, merged into, established on)
    ("党政办", K.GOVERNMENT, "党政综合办公室", date(1984, 4, 1)),
    ("人大办", K.GOVERNMENT, "党政综合办公室", date(1987, 3, 1)),
    ("团委", K.PARTY, "党政综合办公室", date(1984, 4, 1)),
    ("妇联", K.PARTY, "党政综合办公室", date(1984, 4, 1)),
    ("工会", K.PARTY, "党政综合办公室", date(1990, 5, 1)),
    ("统计站", K.INSTITUTION, "党政综合办公室", date(1992, 7, 1)),
    ("武装部", K.PARTY, "党政综合办公室", date(1984, 4, 1)),
    ("组织办", K.PARTY, "党政综合办公室", date(1996, 1, 1)),
    ("党建办", K.PARTY, "党政综合办公室", date(2006, 3, 1)),
    ("远教站", K.INSTITUTION, "党政综合办公室", date(2008, 6, 1)),
    ("综治办", K.PARTY, "社会管理综合治理办公室", date(1993, 9, 1)),
    ("信访办", K.GOVERNMENT, "社会管理综合治理办公室", date(1996, 5, 1)),
    ("维稳办", K.PARTY, "社会管理综合治理办公室", date(2009, 4, 1)),
    ("安监站", K.INSTITUTION, "社会管理综合治理办公室", date(2005, 8, 1)),
    ("经发办", K.GOVERNMENT, "经济和社会事业管理办公室", date(1998, 3, 1)),
    ("规划建设办", K.GOVERNMENT, "经济和社会事业管理办公室", date(2002, 5, 1)),
    ("民政办", K.GOVERNMENT, "经济和社会事业管理办公室", date(1984, 4, 1)),
    ("劳动保障所", K.INSTITUTION, "经济和社会事业管理办公室", date(2004, 10, 1)),
    ("招商办", K.GOVERNMENT, "经济和社会事业管理办公室", date(2003, 2, 1)),
    ("农技站", K.INSTITUTION, "农业服务中心", date(1985, 3, 1)),
    ("农经站", K.INSTITUTION, "农业服务中心", date(1986, 3, 1)),
    ("畜牧站", K.INSTITUTION, "农业服务中心", date(1985, 3, 1)),
    ("林业站", K.INSTITUTION, "农业服务中心", date(1988, 6, 1)),
    ("水利站", K.INSTITUTION, "农业服务中心", date(1988, 6, 1)),
    ("文化站", K.INSTITUTION, "社会事业服务中心", date(1986, 9, 1)),
    ("广播站", K.INSTITUTION, "社会事业服务中心", date(1986, 9, 1)),
    ("计生办", K.GOVERNMENT, "卫生和计生服务中心", date(1991, 2, 1)),
    ("计生服务站", K.INSTITUTION, "卫生和计生服务中心", date(1995, 6, 1)),
)

# 吉安: extra plaque hung on an office.
PLAQUES: tuple[tuple[str, str, str, str, date], ...] = (
    ("白沙镇", "经济发展办公室", "重点项目办公室", "示编〔2019〕8号", date(2019, 9, 1)),
)

# 人编分离: (township, quota unit, working unit, how many). Staffing kind follows the quota unit.
SEPARATED: tuple[tuple[str, str, str, int], ...] = (
    ("龙泉镇", "农业服务中心", "便民服务中心", 2),
    ("龙泉镇", "社会事业服务中心", "便民服务中心", 1),
    ("龙泉镇", "卫生和计生服务中心", "便民服务中心", 1),
    ("白沙镇", "经济发展办公室", "便民服务中心", 1),
    ("白沙镇", "社会事务办公室", "综合行政执法队", 1),
    ("河西镇", "农业农村服务中心", "社会治理服务中心", 1),
    ("河西镇", "党政办公室", "党群服务中心", 1),
    ("青山乡", "经济发展办公室", "便民服务中心", 1),
)
# County staff whose quota stays in their department but who are seconded (借调) to the command centre.
SECONDED_TO_COMMAND = ("县自然资源局", "县住房和城乡建设局", "县应急管理局")

# People of village organisations (编外聘用): (township, village, position).
VILLAGE_STAFF: tuple[tuple[str, str, str], ...] = (
    ("龙泉镇", "柳树村", "代办员"),
    ("龙泉镇", "柳树村", "网格员"),
    ("龙泉镇", "王庄村", "网格员"),
    ("龙泉镇", "龙泉社区", "代办员"),
)

# Township-level stationed units (派驻机构) under a county department.
STATIONED: tuple[tuple[str, str, str, str], ...] = (
    # (township, name, parent county department, staff)
    ("龙泉镇", "龙泉派出所", "县公安局", "A1"),
    ("龙泉镇", "龙泉司法所", "县司法局", "A1"),
)

COUNTY_PARTY_ROOT = "中共示范县委员会"
COUNTY_GOV_ROOT = "示范县人民政府"
STAFFING_OFFICE = "县委机构编制委员会办公室"
COMMAND_CENTER = "县社会治理综合指挥中心"

# (name, short name, kind, staff, credit-code kind: 1 机关, 2 事业单位, 3 群团)
COUNTY_PARTY_ORGANS: tuple[tuple[str, str, str, str, str], ...] = (
    ("县委办公室", "", K.PARTY, "A2", "1"),
    ("县委组织部", "", K.PARTY, "A2", "1"),
    ("县委宣传部", "", K.PARTY, "A2", "1"),
    ("县委政法委员会", "县委政法委", K.PARTY, "A2", "1"),
    (STAFFING_OFFICE, "县委编办", K.PARTY, "A3", "1"),
)
COUNTY_DEPARTMENTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("县自然资源局", "", K.GOVERNMENT, "A5", "1"),
    ("县生态环境分局", "", K.STATIONED, "A3", "1"),
    ("县住房和城乡建设局", "县住建局", K.GOVERNMENT, "A3", "1"),
    ("县综合行政执法局（县城市管理局）", "县综合执法局", K.GOVERNMENT, "A3", "1"),
    ("县农业农村局", "", K.GOVERNMENT, "A3", "1"),
    ("县水利局", "", K.GOVERNMENT, "A3", "1"),
    ("县林业局", "", K.GOVERNMENT, "A3", "1"),
    ("县应急管理局", "", K.GOVERNMENT, "A3", "1"),
    ("县市场监督管理局", "县市场监管局", K.GOVERNMENT, "A3", "1"),
    ("县卫生健康委员会", "县卫健委", K.GOVERNMENT, "A3", "1"),
    ("县民政局", "", K.GOVERNMENT, "A3", "1"),
    ("县退役军人事务局", "", K.GOVERNMENT, "A3", "1"),
    ("县人力资源和社会保障局", "县人社局", K.GOVERNMENT, "A3", "1"),
    ("县医疗保障局", "县医保局", K.GOVERNMENT, "A3", "1"),
    ("县教育局", "", K.GOVERNMENT, "A3", "1"),
    ("县文化广电和旅游局", "县文广旅局", K.GOVERNMENT, "A3", "1"),
    ("县交通运输局", "", K.GOVERNMENT, "A3", "1"),
    ("县公安局", "", K.GOVERNMENT, "A3", "1"),
    ("县司法局", "", K.GOVERNMENT, "A3", "1"),
    ("县信访局", "", K.GOVERNMENT, "A3", "1"),
    ("县财政局", "", K.GOVERNMENT, "A3", "1"),
    ("县发展和改革委员会", "县发改委", K.GOVERNMENT, "A3", "1"),
    ("县残疾人联合会", "县残联", K.GOVERNMENT, "A3", "3"),
    ("县消防救援大队", "", K.STATIONED, "A3", "1"),
    ("县行政审批服务局", "", K.GOVERNMENT, "A3", "1"),
    ("县政务服务和大数据管理局", "县大数据局", K.GOVERNMENT, "A3", "1"),
    # The dispatch centre of 乡呼县应 (派单); three more people are seconded to it (SECONDED_TO_COMMAND).
    (COMMAND_CENTER, "县指挥中心", K.INSTITUTION, "I3 C1", "2"),
)

UNIT_DUTIES = {
    "党政综合办公室": "负责党委政府日常运转、文秘档案、组织人事、人大、群团和武装工作。",
    "社会管理综合治理办公室": "负责综治维稳、信访、安全生产监管和矛盾纠纷排查化解。",
    "经济和社会事业管理办公室": "负责经济运行、项目建设、规划建设、民政和劳动保障工作。",
    "农业服务中心": "承担农业技术推广、农村经营管理、畜牧兽医、林业和水利服务。",
    "社会事业服务中心": "承担文化体育、广播电视和公共文化服务。",
    "卫生和计生服务中心": "承担计划生育技术服务、合作医疗和公共卫生服务。",
    "便民服务中心": "集中办理面向群众和企业的政务服务事项，一个窗口受理、一站式办结。",
    "综合行政执法队": "以乡镇名义统一行使下放的行政处罚权及相关行政检查、行政强制权。",
    "党建工作办公室": "负责基层党组织建设、党员教育管理和宣传思想工作。",
    "经济发展办公室": "负责经济发展规划、招商引资、项目建设和统计工作。",
    "社会事务办公室": "负责社会救助、退役军人服务、教育卫生和社会保障工作。",
    "生态环境和村镇建设办公室": "负责生态环境保护、村镇规划建设和河长制工作。",
    "平安建设办公室": "负责综治维稳、信访、应急管理和平安建设工作。",
}

# Posts (岗位) with their duties, by unit short name. Units get at most as many as they have people
# (at least two).
POSTS: dict[str, tuple[tuple[str, str], ...]] = {
    "党政综合办公室": (
        ("文秘", "负责文件起草、公文流转和会议记录，承办领导交办的文字材料。"),
        ("档案管理", "负责文书档案的收集整理、立卷归档和借阅管理。"),
        ("组织人事", "负责干部考核、人事工资和党员管理的日常工作。"),
    ),
    "党政办公室": (
        ("文秘", "负责文件起草、公文流转和会议记录。"),
        ("档案管理", "负责文书档案、人事档案的整理归档和借阅管理。"),
        ("后勤保障", "负责机关车辆、食堂和办公用品的保障。"),
    ),
    "社会管理综合治理办公室": (
        ("综治维稳", "负责矛盾纠纷排查调处和重点人员稳控。"),
        ("信访接待", "负责来信来访登记、交办和回访，按期答复信访人。"),
        ("安全生产监管", "负责辖区企业和场所的安全生产检查，督促隐患整改。"),
    ),
    "平安建设办公室": (
        ("综治维稳", "负责矛盾纠纷排查调处和平安创建。"),
        ("信访接待", "负责来信来访登记、交办和回访。"),
        ("应急管理", "负责应急预案、值班值守和突发事件的先期处置。"),
    ),
    "经济和社会事业管理办公室": (
        ("经济统计", "负责经济运行监测和统计报表的收集上报。"),
        ("民政救助", "负责低保、特困供养和临时救助的审核。"),
        ("劳动保障", "负责就业登记、劳动维权和社保政策宣传。"),
    ),
    "经济发展办公室": (
        ("项目建设", "负责重点项目的跟踪服务和进度调度。"),
        ("招商引资", "负责招商信息收集、客商接待和签约项目落地服务。"),
        ("统计调查", "负责经济统计和各类调查的组织实施。"),
    ),
    "社会事务办公室": (
        ("社会救助", "负责低保、特困和临时救助对象的受理审核。"),
        ("退役军人服务", "负责退役军人和优抚对象的服务保障。"),
        ("教育卫生", "负责教育、卫生健康和残疾人工作的协调。"),
    ),
    "党建工作办公室": (
        ("党员教育管理", "负责党员发展、教育培训和组织关系接转。"),
        ("基层组织建设", "负责村（社区）党组织建设和换届指导。"),
        ("宣传思想", "负责理论学习、新闻宣传和意识形态工作。"),
    ),
    "生态环境和村镇建设办公室": (
        ("环境保护", "负责环境污染问题的巡查、受理和督促整改。"),
        ("村镇规划建设", "负责村镇规划实施和农村建房的审核服务。"),
        ("河长制", "负责河湖巡查和河长制日常工作。"),
    ),
    "城市管理办公室": (
        ("市容环卫", "负责辖区市容秩序和环境卫生的监督检查。"),
        ("城市管理巡查", "负责占道经营、违章搭建等问题的巡查上报。"),
    ),
    "农业服务中心": (
        ("农技推广", "负责农业新技术、新品种的示范推广和技术指导。"),
        ("农经管理", "负责农村集体资产、土地承包经营的管理服务。"),
        ("动物防疫", "负责动物免疫、检疫和疫情监测报告。"),
        ("林业水利", "负责林业资源管护和小型水利设施的管理。"),
    ),
    "农业农村服务中心": (
        ("农技推广", "负责农业技术推广和农民培训。"),
        ("农村集体资产管理", "负责农村集体资产清查、监管和财务审核。"),
        ("动物防疫", "负责动物免疫、检疫和疫情监测报告。"),
    ),
    "社会事业服务中心": (
        ("文化体育", "负责群众文化活动和全民健身的组织。"),
        ("广播电视", "负责广播电视公共服务和设施维护。"),
    ),
    "文化服务中心": (
        ("文化活动", "负责组织群众文化活动和综合文化站的管理。"),
        ("广播电视", "负责广播电视公共服务和应急广播维护。"),
    ),
    "文化旅游服务中心": (
        ("文化活动", "负责群众文化活动和综合文化站的管理。"),
        ("旅游服务", "负责乡村旅游的宣传推介和服务保障。"),
    ),
    "卫生和计生服务中心": (
        ("计生服务", "负责计划生育技术服务和奖励扶助的审核。"),
        ("合作医疗", "负责城乡居民医保的参保登记和报销初审。"),
        ("公共卫生", "负责基本公共卫生服务的组织和督导。"),
    ),
    "卫生健康服务中心": (
        ("公共卫生", "负责基本公共卫生服务的组织和督导。"),
        ("计生服务", "负责计划生育服务和奖励扶助的审核。"),
    ),
    "计划生育技术服务中心": (
        ("技术服务", "负责计划生育技术服务和孕前优生检查。"),
        ("药具管理", "负责免费药具的领取、发放和登记。"),
        ("随访服务", "负责术后随访和育龄群众的健康咨询。"),
    ),
    "便民服务中心": (
        ("综合受理窗口", "负责各类事项的咨询、收件和材料初审，实行首问负责、一次性告知。"),
        ("社保医保窗口", "负责养老、医疗保险的参保登记、缴费和待遇申领。"),
        ("民政救助窗口", "负责低保、临时救助、残疾人补贴等事项的受理。"),
        ("不动产登记窗口", "负责农村不动产登记申请的受理和转报。"),
    ),
    "综合行政执法队": (
        ("执法巡查", "负责辖区违法建设、占道经营、环境污染等问题的日常巡查。"),
        ("案件办理", "负责立案调查、取证和处罚文书制作，按期结案。"),
        ("执法保障", "负责执法车辆、装备和执法记录仪的管理。"),
    ),
    "村镇建设发展中心": (
        ("村镇规划", "负责村镇规划编制的配合和规划实施监督。"),
        ("农村住房建设", "负责农村建房的技术指导和质量安全巡查。"),
    ),
    "社会保障服务中心": (
        ("社保经办", "负责城乡居民养老保险的参保登记和待遇核定。"),
        ("就业服务", "负责就业失业登记、职业介绍和技能培训报名。"),
    ),
    "党群服务中心": (
        ("党员服务", "负责党员活动阵地管理和党员服务事项的办理。"),
        ("群团工作", "负责工会、共青团和妇联的日常工作。"),
    ),
    "退役军人服务站": (
        ("优抚服务", "负责优抚对象的信息采集和待遇申领。"),
        ("就业帮扶", "负责退役军人就业创业的帮扶和走访慰问。"),
    ),
    "社会治理服务中心": (
        ("网格管理", "负责网格事件的汇总、分拨和督办，汇总网格员上报信息。"),
        ("矛盾调解", "负责矛盾纠纷的受理和调解。"),
    ),
}

COUNTY_POSTS: dict[str, tuple[tuple[str, str], ...]] = {
    "县自然资源局": (
        ("执法监察", "负责土地、矿产违法行为的巡查、立案和查处。"),
        ("不动产登记", "负责不动产登记申请的受理、审核和登簿。"),
        ("国土空间规划", "负责国土空间规划的编制和实施监督。"),
    ),
    STAFFING_OFFICE: (
        ("机构编制管理", "负责机构设置、职能配置和编制调整的审核。"),
        ("实名制管理", "负责机构编制实名制数据库的维护和人员进出审核。"),
    ),
    COMMAND_CENTER: (
        ("派单调度", "负责事件的分拨派单、退单审核和改派。"),
        ("值班值守", "负责热线和平台值班，受理乡镇呼叫和群众诉求。"),
        ("督办考核", "负责超期工单督办和部门办理情况考核。"),
    ),
    "县行政审批服务局": (
        ("综合受理", "负责审批事项的综合受理和材料初审。"),
        ("投资项目审批", "负责企业投资项目的备案和审批服务。"),
    ),
    "县市场监督管理局": (
        ("登记注册", "负责市场主体登记注册和变更。"),
        ("食品安全监管", "负责食品生产经营单位的日常检查。"),
    ),
}

# Absences, placed relative to the seeding day. Gaps: every holder of these posts is away on
# overlapping working days (wd[i] = the i-th working day from today, today included if it is one).
GAP_POSTS = (
    # (unit, post, first, last): the gap covers wd[first]..wd[last]; first None = from today (weekend or
    # not) through wd[last] and at least tomorrow, so the demo shows a gap the moment it is loaded.
    ("龙泉镇便民服务中心", "综合受理窗口", None, 2),
    ("白沙镇综合行政执法队", "执法巡查", 1, 2),
    ("河西镇社会保障服务中心", "社保经办", 2, 3),
)
GAP_KINDS = (
    (AbsenceKind.TRAINING, "参加市级业务培训"),
    (AbsenceKind.TRIP, "赴驻马店市办理业务"),
    (AbsenceKind.LEAVE, "病假"),
)
# Only the A holder is away: a B holder stands in. (unit, post, kind, note, first day offset, last day offset)
A_ONLY_ABSENCES = (
    ("龙泉镇党政综合办公室", "文秘", AbsenceKind.LEAVE, "事假", 1, 3),
    ("城关街道便民服务中心", "社保医保窗口", AbsenceKind.TRIP, "赴市医保局对接业务", 2, 4),
    ("县自然资源局", "不动产登记", AbsenceKind.TRAINING, "参加省不动产登记业务培训", 7, 11),
    ("青山乡党政综合办公室", "档案管理", AbsenceKind.SECONDMENT, "借调县委办公室参加专项工作", -10, 50),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    unit: str | None
    scope: str
    person: str  # how to find the person: "" none, or a key into the people index
    description: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", Role.ADMIN, None, Scope.ALL, "", "全部数据，可登录后台管理（/admin/）"),
    DemoAccount("bianban", Role.STAFFING, STAFFING_OFFICE, Scope.ALL, "staffing", "县委编办，数据范围：全部"),
    DemoAccount("bumen", Role.DEPARTMENT, "县自然资源局", Scope.SUBTREE, "department", "县自然资源局，本级及下级"),
    DemoAccount("paidan", Role.DISPATCHER, COMMAND_CENTER, Scope.ALL, "dispatcher", "县社会治理综合指挥中心，全部"),
    DemoAccount(
        "zhenzhang", Role.TOWNSHIP_LEADER, "龙泉镇党委政府", Scope.SUBTREE, "leader", "龙泉镇党委政府，本级及下级"
    ),
    DemoAccount(
        "zhuren", Role.OFFICE_HEAD, "龙泉镇便民服务中心", Scope.SUBTREE, "head", "龙泉镇便民服务中心主任，本级及下级"
    ),
    DemoAccount(
        "chuangkou", Role.WINDOW_CLERK, "龙泉镇便民服务中心", Scope.UNIT, "clerk", "龙泉镇便民服务中心窗口，本单位"
    ),
    DemoAccount("daiban", Role.AGENT, "柳树村民委员会", Scope.SELF, "agent", "龙泉镇柳树村代办点，仅本人"),
    DemoAccount("wangge", Role.GRID_WORKER, "王庄村民委员会", Scope.SELF, "grid", "龙泉镇王庄村网格员，仅本人"),
)

# Django permissions for the admin account, so that /admin/ shows accounts, logs and lookups
# (the account is staff but deliberately not a superuser).
ADMIN_DJANGO_PERMS = (
    "accounts.add_user",
    "accounts.change_user",
    "accounts.view_user",
    "accounts.add_roleassignment",
    "accounts.change_roleassignment",
    "accounts.delete_roleassignment",
    "accounts.view_roleassignment",
    "accounts.view_loginlog",
    "accounts.view_operationlog",
    "orgs.view_region",
    "orgs.view_unit",
    "orgs.view_person",
)

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏"
    "钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
# Henan's commonest surnames first, weighted.
SURNAME_WEIGHTS = [12, 12, 11, 9, 7, 6, 6, 4, 4, 4, 4, 5, 3, 3, 3, 2, 2, 5, 5, 2] + [1] * (len(SURNAMES) - 20)
MALE_FIRST = "建志国永海晓春新文金明德卫宏俊子家振保红学庆立军长占"
MALE_SECOND = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林洋亮峰斌阳东锋"
FEMALE_FIRST = "晓春秀玉丽雅梦思佳欣淑桂美红翠冬海"
FEMALE_SECOND = "芳娜敏静丽艳娟霞秀玲燕婷慧莉梅颖雪琳倩萍红丹洁璐晶莹欣悦怡"
OTHER_COUNTIES = ("411721", "411722", "411723", "411724", "411725", "411726", "411727", "411728", "411729", "411702")
PHONE_PREFIXES = (
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "180",
    "181",
    "182",
    "183",
    "186",
    "187",
    "188",
    "189",
)

STAFF_POSITIONS = {
    StaffingKind.ADMINISTRATIVE: ("一级科员", "四级主任科员", "科员", "二级科员", "办事员"),
    StaffingKind.INSTITUTIONAL: ("专业技术人员", "助理工程师", "干事", "技术员", "管理岗九级"),
    StaffingKind.SERVICE: ("驾驶员", "工勤人员", "炊事员"),
    StaffingKind.CONTRACT: ("协管员", "劳务派遣人员", "辅助人员"),
}


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------


# 领导职数: which positions occupy a chief's or a deputy's post (at most 1 chief and 2 deputies a unit).
CHIEF_TITLES = ("书记", "主任", "站长", "所长", "队长", "局长", "部长", "理事长")
MAX_DEPUTIES = 2


def leader_rank_of(position: str) -> str:
    """ "chief" for a unit head (党委书记, 主任, 站长, 局长…), "deputy" for a 副职, else ""."""
    if "副" in position:
        return "deputy"
    if position.endswith(CHIEF_TITLES):
        return "chief"
    return ""


def parse_staff(spec: str) -> list[str]:
    """ "A3 S1" → [行政, 行政, 行政, 工勤]."""
    kinds: list[str] = []
    for token in spec.split():
        kinds += [STAFF_CODES[token[0]]] * int(token[1:])
    return kinds


def head_title(name: str) -> str:
    base = name.split("（")[0]
    for suffix, title in (
        ("政法委员会", "常务副书记"),
        ("大队", "大队长"),
        ("队", "队长"),
        ("站", "站长"),
        ("所", "所长"),
        ("局", "局长"),
        ("部", "部长"),
        ("联合会", "理事长"),
    ):
        if base.endswith(suffix):
            return title
    return "主任"
