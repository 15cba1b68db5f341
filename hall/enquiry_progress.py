"""Where a question, complaint or report stands, as the citizen may see it (the tracking page
and the API).

The public view, for anyone holding the service number, says only what kind of matter it is,
its topic, where it stands, its dates and whether its time limits were kept: never a name, a
contact, the text, the thread or a reason. Whoever also holds the access code gets the private
part: the text as sent, the thread, and whether they may still write. The private part is a
separate object, absent from a public view, so a page cannot show it by mistake.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from . import clock, enquiries, kinds, numbers, privacy, timeline
from .models import Enquiry
from .models.enquiries import FINISHED_STATES

STAGES = {code: words.stage for code, words in kinds.ENQUIRY_STATE_WORDS.items()}


@dataclass(frozen=True)
class Message:
    at: datetime
    from_citizen: bool
    body: str


@dataclass(frozen=True)
class Attachment:
    id: int
    name: str
    size: int


@dataclass(frozen=True)
class Private:
    subject: str
    body: str
    name: str | None
    phone: str                 # masked even here: the page may be on a shared screen
    anonymous: bool
    messages: list[Message]
    attachments: list[Attachment]
    may_write: bool            # not over yet: the citizen may add to the thread


@dataclass(frozen=True)
class EnquiryProgress:
    service_no: str
    hall_code: str
    kind: str
    kind_name: str             # message id
    topic: timeline.Name | None
    topic_code: str | None
    related_case_no: str | None
    state: str
    stage: str                 # message id
    submitted_at: datetime
    respond_due_at: datetime
    responded_at: datetime | None
    responded_on_time: bool | None
    accepted_at: datetime | None
    conclude_due_at: datetime | None
    concluded_at: datetime | None
    concluded_on_time: bool | None
    due_at: datetime | None    # the limit running now
    due_provisional: bool
    overdue: bool              # running past its limit: the office's delay
    extension_days: int
    unit: str                  # of the conclusion's limit: working | calendar
    closed_at: datetime | None
    steps: list[timeline.Step]
    verified: bool
    private: Private | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def updated_at(self) -> datetime:
        return self.steps[-1].at if self.steps else self.submitted_at


def of_enquiry(session: Session, enquiry: Enquiry, *, verified: bool) -> EnquiryProgress:
    """The view of ``enquiry``; the private part only when ``verified`` (the access code)."""
    now = clock.now()
    topic = enquiry.topic
    private = None
    if verified:
        private = Private(
            subject=enquiry.subject, body=enquiry.body, name=enquiry.name,
            phone=privacy.mask_phone(enquiry.phone), anonymous=enquiry.anonymous,
            messages=[Message(m.created_at, m.author == "citizen", m.body)
                      for m in enquiries.thread(session, enquiry)],
            attachments=[Attachment(f.id, f.original_name, f.size)
                         for f in enquiries.attachments_of(session, enquiry)],
            may_write=enquiry.state not in FINISHED_STATES)
    return EnquiryProgress(
        service_no=enquiry.service_no, hall_code=enquiry.hall.code, kind=enquiry.kind,
        kind_name=kinds.ENQUIRY_KIND_NAMES[enquiry.kind],
        topic=timeline.Name(topic.name_zh, topic.name_en) if topic is not None else None,
        topic_code=topic.code if topic is not None else None,
        related_case_no=(numbers.grouped(enquiry.related_case_no)
                         if enquiry.related_case_no else None),
        state=enquiry.state, stage=STAGES[enquiry.state], submitted_at=enquiry.created_at,
        respond_due_at=enquiry.respond_due_at, responded_at=enquiry.responded_at,
        responded_on_time=(enquiry.responded_at <= enquiry.respond_due_at
                           if enquiry.responded_at else None),
        accepted_at=enquiry.accepted_at, conclude_due_at=enquiry.conclude_due_at,
        concluded_at=enquiry.concluded_at,
        concluded_on_time=(enquiry.concluded_at <= enquiry.conclude_due_at
                           if enquiry.concluded_at and enquiry.conclude_due_at else None),
        due_at=enquiry.due_at, due_provisional=enquiry.due_provisional,
        overdue=enquiry.due_at is not None and enquiry.due_at <= now,
        extension_days=enquiry.extension_days, unit=enquiry.conclude_unit,
        closed_at=enquiry.closed_at,
        steps=timeline.for_enquiry(session, enquiry, verified=verified),
        verified=verified, private=private)
