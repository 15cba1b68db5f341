"""Demo data: the provincial hall HQ, the Harbin city hall under it, their catalogues,
divisions, windows and staff accounts.

``flask seed-demo`` (run by ``make run`` on an empty database) calls :func:`seed_demo`. The
catalogue follows the reports in ``seeds/``: the kinds of work re-engineered for the hall
(考试录用、职称评定、人事调配、人事代理、档案调入、技工考核、社会保险、工资审批、证书发放、
合同鉴证…), each with the documents, procedure, time limit and fees that its published
service guide (办事指南) commits to (服务承诺制).

The module has two parts: the data, as tables a reader can check against a hall's guide, and
below it the few functions that write them. Nothing here imports Flask.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import time, timedelta
from typing import NamedTuple

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from . import clock, enquiry_deadlines, hours
from .access import may_work_window
from .form_pdf import BlankForm
from .lookup import find_hall
from .models import (
    Device,
    Division,
    EnquiryRule,
    EnquiryTopic,
    Hall,
    OpeningHours,
    Role,
    ServiceItem,
    Staff,
    StoredFile,
    Window,
    window_clerks,
)
from .staff import hash_password, new_staff


@dataclass(frozen=True)
class DivisionSpec:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class ServiceSpec:
    """One catalogue item as its service guide publishes it."""

    code: str
    prefix: str
    name_zh: str
    name_en: str
    division: str | None          # code of the responsible division in the same hall
    time_limit_days: int          # promised (承诺时限), working days; 0 = finished at the window
    legal_limit_days: int         # statutory (法定时限), working days
    standard_minutes: int         # usual minutes at the window
    documents: tuple[tuple[str, str], ...]
    procedure: tuple[tuple[str, str], ...]
    legal_basis_zh: str | None
    legal_basis_en: str | None
    fees_zh: str = "不收费"
    fees_en: str = "Free of charge"


@dataclass(frozen=True)
class WindowSpec:
    no: int
    name_zh: str
    name_en: str
    services: tuple[str, ...]     # service codes of the same hall


@dataclass(frozen=True)
class HallSpec:
    code: str
    node_no: int
    name_zh: str
    name_en: str
    level: str
    parent: str | None
    address_zh: str
    address_en: str
    phone: str
    divisions: tuple[DivisionSpec, ...]
    services: tuple[ServiceSpec, ...]
    windows: tuple[WindowSpec, ...]


# == Data ======================================================================================

ID_CARD = ("居民身份证原件及复印件", "Resident ID card, original and copy")
DIPLOMAS = ("毕业证书、学位证书原件及复印件", "Graduation and degree certificates, originals and copies")
UNIT_LETTER = ("单位介绍信", "Letter of introduction from the employer")
PHOTOS = ("近期一寸免冠照片2张", "Two recent one-inch bareheaded photographs")

HQ_DIVISIONS = (
    DivisionSpec("CIVIL", "公务员管理处", "Civil Service Administration Division"),
    DivisionSpec("TITLE", "专业技术人员管理处", "Professional and Technical Personnel Division"),
    DivisionSpec("DEPLOY", "人事调配处", "Personnel Deployment Division"),
    DivisionSpec("TALENT", "人才流动服务中心", "Talent Exchange Service Centre"),
    DivisionSpec("SKILL", "职业能力建设处", "Vocational Capacity Building Division"),
    DivisionSpec("INSURE", "社会保险处", "Social Insurance Division"),
    DivisionSpec("WAGE", "工资福利处", "Wages and Welfare Division"),
    DivisionSpec("LABOUR", "劳动关系处", "Labour Relations Division"),
    DivisionSpec("ARMY", "军官转业安置办公室", "Office for the Resettlement of Demobilised Officers"),
    DivisionSpec("PUBINST", "事业单位人事管理处", "Public Institutions Personnel Division"),
)

HQ_SERVICES = (
    ServiceSpec(
        "EXAM", "A", "公务员考试录用资格复审",
        "Civil service recruitment examination: qualification review",
        "CIVIL", 5, 20, 15,
        documents=(
            ID_CARD, DIPLOMAS,
            ("《公务员录用考试报名登记表》（网上报名后打印）",
             "Civil service examination registration form (printed after online registration)"),
            ("笔试准考证", "Admission ticket of the written examination"),
            ("在职人员提供所在单位同意报考证明", "Employed applicants: employer's consent to apply"),
            ("职位要求的其他资格证书原件及复印件",
             "Other qualifications the post requires, originals and copies"),
        ),
        procedure=(
            ("窗口受理，核对原件", "Accepted at the window, originals checked"),
            ("公务员管理处会同招录机关审核", "Reviewed by the division with the recruiting agency"),
            ("网上公布资格复审结果", "Result of the review published online"),
        ),
        legal_basis_zh="《中华人民共和国公务员法》；《公务员录用规定》",
        legal_basis_en="Civil Servant Law of the PRC; Provisions on the Recruitment of Civil "
                       "Servants",
    ),
    ServiceSpec(
        "TITLE", "B", "专业技术职务任职资格（职称）评审申报",
        "Professional title evaluation: application",
        "TITLE", 20, 60, 20,
        documents=(
            ("《专业技术职务任职资格评审表》一式三份",
             "Professional title evaluation form, three copies"),
            ID_CARD,
            ("学历证书及现专业技术职务资格证书原件及复印件",
             "Diploma and current professional title certificate, originals and copies"),
            ("任现职以来专业技术工作总结及业绩成果材料",
             "Work summary and evidence of achievements since the current title"),
            ("继续教育学时证明", "Certificate of continuing-education hours"),
            ("单位推荐意见及公示情况证明", "Employer's recommendation and proof of public notice"),
        ),
        procedure=(
            ("单位推荐并公示", "Recommended and publicly noticed by the employer"),
            ("窗口受理", "Accepted at the window"),
            ("专业技术人员管理处形式审查", "Formal review by the division"),
            ("评审委员会评审", "Evaluated by the evaluation committee"),
            ("评审结果公示", "Result publicly noticed"),
            ("发文确认，窗口领取证书", "Confirmed by notice; certificate collected at the window"),
        ),
        legal_basis_zh="《职称评审管理暂行规定》（人力资源社会保障部令第40号）",
        legal_basis_en="Interim Provisions on the Administration of Professional Title Evaluation "
                       "(MOHRSS Order No. 40)",
    ),
    ServiceSpec(
        "TRANSFER", "C", "人事调配（工作调动）审批",
        "Personnel transfer approval",
        "DEPLOY", 10, 20, 15,
        documents=(
            ("《干部调动审批表》一式三份", "Staff transfer approval form, three copies"),
            ("调出、调入单位同意调动的函件", "Letters of consent from the releasing and receiving employers"),
            ("主管部门审核意见", "Opinion of the competent authority"),
            ("居民身份证、学历证书复印件", "Copies of resident ID card and diploma"),
        ),
        procedure=(
            ("窗口受理", "Accepted at the window"),
            ("人事调配处审核", "Reviewed by the division"),
            ("审批", "Approved"),
            ("窗口领取调动通知及行政、工资介绍信",
             "Transfer notice and administrative and wage referral letters collected at the "
             "window"),
        ),
        legal_basis_zh="《中华人民共和国公务员法》；《事业单位人事管理条例》",
        legal_basis_en="Civil Servant Law of the PRC; Regulations on Personnel Management of "
                       "Public Institutions",
    ),
    ServiceSpec(
        "AGENCY", "D", "人事代理",
        "Personnel agency",
        "TALENT", 5, 10, 15,
        documents=(
            ("《人事代理协议书》一式两份", "Personnel agency agreement, two copies"),
            UNIT_LETTER, ID_CARD, DIPLOMAS, PHOTOS,
        ),
        procedure=(
            ("窗口受理，签订人事代理协议", "Accepted at the window; agency agreement signed"),
            ("人才流动服务中心审核", "Reviewed by the centre"),
            ("建立人事代理关系，窗口领取协议", "Agency established; agreement collected at the window"),
        ),
        legal_basis_zh="《人才市场管理规定》；《流动人员人事档案管理暂行规定》",
        legal_basis_en="Provisions on the Administration of the Talent Market; Interim Provisions "
                       "on Personnel Archives of Mobile Personnel",
    ),
    ServiceSpec(
        "ARCHIVE", "E", "人事档案调入",
        "Personnel archive transfer-in",
        "TALENT", 10, 20, 10,
        documents=(
            ID_CARD,
            ("接收证明（报到证、劳动合同或聘用合同复印件）",
             "Proof of reception (registration card, labour or employment contract copy)"),
            ("原存档单位名称、地址及联系电话",
             "Name, address and telephone of the unit now holding the archive"),
        ),
        procedure=(
            ("窗口受理，开具调档函", "Accepted at the window; archive request letter issued"),
            ("原存档单位机要转递档案", "Archive sent by confidential post by the holding unit"),
            ("审核入库", "Archive checked and filed"),
            ("告知本人", "Applicant informed"),
        ),
        legal_basis_zh="《干部人事档案工作条例》；《流动人员人事档案管理暂行规定》",
        legal_basis_en="Regulations on Cadre Personnel Archives; Interim Provisions on Personnel "
                       "Archives of Mobile Personnel",
    ),
    ServiceSpec(
        "SKILL", "F", "机关事业单位技术工人考核（职业技能鉴定）申报",
        "Technician assessment for workers of government bodies and public institutions",
        "SKILL", 15, 30, 15,
        documents=(
            ("《工人技术等级岗位考核申报表》一式两份",
             "Worker technical grade assessment form, two copies"),
            ("居民身份证复印件", "Copy of resident ID card"),
            ("现技术等级证书原件及复印件", "Current technical grade certificate, original and copy"),
            ("单位出具的本工种工作年限证明", "Employer's proof of years worked in the trade"),
            ("近期二寸免冠照片2张", "Two recent two-inch bareheaded photographs"),
        ),
        procedure=(
            ("单位统一申报，窗口受理", "Filed by the employer; accepted at the window"),
            ("职业能力建设处审核", "Reviewed by the division"),
            ("组织理论和技能考核", "Theory and skill examinations held"),
            ("公布成绩，核发证书", "Results published; certificates issued"),
        ),
        legal_basis_zh="《中华人民共和国劳动法》第六十九条；《职业技能鉴定规定》",
        legal_basis_en="Labour Law of the PRC, art. 69; Provisions on Vocational Skill Testing",
    ),
    ServiceSpec(
        "INSURE", "G", "机关事业单位社会保险参保登记",
        "Social insurance registration for government bodies and public institutions",
        "INSURE", 15, 30, 15,
        documents=(
            ("《机关事业单位工作人员基本养老保险参保登记表》",
             "Basic pension insurance registration form for staff"),
            ("事业单位法人证书或统一社会信用代码证书复印件",
             "Copy of the institution's legal-person or unified social credit certificate"),
            ("参保人员居民身份证复印件", "Copies of the insured persons' ID cards"),
            ("录用、聘用或调入审批材料", "Approval of recruitment, appointment or transfer"),
        ),
        procedure=(
            ("窗口受理", "Accepted at the window"),
            ("社会保险处审核，核定缴费基数", "Reviewed by the division; contribution base set"),
            ("登记办结，告知单位", "Registration completed; employer informed"),
        ),
        legal_basis_zh="《中华人民共和国社会保险法》；"
                       "《国务院关于机关事业单位工作人员养老保险制度改革的决定》",
        legal_basis_en="Social Insurance Law of the PRC; State Council Decision on Reforming the "
                       "Pension System for Staff of Government Bodies and Public Institutions",
    ),
    ServiceSpec(
        "WAGE", "H", "机关事业单位工作人员工资审批",
        "Wage approval for staff of government bodies and public institutions",
        "WAGE", 20, 30, 15,
        documents=(
            ("《工作人员工资变动审批表》一式三份", "Wage change approval form, three copies"),
            ("任职、聘用或晋级文件复印件", "Copies of the appointment or promotion documents"),
            ("主管部门审核意见", "Opinion of the competent authority"),
        ),
        procedure=(
            ("单位申报，窗口受理", "Filed by the employer; accepted at the window"),
            ("工资福利处审核", "Reviewed by the division"),
            ("审批", "Approved"),
            ("窗口领取审批表", "Approved form collected at the window"),
        ),
        legal_basis_zh="《中华人民共和国公务员法》；《事业单位人事管理条例》",
        legal_basis_en="Civil Servant Law of the PRC; Regulations on Personnel Management of "
                       "Public Institutions",
    ),
    ServiceSpec(
        "CERT", "J", "证书发放",
        "Certificate issuance",
        None, 0, 0, 5,
        documents=(
            ("居民身份证原件", "Resident ID card, original"),
            ("领证通知或评审、考试合格文件", "Collection notice or document of the passed evaluation"),
            ("代领的，须提供委托书及代领人居民身份证",
             "Collecting for someone else: power of attorney and the collector's ID card"),
            ("遗失补发的，须提供单位证明", "Replacing a lost certificate: proof from the employer"),
        ),
        procedure=(
            ("核验身份", "Identity checked"),
            ("登记签收", "Receipt signed"),
            ("当场发证", "Certificate handed over on the spot"),
        ),
        legal_basis_zh="《职称评审管理暂行规定》",
        legal_basis_en="Interim Provisions on the Administration of Professional Title Evaluation",
        fees_zh="领取证书不收费；遗失补发按规定收取工本费每本10元",
        fees_en="Free; replacing a lost certificate costs a production fee of 10 yuan",
    ),
    ServiceSpec(
        "CONTRACT", "K", "劳动合同鉴证",
        "Labour contract authentication",
        "LABOUR", 5, 10, 15,
        documents=(
            ("劳动合同文本一式三份", "The labour contract, three copies"),
            ("用人单位营业执照或法人证书复印件",
             "Copy of the employer's business licence or legal-person certificate"),
            ("劳动者居民身份证复印件", "Copy of the employee's resident ID card"),
            ("法定代表人授权委托书", "Power of attorney from the legal representative"),
        ),
        procedure=(
            ("窗口受理", "Accepted at the window"),
            ("劳动关系处审查合同条款", "Contract terms reviewed by the division"),
            ("加盖鉴证章", "Authentication seal affixed"),
            ("窗口领取", "Collected at the window"),
        ),
        legal_basis_zh="《中华人民共和国劳动合同法》；《劳动合同鉴证实施办法》",
        legal_basis_en="Labour Contract Law of the PRC; Measures for Labour Contract "
                       "Authentication",
    ),
    ServiceSpec(
        "ARMY", "L", "军队转业干部安置",
        "Placement of officers transferred from the armed forces",
        "ARMY", 30, 60, 20,
        documents=(
            ("《军队转业干部登记表》及部队转业审批材料",
             "Transferred officer registration form and the unit's approval"),
            ("军官证、居民身份证复印件", "Copies of officer's card and resident ID card"),
            ("干部档案（由部队机要转递）", "Cadre archive (sent by the unit by confidential post)"),
            ("随调配偶及子女户口、工作证明", "Household and job papers of the spouse and children moving too"),
        ),
        procedure=(
            ("窗口受理报到", "Registration accepted at the window"),
            ("军官转业安置办公室审核档案", "Archive reviewed by the office"),
            ("考试考核、双向选择", "Examination, assessment and two-way selection"),
            ("下达安置计划，开具报到介绍信", "Placement plan issued; letter of introduction given"),
        ),
        legal_basis_zh="《军队转业干部安置暂行办法》",
        legal_basis_en="Interim Measures for the Placement of Officers Transferred from the "
                       "Armed Forces",
    ),
    ServiceSpec(
        "CONSULT", "M", "政策咨询",
        "Policy consultation",
        None, 0, 0, 10,
        documents=(),
        procedure=(
            ("取号", "Take a number"),
            ("窗口咨询，当场答复", "Ask at the window; answered on the spot"),
        ),
        legal_basis_zh=None,
        legal_basis_en=None,
    ),
    ServiceSpec(
        "RECRUIT", "N", "事业单位公开招聘备案",
        "Public-institution open recruitment: filing",
        "PUBINST", 10, 20, 15,
        documents=(
            ("《事业单位公开招聘人员计划备案表》", "Open recruitment plan filing form"),
            ("公开招聘方案（含岗位、条件、程序）",
             "Recruitment plan (posts, requirements, procedure)"),
            ("主管部门审核意见", "Opinion of the competent authority"),
            ("机构编制部门出具的空编证明", "Proof of vacant establishment posts"),
        ),
        procedure=(
            ("窗口受理", "Accepted at the window"),
            ("事业单位人事管理处审核", "Reviewed by the division"),
            ("备案", "Filed"),
            ("窗口领取备案表", "Filing form collected at the window"),
        ),
        legal_basis_zh="《事业单位人事管理条例》；《事业单位公开招聘人员暂行规定》",
        legal_basis_en="Regulations on Personnel Management of Public Institutions; Interim "
                       "Provisions on Open Recruitment by Public Institutions",
    ),
    ServiceSpec(
        "ARCHPROOF", "P", "人事档案证明出具",
        "Certificate drawn from the personnel archive",
        "TALENT", 3, 5, 10,
        documents=(
            ID_CARD,
            ("《人事代理协议书》或存档凭证", "Personnel agency agreement or archive deposit receipt"),
            ("用途说明（如出国政审、职称申报）", "Statement of purpose (e.g. travel abroad, title application)"),
        ),
        procedure=(
            ("窗口受理", "Accepted at the window"),
            ("查阅档案核实", "Archive consulted and checked"),
            ("出具证明并盖章，窗口领取", "Certificate issued and sealed; collected at the window"),
        ),
        legal_basis_zh="《干部人事档案工作条例》",
        legal_basis_en="Regulations on Cadre Personnel Archives",
    ),
)

# Window 3 takes civil-service exam recruitment (prefix A): the acceptance demo is
# "A001 → window 3". Window 22 is the general window (综合窗口): under 项目联办 it takes over
# for the specialist windows, so it serves more items than the others.
HQ_WINDOWS = (
    WindowSpec(1, "政策咨询", "Policy consultation", ("CONSULT",)),
    WindowSpec(2, "咨询及证书发放", "Consultation and certificates", ("CONSULT", "CERT")),
    WindowSpec(3, "公务员考试录用", "Civil service recruitment", ("EXAM",)),
    WindowSpec(4, "考录及招聘备案", "Recruitment and filing", ("EXAM", "RECRUIT")),
    WindowSpec(5, "职称评审", "Professional titles", ("TITLE",)),
    WindowSpec(6, "职称评审及证书", "Professional titles and certificates", ("TITLE", "CERT")),
    WindowSpec(7, "人事调配", "Personnel transfer", ("TRANSFER",)),
    WindowSpec(8, "人事调配及档案", "Transfer and archives", ("TRANSFER", "ARCHIVE")),
    WindowSpec(9, "人事代理", "Personnel agency", ("AGENCY",)),
    WindowSpec(10, "人事代理及档案证明", "Agency and archive certificates", ("AGENCY", "ARCHPROOF")),
    WindowSpec(11, "档案管理", "Personnel archives", ("ARCHIVE", "ARCHPROOF")),
    WindowSpec(12, "技工考核", "Technician assessment", ("SKILL",)),
    WindowSpec(13, "技工考核及证书", "Technician assessment and certificates", ("SKILL", "CERT")),
    WindowSpec(14, "社会保险", "Social insurance", ("INSURE",)),
    WindowSpec(15, "社会保险", "Social insurance", ("INSURE",)),
    WindowSpec(16, "工资审批", "Wage approval", ("WAGE",)),
    WindowSpec(17, "工资及社会保险", "Wages and social insurance", ("WAGE", "INSURE")),
    WindowSpec(18, "劳动合同鉴证", "Labour contract authentication", ("CONTRACT",)),
    WindowSpec(19, "军转安置", "Military transfer placement", ("ARMY",)),
    WindowSpec(20, "军转安置及调配", "Military placement and transfer", ("ARMY", "TRANSFER")),
    WindowSpec(21, "事业单位招聘备案", "Public-institution recruitment", ("RECRUIT", "EXAM")),
    WindowSpec(22, "综合窗口", "General window",
               ("CONTRACT", "WAGE", "SKILL", "AGENCY", "CERT")),
)

HRB_DIVISIONS = (
    DivisionSpec("CIVIL", "市公务员管理处", "Municipal Civil Service Administration Division"),
    DivisionSpec("TITLE", "市专业技术人员管理处",
                 "Municipal Professional and Technical Personnel Division"),
    DivisionSpec("TALENT", "市人才服务中心", "Municipal Talent Service Centre"),
    DivisionSpec("INSURE", "市社会保险处", "Municipal Social Insurance Division"),
)

# The city hall publishes the same guides for the items it handles, with its own divisions.
_HRB_ITEMS = {"EXAM": "CIVIL", "TITLE": "TITLE", "AGENCY": "TALENT", "ARCHIVE": "TALENT",
              "INSURE": "INSURE", "CERT": None, "CONSULT": None}
HRB_SERVICES = tuple(
    replace(s, division=_HRB_ITEMS[s.code]) for s in HQ_SERVICES if s.code in _HRB_ITEMS
)

HRB_WINDOWS = (
    WindowSpec(1, "咨询及证书发放", "Consultation and certificates", ("CONSULT", "CERT")),
    WindowSpec(2, "公务员考试录用", "Civil service recruitment", ("EXAM",)),
    WindowSpec(3, "职称评审", "Professional titles", ("TITLE", "CERT")),
    WindowSpec(4, "人事代理及档案", "Agency and archives", ("AGENCY", "ARCHIVE")),
    WindowSpec(5, "社会保险", "Social insurance", ("INSURE",)),
    WindowSpec(6, "综合窗口", "General window", ("EXAM", "TITLE", "AGENCY", "INSURE")),
)

HALLS = (
    HallSpec(
        "HQ", 1, "黑龙江省人事人才公共服务大厅",
        "Heilongjiang Provincial Personnel and Talent Public Service Hall",
        "province", None,
        "黑龙江省哈尔滨市南岗区中山路181号",
        "181 Zhongshan Road, Nangang District, Harbin, Heilongjiang",
        "0451-12333",
        HQ_DIVISIONS, HQ_SERVICES, HQ_WINDOWS,
    ),
    HallSpec(
        "HRB", 101, "哈尔滨市人事人才公共服务大厅",
        "Harbin Municipal Personnel and Talent Public Service Hall",
        "city", "HQ",
        "黑龙江省哈尔滨市道里区友谊路256号",
        "256 Youyi Road, Daoli District, Harbin, Heilongjiang",
        "0451-86612333",
        HRB_DIVISIONS, HRB_SERVICES, HRB_WINDOWS,
    ),
)

# Items whose decided cases are listed in the open, the applicant masked (办理结果公开; issue
# 15): the qualification review publishes its results online, title evaluation and officers'
# placement are noticed publicly (公示) before they are final.
RESULTS_PUBLIC = frozenset({"EXAM", "TITLE", "ARMY"})

HQ_CLERK_NAMES = (
    "王建国", "李秀英", "张丽华", "刘伟", "陈静", "杨洋", "赵敏", "黄海燕", "周军", "吴晓梅",
    "徐志刚", "孙丽娟", "马俊", "朱红梅", "胡建华", "郭婷", "何磊", "高雪", "林峰", "罗晓燕",
    "郑凯", "梁艳",
)
HQ_DIVISION_STAFF_NAMES = (
    "宋文博", "谢玉兰", "韩志远", "唐晓红", "冯国庆", "于春梅", "董立新", "萧雅琴", "程德明", "曹淑芬",
)
HRB_CLERK_NAMES = ("袁丽", "邓强", "许晓东", "傅红", "沈宏伟", "曾慧")


class DemoAccount(NamedTuple):
    """A demo sign-in, as the README and the CLI list it."""

    username: str
    name: str
    roles: tuple[str, ...]
    hall: str
    division: str | None   # division code in that hall, for division staff
    duty: str


def _demo_accounts() -> tuple[DemoAccount, ...]:
    """Every demo account, in the order the README lists them (SPEC §6)."""
    admin, manager, clerk, division = (r.value for r in Role)
    accounts = [
        DemoAccount("admin", "赵志强", (admin,), "HQ", None,
                    "administrator: halls, windows, catalogue, divisions, staff, calendar"),
        DemoAccount("manager", "刘淑华", (manager,), "HQ", None,
                    "provincial manager: dashboard and reports of every hall"),
    ]
    # Clerk NN works window NN: a convention of the demo, there is no column for it.
    for window, name in zip(HQ_WINDOWS, HQ_CLERK_NAMES, strict=True):
        accounts.append(DemoAccount(f"clerk{window.no:02d}", name, (clerk,), "HQ", None,
                                    f"clerk of HQ window {window.no} ({window.name_en})"))
    for n, (spec, name) in enumerate(zip(HQ_DIVISIONS, HQ_DIVISION_STAFF_NAMES, strict=True), 1):
        accounts.append(DemoAccount(f"division{n:02d}", name, (division,), "HQ", spec.code,
                                    f"division staff of {spec.name_en} ({spec.name_zh})"))
    accounts.append(DemoAccount("hrb-manager", "孙立伟", (manager,), "HRB", None,
                                "manager of the Harbin city hall"))
    for window, name in zip(HRB_WINDOWS, HRB_CLERK_NAMES, strict=True):
        accounts.append(DemoAccount(f"hrb-clerk{window.no:02d}", name, (clerk,), "HRB", None,
                                    f"clerk of HRB window {window.no} ({window.name_en})"))
    return tuple(accounts)


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = _demo_accounts()


# Opening hours (开放时间), Monday to Friday; holidays and make-up days follow the calendar.
# The provincial hall breaks for lunch, the city hall does not (中午不休息).
DEMO_HOURS = {
    "HQ": ((time(8, 30), time(12)), (time(13, 30), time(17))),
    "HRB": ((time(8, 30), time(17)),),
}


# == Seeding ===================================================================================

@dataclass
class DemoReport:
    """What one run of :func:`seed_demo` created; all zero when the data was already there."""

    halls: int = 0
    divisions: int = 0
    services: int = 0
    windows: int = 0
    staff: int = 0
    devices: int = 0
    forms: int = 0

    @property
    def total(self) -> int:
        """Rows created, all kinds together."""
        return (self.halls + self.divisions + self.services + self.windows + self.staff
                + self.devices + self.forms)

    def __str__(self) -> str:
        """The line the CLI prints."""
        return (f"created {self.halls} halls, {self.divisions} divisions, {self.services} "
                f"services, {self.windows} windows, {self.forms} blank forms, "
                f"{self.staff} staff, {self.devices} devices")


def seed_demo(session: Session, *, password: str,
              pending_application: bool = False) -> DemoReport:
    """Create the demo halls, catalogues, divisions, windows and staff, then commit.

    Rows are matched by their natural keys (hall code; division, item and window within
    their hall; username), and a row that exists is left exactly as it is, so running this
    again creates nothing and changes nothing — not even what an administrator has edited
    since. A window is linked to an item only when one of the two is new in this run.
    ``pending_application`` (``flask seed-demo``, not the tests' halls): one application
    online waiting for pre-review, so the division's inbox shows one."""
    if not password:
        raise ValueError("the demo accounts need a password")
    report = DemoReport()
    halls: dict[str, Hall] = {}
    divisions: dict[tuple[str, str], Division] = {}
    for spec in HALLS:
        hall = halls[spec.code] = _hall(session, spec, halls, report)
        for division_spec in spec.divisions:
            divisions[spec.code, division_spec.code] = _division(session, hall, division_spec,
                                                                 report)
        items: dict[str, ServiceItem] = {}
        new_items: set[str] = set()
        for position, service_spec in enumerate(spec.services, 1):
            items[service_spec.code], is_new = _service(
                session, hall, service_spec, 10 * position, divisions, report)
            if is_new:
                new_items.add(service_spec.code)
        for window_spec in spec.windows:
            _window(session, hall, window_spec, items, new_items, report)
        _opening_hours(session, hall)
    known = _assignable(session)
    _staff(session, password, halls, divisions, report)
    _devices(session, halls, report)
    _assign_demo_windows(session, halls, known)
    seed_enquiry_topics(session)
    session.commit()
    report.forms = _blank_forms(session)
    seed_online_items(session, pending_application=pending_application)
    return report


def _created(session: Session, row, report: DemoReport, kind: str):
    """Add a new row, flush it so its id can key the rows that follow, and count it."""
    session.add(row)
    session.flush()
    setattr(report, kind, getattr(report, kind) + 1)
    return row


def _hall(session: Session, spec: HallSpec, halls: dict[str, Hall], report: DemoReport) -> Hall:
    """The hall with this code, created if missing."""
    hall = find_hall(session, spec.code)
    if hall is not None:
        return hall
    return _created(session, Hall(
        code=spec.code, node_no=spec.node_no, name_zh=spec.name_zh, name_en=spec.name_en,
        level=spec.level, parent=halls[spec.parent] if spec.parent else None,
        timezone="Asia/Shanghai", address_zh=spec.address_zh, address_en=spec.address_en,
        phone=spec.phone,
    ), report, "halls")


def _division(session: Session, hall: Hall, spec: DivisionSpec, report: DemoReport) -> Division:
    """The hall's division with this code, created if missing."""
    division = session.scalar(
        select(Division).where(Division.hall_id == hall.id, Division.code == spec.code)
    )
    if division is not None:
        return division
    return _created(session, Division(hall=hall, code=spec.code, name_zh=spec.name_zh,
                                      name_en=spec.name_en), report, "divisions")


def _service(session: Session, hall: Hall, spec: ServiceSpec, sort_order: int,
             divisions: dict[tuple[str, str], Division],
             report: DemoReport) -> tuple[ServiceItem, bool]:
    """The hall's catalogue item with this code, created if missing; and whether it is new."""
    item = session.scalar(
        select(ServiceItem).where(ServiceItem.hall_id == hall.id, ServiceItem.code == spec.code)
    )
    if item is not None:
        return item, False
    item = ServiceItem(
        hall=hall, code=spec.code, prefix=spec.prefix, name_zh=spec.name_zh,
        name_en=spec.name_en,
        division=divisions[hall.code, spec.division] if spec.division else None,
        time_limit_days=spec.time_limit_days, legal_limit_days=spec.legal_limit_days,
        standard_minutes=spec.standard_minutes,
        documents=[{"zh": zh, "en": en} for zh, en in spec.documents],
        procedure=[{"zh": zh, "en": en} for zh, en in spec.procedure],
        fees_zh=spec.fees_zh, fees_en=spec.fees_en,
        legal_basis_zh=spec.legal_basis_zh, legal_basis_en=spec.legal_basis_en,
        active=True, sort_order=sort_order, results_public=spec.code in RESULTS_PUBLIC,
    )
    return _created(session, item, report, "services"), True


def _window(session: Session, hall: Hall, spec: WindowSpec, items: dict[str, ServiceItem],
            new_items: set[str], report: DemoReport) -> Window:
    """The hall's window with this number, created if missing, linked to its demo items."""
    window = session.scalar(select(Window).where(Window.hall_id == hall.id, Window.no == spec.no))
    window_is_new = window is None
    if window_is_new:
        window = _created(session, Window(hall=hall, no=spec.no, name_zh=spec.name_zh,
                                          name_en=spec.name_en), report, "windows")
    assert window is not None
    for code in spec.services:
        item = items[code]
        # An existing window keeps the services it has; only a new window or a new item
        # gets the demo link, so a re-run never undoes an administrator's choices.
        if (window_is_new or code in new_items) and item not in window.services:
            window.services.append(item)
    return window


def _staff(session: Session, password: str, halls: dict[str, Hall],
           divisions: dict[tuple[str, str], Division], report: DemoReport) -> None:
    """Create the demo accounts that do not exist yet."""
    password_hash = None
    for account in DEMO_ACCOUNTS:
        if session.scalar(select(Staff.id).where(Staff.username == account.username)):
            continue
        if password_hash is None:
            # Hashed once: scrypt is deliberately slow, and the demo accounts all share one
            # password anyway, so one hash serves every account.
            password_hash = hash_password(password)
        division = divisions[account.hall, account.division] if account.division else None
        _created(session, new_staff(
            hall=halls[account.hall], username=account.username, name=account.name,
            password_hash=password_hash, roles=set(account.roles), division=division,
        ), report, "staff")


# -- devices (README, "Devices") ------------------------------------------------------------------

# One kiosk and one wall display per hall, and a rating tablet at HQ's window 3 (the window
# the README's walk-through uses); the other windows' tablets are left for an administrator
# to register. No token and no enrolment link is made: the demo prints no secret, and on the
# server's own machine (loopback, trusted by default) the pages work without one.
DEMO_DEVICES = (("HQ", "kiosk", "入口取号机 1", None), ("HQ", "display", "大厅显示屏 1", None),
                ("HQ", "rating", "3号窗口评价器", 3), ("HRB", "kiosk", "取号机 1", None),
                ("HRB", "display", "大厅显示屏 1", None))


def _devices(session: Session, halls: dict[str, Hall], report: DemoReport) -> None:
    for code, kind, name, window_no in DEMO_DEVICES:
        hall = halls[code]
        if session.scalar(select(Device.id).where(Device.hall_id == hall.id, Device.name == name)):
            continue
        _created(session, Device(hall=hall, kind=kind, name=name, window_no=window_no,
                                 locked=False, created_at=clock.now()), report, "devices")
# -- which windows each demo clerk may work (issue 11) -----------------------------------------

# Clerk NN works window NN of their hall; two HQ clerks also cover the neighbouring window, so
# that the assignment shows: clerk01 works windows 1 and 2, clerk22 windows 21 and 22.
DEMO_EXTRA_WINDOWS = {"clerk01": (2,), "clerk22": (21,)}


def demo_windows(account: DemoAccount) -> tuple[int, ...]:
    """The window numbers a demo clerk may work, in their hall."""
    if "clerk" not in account.roles:
        return ()
    own = int(account.username[-2:])
    return (own, *DEMO_EXTRA_WINDOWS.get(account.username, ()))


def _assignable(session: Session) -> tuple[set[str], set[tuple[int, int]]]:
    """The usernames and (hall, window) that exist before this run: their assignments were
    an administrator's business since, and a re-run leaves them alone."""
    return (set(session.scalars(select(Staff.username))),
            {(hall_id, no) for hall_id, no in session.execute(select(Window.hall_id, Window.no))})


def _assign_demo_windows(session: Session, halls: dict[str, Hall],
                         known: tuple[set[str], set[tuple[int, int]]]) -> None:
    old_staff, old_windows = known
    for account in DEMO_ACCOUNTS:
        hall = halls[account.hall]
        staff = session.scalar(select(Staff).where(Staff.username == account.username))
        for no in demo_windows(account):
            window = session.scalar(select(Window).where(Window.hall_id == hall.id,
                                                         Window.no == no))
            if staff is None or window is None:
                continue
            if account.username in old_staff and (hall.id, no) in old_windows:
                continue
            if not may_work_window(session, window, staff.id):
                session.execute(window_clerks.insert().values(window_id=window.id,
                                                              staff_id=staff.id))


def _opening_hours(session: Session, hall: Hall) -> None:
    """The demo hall's weekday hours, unless the hall has hours of its own already."""
    spans = DEMO_HOURS.get(hall.code)
    if not spans or session.scalar(select(OpeningHours.id)
                                   .where(OpeningHours.hall_id == hall.id).limit(1)):
        return
    session.add_all(OpeningHours(hall_id=hall.id, weekday=weekday, opens=opens, closes=closes)
                    for weekday in range(5) for opens, closes in spans)
    session.flush()
    hours.changed_in(session)


# -- blank forms (表格下载, issue 15) ------------------------------------------------------------

_DECLARATION = "本人承诺所填内容及所附材料真实、准确、完整，如有虚假，愿承担相应责任。"
# (hall, item) -> its blank forms, drawn as PDFs when the demo is seeded (hall.form_pdf).
DEMO_FORMS = {
    ("HQ", "TITLE"): (
        BlankForm("专业技术职务任职资格评审表",
                  "Professional title evaluation: application form",
                  "请用黑色墨水笔填写或打印，一式两份，与申报材料一并提交至窗口。",
                  (("姓名", "Name"), ("性别", "Sex"), ("出生年月", "Date of birth"),
                   ("公民身份号码", "ID number"), ("工作单位", "Employer"),
                   ("现任专业技术职务", "Current title"), ("申报资格", "Title applied for"),
                   ("专业", "Field"), ("联系电话", "Telephone")),
                  _DECLARATION),
        BlankForm("职称评审诚信承诺书", "Professional title evaluation: pledge of honesty",
                  "申报人须本人签字；单位审核意见由所在单位填写并盖章。",
                  (("申报人姓名", "Name"), ("公民身份号码", "ID number"),
                   ("工作单位", "Employer"), ("单位审核意见", "Employer's opinion")),
                  _DECLARATION),
    ),
}


def _blank_forms(session: Session) -> int:
    """The demo items' blank forms, stored once: an item that ever had a form (an
    administrator may have removed it since) is left as it is. Like the demo's other rows
    they are seeded without an event (the log starts with what people do). Nothing on a
    database migrated only to a revision before the files' table (a migration's test)."""
    from . import files, forms  # noqa: F401  (forms registers the owner "form")
    from .db import write_transaction
    from .events import SYSTEM
    from .form_pdf import blank_form_pdf

    if not inspect(session.connection()).has_table(StoredFile.__tablename__):
        session.rollback()
        return 0
    created = 0
    with write_transaction(session):
        for (hall_code, item_code), specs in DEMO_FORMS.items():
            hall = find_hall(session, hall_code)
            if hall is None:
                continue
            item = session.scalar(select(ServiceItem).where(ServiceItem.hall_id == hall.id,
                                                            ServiceItem.code == item_code))
            if item is None or session.scalar(
                    select(StoredFile.id).where(StoredFile.owner == forms.OWNER,
                                                StoredFile.owner_id == item.id).limit(1)):
                continue
            for spec in specs:
                files.seed(session, hall, owner=forms.OWNER, owner_id=item.id,
                           label=spec.title_zh, filename=f"{spec.title_zh}.pdf",
                           data=blank_form_pdf(spec, hall_name=hall.name_zh), actor=SYSTEM)
                created += 1
    return created


# -- questions, complaints and reports online (issue 15) ----------------------------------------

class TopicSpec(NamedTuple):
    code: str
    name_zh: str
    name_en: str
    division: str                 # the division of the same hall that answers it
    kinds: tuple[str, ...]        # consultation, complaint, report


_Q, _C, _R = "consultation", "complaint", "report"
ENQUIRY_TOPICS = {
    "HQ": (
        TopicSpec("TITLE", "职称评审", "Professional title evaluation", "TITLE", (_Q, _C)),
        TopicSpec("ARCHIVE", "人事档案", "Personnel archives", "TALENT", (_Q, _C)),
        TopicSpec("INSURE", "社会保险", "Social insurance", "INSURE", (_Q, _C, _R)),
        TopicSpec("EXAM", "考试录用", "Civil service recruitment", "CIVIL", (_Q, _C)),
        TopicSpec("WAGE", "工资福利", "Wages and welfare", "WAGE", (_Q, _C)),
        TopicSpec("LABOUR", "劳动合同与劳动关系", "Labour contracts and relations", "LABOUR",
                  (_Q, _C, _R)),
        TopicSpec("CONDUCT", "服务态度与工作作风", "Service attitude and conduct of staff",
                  "CIVIL", (_C, _R)),
    ),
    "HRB": (
        TopicSpec("TITLE", "职称评审", "Professional title evaluation", "TITLE", (_Q, _C)),
        TopicSpec("ARCHIVE", "人事档案", "Personnel archives", "TALENT", (_Q, _C)),
        TopicSpec("INSURE", "社会保险", "Social insurance", "INSURE", (_Q, _C, _R)),
        TopicSpec("CONDUCT", "服务态度与工作作风", "Service attitude and conduct of staff",
                  "CIVIL", (_C, _R)),
    ),
}


def seed_enquiry_topics(session: Session) -> None:
    """The demo topics and each hall's default time limits, where missing (a topic is matched
    by hall and code, a rule by hall and kind; what exists is left as it is). Nothing on a
    database migrated only to a revision before their tables (a migration's test)."""
    if not inspect(session.connection()).has_table(EnquiryTopic.__tablename__):
        return
    for hall_code, specs in ENQUIRY_TOPICS.items():
        hall = find_hall(session, hall_code)
        if hall is None:
            continue
        divisions = {d.code: d for d in session.scalars(
            select(Division).where(Division.hall_id == hall.id))}
        have = set(session.scalars(select(EnquiryTopic.code)
                                   .where(EnquiryTopic.hall_id == hall.id)))
        for order, spec in enumerate(specs, 1):
            if spec.code in have or spec.division not in divisions:
                continue
            session.add(EnquiryTopic(
                hall_id=hall.id, code=spec.code, name_zh=spec.name_zh, name_en=spec.name_en,
                division_id=divisions[spec.division].id, active=True, sort_order=10 * order,
                **{f"for_{kind}": kind in spec.kinds for kind in (_Q, _C, _R)}))
        for kind, rule in enquiry_deadlines.DEFAULT_RULES.items():
            if session.get(EnquiryRule, (hall.id, kind)) is None:
                session.add(EnquiryRule(
                    hall_id=hall.id, kind=kind, respond_days=rule.respond.days,
                    respond_unit=rule.respond.unit,
                    conclude_days=rule.conclude.days if rule.conclude else 0,
                    conclude_unit=(rule.conclude.unit if rule.conclude
                                   else enquiry_deadlines.CALENDAR),
                    extension_days=rule.extension_days))
    session.flush()


# -- applying online (issue 15) ------------------------------------------------------------------

# The items the demo offers online, the documents uploaded (by their index in the guide) and
# the form's own fields.
ONLINE_ITEMS = {
    ("HQ", "ARCHPROOF"): ((0, 1), [
        {"name": "purpose", "zh": "证明用途", "en": "What the certificate is for",
         "kind": "text", "required": True, "max": 100},
        {"name": "copies", "zh": "份数", "en": "Number of copies", "kind": "number",
         "required": True},
        {"name": "employer", "zh": "现工作单位", "en": "Present employer", "kind": "text",
         "required": False, "max": 80},
    ]),
    ("HQ", "TRANSFER"): ((0, 1), [
        {"name": "from_unit", "zh": "调出单位", "en": "Releasing employer", "kind": "text",
         "required": True, "max": 80},
        {"name": "to_unit", "zh": "调入单位", "en": "Receiving employer", "kind": "text",
         "required": True, "max": 80},
        {"name": "start", "zh": "拟到岗日期", "en": "Intended start date", "kind": "date",
         "required": False},
    ]),
}


def seed_online_items(session: Session, *, pending_application: bool = False) -> int:
    """The demo items offered online, where an administrator never set them up (an item
    with its own fields is left as it is), and (``pending_application``) one application
    waiting for pre-review, arrived two days ago, so that the division's inbox shows it. Nothing on a database
    migrated only to a revision before applications (a migration's test)."""
    from . import applications
    from .db import write_transaction
    from .form_pdf import blank_form_pdf

    if not inspect(session.connection()).has_table("applications"):
        session.rollback()
        return 0
    made = 0
    with write_transaction(session):
        for (hall_code, item_code), (uploads, fields) in ONLINE_ITEMS.items():
            hall = find_hall(session, hall_code)
            if hall is None:
                continue
            item = session.scalar(select(ServiceItem).where(
                ServiceItem.hall_id == hall.id, ServiceItem.code == item_code))
            if item is None or item.apply_online or item.apply_fields:
                continue
            item.apply_online, item.apply_fields = True, fields
            item.documents = [{**d, "upload": True} if i in uploads else dict(d)
                              for i, d in enumerate(item.documents or [])]
            if item_code != "ARCHPROOF" or not pending_application:
                continue
            blank = DEMO_FORMS[next(iter(DEMO_FORMS))][0]
            scans = [(f"{label}.pdf", blank_form_pdf(blank, hall_name=hall.name_zh))
                     for label in applications.required_documents(item)]
            applications.seed(session, hall, item, name="欧阳明", phone="13900001111",
                              values={"purpose": "出国政审", "copies": "2"}, documents=scans,
                              at=clock.now() - timedelta(days=2))
            made += 1
    return made
