"""Administrators set a hall's time limits for questions, complaints and reports, and the
topics one may write about (each owned by a division). Each change is one operation, checked
before anything is written and recorded with what it was before. A changed limit applies to
enquiries that arrive from then on: each keeps the rule it arrived under."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import enquiry_deadlines as limits
from .admin import administered_hall
from .booking_admin import whole_number
from .db import operation
from .enquiry_errors import InvalidEnquiryRule
from .errors import InvalidInput
from .events import Actor, record
from .lookup import get_division
from .models import EnquiryRule, EnquiryTopic
from .models.enquiries import KINDS, UNITS

FIELDS = ("respond_days", "respond_unit", "conclude_days", "conclude_unit", "extension_days")


@dataclass(frozen=True)
class RuleValues:
    respond_days: int
    respond_unit: str
    conclude_days: int
    conclude_unit: str
    extension_days: int


def values_of(rule: limits.Rule) -> RuleValues:
    conclude = rule.conclude
    return RuleValues(rule.respond.days, rule.respond.unit, conclude.days if conclude else 0,
                      conclude.unit if conclude else limits.CALENDAR,
                      rule.extension_days if conclude else 0)


def check_rule(kind: str, values: Mapping[str, object]) -> RuleValues:
    """A kind's limits from a form or the command line, each in its range; a question has
    nothing to conclude and no extension."""
    if kind not in KINDS:
        raise InvalidEnquiryRule("kind")
    numbers = {name: whole_number(values.get(name), low, high,
                                  InvalidEnquiryRule(name, low, high))
               for name, (low, high) in limits.RANGES.items()}
    units = {}
    for name in ("respond_unit", "conclude_unit"):
        unit = str(values.get(name) or "").strip().lower()
        if unit not in UNITS:
            raise InvalidEnquiryRule(name)
        units[name] = unit
    if kind == "consultation":
        numbers["conclude_days"] = numbers["extension_days"] = 0
    elif numbers["conclude_days"] == 0:
        raise InvalidEnquiryRule("conclude_days", 1, limits.RANGES["conclude_days"][1])
    return RuleValues(numbers["respond_days"], units["respond_unit"], numbers["conclude_days"],
                      units["conclude_unit"], numbers["extension_days"])


@operation
def set_rule(session: Session, hall_code: str, kind: str, values: Mapping[str, object], *,
             actor: Actor) -> bool:
    """Set the hall's limits for one kind; a field not among ``values`` keeps its value.
    Records ``enquiry.rules_set`` with each change before → after; nothing when nothing
    changed. Returns whether anything changed."""
    hall = administered_hall(session, hall_code, actor)
    if kind not in KINDS:
        raise InvalidEnquiryRule("kind")
    before = values_of(limits.rule_of(session, hall.id, kind))
    after = check_rule(kind, {**{f: getattr(before, f) for f in FIELDS}, **values})
    changed = {f: {"before": getattr(before, f), "after": getattr(after, f)}
               for f in FIELDS if getattr(before, f) != getattr(after, f)}
    if not changed:
        return False
    session.merge(EnquiryRule(hall_id=hall.id, kind=kind, **{f: getattr(after, f)
                                                             for f in FIELDS}))
    session.flush()
    record(session, hall, "enquiry.rules_set", actor=actor, enquiry_kind=kind,
           changed=changed)
    return True


# -- topics -------------------------------------------------------------------------------------

def topics(session: Session, hall_id: int) -> list[EnquiryTopic]:
    """Every topic of the hall, active or not, in the hall's order."""
    return list(session.scalars(select(EnquiryTopic).where(EnquiryTopic.hall_id == hall_id)
                                .order_by(EnquiryTopic.sort_order, EnquiryTopic.code)))


@operation
def set_topic(session: Session, hall_code: str, code: str, *, name_zh: str, name_en: str,
              division: str, kinds: list[str], active: bool = True, sort_order: int = 0,
              actor: Actor) -> EnquiryTopic:
    """Create the topic, or change it: its names, the division that answers it (enquiries
    already sent stay with theirs), the kinds it takes, whether it is offered."""
    hall = administered_hall(session, hall_code, actor)
    wanted = (code or "").strip().upper()
    if not (1 <= len(wanted) <= 16 and wanted.replace("-", "").replace("_", "").isalnum()
            and wanted.isascii()):
        raise InvalidInput("invalid-code", on="code")
    names = {}
    for field, value, limit in (("name_zh", name_zh, 80), ("name_en", name_en, 160)):
        kept = (value or "").strip()
        if not kept:
            raise InvalidInput("admin-field-required", on=field, field=field)
        if len(kept) > limit:
            raise InvalidInput("admin-field-too-long", on=field, field=field, max=limit)
        names[field] = kept
    owner = get_division(session, hall, division)
    if owner is None:
        raise InvalidInput("admin-field-required", on="division", field="division")
    chosen = [k for k in KINDS if k in set(kinds)]
    if not chosen:
        raise InvalidInput("admin-field-required", on="kinds", field="kinds")
    topic = session.scalar(select(EnquiryTopic).where(EnquiryTopic.hall_id == hall.id,
                                                      EnquiryTopic.code == wanted))
    if topic is None:
        topic = EnquiryTopic(hall_id=hall.id, code=wanted)
        session.add(topic)
    topic.name_zh, topic.name_en = names["name_zh"], names["name_en"]
    topic.division_id = owner.id
    for kind in KINDS:
        setattr(topic, f"for_{kind}", kind in chosen)
    topic.active, topic.sort_order = bool(active), int(sort_order)
    session.flush()
    record(session, hall, "enquiry.topic_set", actor=actor, code=wanted,
           name_zh=topic.name_zh, name_en=topic.name_en, division=owner.code, kinds=chosen,
           active=topic.active)
    return topic
