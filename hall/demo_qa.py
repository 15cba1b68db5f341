"""The demo hall's public Q&A (issue 15): a dozen questions of the kind HQ is asked, each
sent, answered by the division that owns its topic, closed and published through the moves
people make (``hall.enquiries``, ``hall.qa``), on a past day of the hall so that no number of
today is taken. Loaded by ``flask seed-demo`` (so that ``make run`` shows a working search),
not by the test suite's seed: tests load it where they want it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import clock, enquiries, qa
from .events import Actor
from .lookup import find_hall
from .models import EnquiryTopic, PublishedAnswer, Role, Staff

# Monday 2026-11-02, 10:00 in the hall's zone: the day the demo's questions were asked.
ASKED_ON = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
ASKER, PHONE = "示例用户", "13800000000"


class DemoAnswer(NamedTuple):
    topic: str
    question: str
    answer: str


DEMO_ANSWERS = {"HQ": (
    DemoAnswer("TITLE", "中级职称评审需要准备哪些材料？",
               "申报中级职称评审需提交：职称评审申报表、学历学位证书、现专业技术资格证书、任现职以来"
               "的业绩成果材料和继续教育证明。材料经本单位公示5个工作日后，由单位统一报送职称评审处。"),
    DemoAnswer("TITLE", "职称评审材料能否在申报截止后补交？",
               "职称评审材料以申报截止日为准，截止后不再受理补交。因特殊情况未能按时提交的，可在下一"
               "年度申报；已提交材料中的笔误可在评审会前联系职称评审处更正。"),
    DemoAnswer("TITLE", "非公有制企业的技术人员可以参加职称评审吗？",
               "可以。非公有制经济组织的专业技术人员可通过人事代理机构或行业协会申报职称评审，"
               "评审条件与公有制单位人员相同。"),
    DemoAnswer("ARCHIVE", "人事档案调入需要什么手续？",
               "档案调入本市的，请持接收单位的接收证明（毕业生持报到证）到人才服务处开具调档函，"
               "原存档单位凭调档函通过机要通道转递档案，一般15个工作日内到达。到达后可在本大厅查询。"),
    DemoAnswer("ARCHIVE", "外省的档案怎么调到本市人才服务中心？",
               "先与本市人才服务中心签订存档协议并开具调档函，再将调档函寄交外省原存档单位，"
               "由其通过机要通道转递。个人不得自带档案。"),
    DemoAnswer("ARCHIVE", "人事代理是什么？怎么办理？",
               "人事代理是由人才服务机构为单位或个人代管人事档案，并办理转正定级、职称申报、出具"
               "证明等人事手续。单位办理需签订人事代理协议并提供营业执照；个人办理需携带身份证件到"
               "人才服务处窗口签订协议。"),
    DemoAnswer("INSURE", "怎么办理退休手续？",
               "职工达到法定退休年龄前一个月，由所在单位向社会保险处申报退休，提交身份证件、人事档案和"
               "养老保险缴费记录；灵活就业人员本人到大厅社会保险窗口申报。审核通过后，次月起按月发放"
               "基本养老金。"),
    DemoAnswer("INSURE", "提前退休需要满足什么条件？",
               "从事井下、高空、高温等特殊工种满规定年限的，或因病、非因工致残经鉴定完全丧失劳动能力"
               "的，可申请提前退休。需提交特殊工种档案记录或劳动能力鉴定结论。"),
    DemoAnswer("INSURE", "退休后养老金从什么时候开始发放？",
               "退休审批通过的次月起发放基本养老金，按月打入本人社会保障卡的金融账户。"),
    DemoAnswer("EXAM", "公务员报考有年龄限制吗？",
               "报考公务员一般要求18周岁以上、35周岁以下；应届硕士、博士研究生（非在职）可放宽到"
               "40周岁以下。具体条件以当年的招考公告为准。"),
    DemoAnswer("EXAM", "公务员考试报名后还能修改报考职位吗？",
               "报名资格审查通过前可以修改报考职位；审查通过后不能再改报其他职位。"),
    DemoAnswer("WAGE", "事业单位新进人员的工资怎么确定？",
               "事业单位新聘用人员试用期工资按本人学历和岗位确定，试用期满考核合格后，按所聘岗位"
               "确定岗位工资和薪级工资。"),
    DemoAnswer("LABOUR", "劳动合同到期单位不续签，有经济补偿吗？",
               "劳动合同期满，用人单位不续订的，或降低原条件续订而劳动者不同意的，用人单位应支付"
               "经济补偿，按在本单位工作的年限每满一年支付一个月工资。"),
)}


def _answerer(session: Session, topic: EnquiryTopic) -> Actor | None:
    staff = session.scalar(select(Staff).where(
        Staff.division_id == topic.division_id, Staff.active.is_(True)).order_by(Staff.id))
    if staff is None or not staff.has_role(Role.DIVISION):
        return None
    return Actor.of(staff)


def seed_demo_answers(session: Session) -> int:
    """Publish the demo answers of each hall that has none yet; how many were published."""
    published = 0
    for hall_code, specs in DEMO_ANSWERS.items():
        hall = find_hall(session, hall_code)
        if hall is None or session.scalar(select(func.count()).select_from(PublishedAnswer)
                                          .where(PublishedAnswer.hall_id == hall.id)):
            continue
        topics = {t.code: t for t in enquiries.topics(session, hall, "consultation")}
        for number, spec in enumerate(specs):
            topic = topics.get(spec.topic)
            staff = _answerer(session, topic) if topic else None
            if topic is None or staff is None:
                continue
            with clock.frozen(ASKED_ON + timedelta(minutes=7 * number)):
                asked = enquiries.submit(session, hall.code, kind="consultation",
                                         topic=topic.code, subject=spec.question[:100],
                                         body=spec.question, name=ASKER, phone=PHONE)
                enquiries.reply(session, asked.id, body=spec.answer, actor=staff)
                enquiries.close(session, asked.id, actor=staff)
                qa.publish(session, asked.id, question=spec.question, answer=spec.answer,
                           actor=staff)
            published += 1
    session.commit()
    return published
