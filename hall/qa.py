"""The public Q&A of a hall (智能问答 in its honest form): a division publishes an answered
question, edited and anonymised, and anyone searches the published answers and the service
guide together, in Chinese.

- ``publish``: only an answered question (a consultation that has its answer), only by
  whoever may work it (``enquiries.may_work``), with the text the staff edited. Staff must take
  out everything personal; the text is refused still if it carries the asker's name, a
  resident ID or mobile number, an e-mail address, or the enquiry's service number or access
  code. Publishing again edits the published text; a withdrawn answer may be published again.
- ``withdraw``: out of the public Q&A, at once.
- ``search``: the published answers of the hall (``hall.qa_search``: Chinese cut in pairs,
  the database's full-text index) and its guide items, ranked together: first by how many of
  the query's terms a hit carries, then by how many stand in its title (the question; the
  item's name), a guide item before an answer when both match as well (the guide is the
  official word), then as the index gave them (the newest first).

Each move is one transaction with its event on the enquiry; the search index changes in it.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from sqlalchemy import Text, bindparam, cast, select, update
from sqlalchemy.orm import Session, joinedload

from . import clock, enquiries, qa_search
from . import text as texts
from .db import operation
from .enquiry_errors import NotEnquiryDivision
from .events import Actor, record
from .lookup import get_hall
from .models import Enquiry, Hall, PublishedAnswer, ServiceItem, Staff
from .privacy import personal_data
from .qa_errors import InvalidAnswerField, InvalidQuery, NotPublishable, NotPublished, UnknownAnswer

QUESTION_MAX = 500
ANSWER_MAX = enquiries.BODY_MAX
QUERY_MAX = 100
LIMIT = 20
SNIPPET = 90  # characters of an answer shown under its question in the results
PUBLISHABLE_STATES = ("answered", "closed")


# -- publishing ---------------------------------------------------------------------------------

def _worker(session: Session, enquiry: Enquiry, actor: Actor) -> Staff:
    staff = session.get(Staff, actor.staff_id) if actor.staff_id else None
    if not enquiries.may_work(staff, enquiry):
        raise NotEnquiryDivision(division=enquiry.division.name_zh)
    assert staff is not None  # may_work is False without staff
    return staff


def _public_text(value: str | None, field: str, limit: int, enquiry: Enquiry) -> str:
    """The text as the public will read it: said, short enough, and naming nobody."""
    kept = texts.clean(value, multiline=True)
    if not kept or len(kept) > limit:
        raise InvalidAnswerField(field, max=limit)
    found = ("codes" if any(code.upper() in kept.upper()
                            for code in (enquiry.service_no, enquiry.access_code))
             else personal_data(kept, names=(enquiry.name,)))
    if found:
        raise InvalidAnswerField(field, personal=found)
    return kept


def draft(session: Session, enquiry: Enquiry) -> tuple[str, str]:
    """What the publishing form starts from: the published text if there is one, else the
    question as sent and the last answer, for staff to edit (they are not public yet)."""
    published = of_enquiry(session, enquiry)
    if published is not None:
        return published.question, published.answer
    answers = enquiries.answers(session, enquiry)
    question = f"{enquiry.subject}\n{enquiry.body}"
    return question[:QUESTION_MAX], answers[-1].body if answers else ""


def of_enquiry(session: Session, enquiry: Enquiry) -> PublishedAnswer | None:
    """The enquiry's published answer (live or withdrawn), if it was ever published."""
    return session.scalar(select(PublishedAnswer).where(PublishedAnswer.enquiry_id == enquiry.id))


@operation
def publish(session: Session, enquiry_id: int, *, question: str | None, answer: str | None,
            actor: Actor) -> PublishedAnswer:
    """Publish an answered question (or edit what is published) with the staff's text."""
    enquiry = enquiries.get_enquiry(session, enquiry_id)
    staff = _worker(session, enquiry, actor)
    if (enquiry.kind != "consultation" or enquiry.state not in PUBLISHABLE_STATES
            or not enquiries.answers(session, enquiry)):
        raise NotPublishable()
    asked = _public_text(question, "question", QUESTION_MAX, enquiry)
    said = _public_text(answer, "answer", ANSWER_MAX, enquiry)
    now = clock.now()
    row = of_enquiry(session, enquiry)
    edited = row is not None and row.live
    if row is None:
        row = PublishedAnswer(hall_id=enquiry.hall_id, enquiry_id=enquiry.id)
        session.add(row)
    row.topic_id, row.division_id = enquiry.topic_id, enquiry.division_id
    row.question, row.answer = asked, said
    row.published_at, row.published_by_id = now, staff.id
    row.withdrawn_at = row.withdrawn_by_id = None
    session.flush()
    qa_search.put(session, row.id, enquiry.hall.code, asked, said)
    _moved(session, enquiry.hall_id)
    record(session, enquiry.hall, "enquiry.published", actor=actor, enquiry=enquiry,
           answer=row.id, edited=edited)
    return row


@operation
def withdraw(session: Session, enquiry_id: int, *, actor: Actor) -> PublishedAnswer:
    """Take the enquiry's answer out of the public Q&A (it may be published again)."""
    enquiry = enquiries.get_enquiry(session, enquiry_id)
    staff = _worker(session, enquiry, actor)
    row = of_enquiry(session, enquiry)
    if row is None or not row.live:
        raise NotPublished()
    row.withdrawn_at, row.withdrawn_by_id = clock.now(), staff.id
    qa_search.drop(session, row.id)
    _moved(session, enquiry.hall_id)
    record(session, enquiry.hall, "enquiry.unpublished", actor=actor, enquiry=enquiry,
           answer=row.id)
    return row


def _moved(session: Session, hall_id: int) -> None:
    """The hall's Q&A changed: searches kept from before are not answered again."""
    session.execute(update(Hall).where(Hall.id == hall_id).values(qa_seq=Hall.qa_seq + 1))


# What a search of the hall depends on, besides the guide (which a kept search outlives by a
# minute at most: hall.web.cache.TTL): one indexed row, read before each search.
STAMP = select(Hall.qa_seq).where(Hall.code == bindparam("qa_hall"))


def stamp_of(row) -> tuple | None:
    """The stamp of the row ``STAMP`` read (None: no such hall)."""
    return None if row is None else (row[0],)


# -- reading ------------------------------------------------------------------------------------

def _live(hall: Hall):
    return (select(PublishedAnswer)
            .where(PublishedAnswer.hall_id == hall.id, PublishedAnswer.withdrawn_at.is_(None))
            .options(joinedload(PublishedAnswer.topic), joinedload(PublishedAnswer.division)))


def get_published(session: Session, hall: Hall, answer_id: int) -> PublishedAnswer:
    """One live answer of the hall (UnknownAnswer otherwise: withdrawn, another hall's)."""
    found = session.scalar(_live(hall).where(PublishedAnswer.id == answer_id))
    if found is None:
        raise UnknownAnswer()
    return found


def latest(session: Session, hall: Hall, limit: int = LIMIT) -> list[PublishedAnswer]:
    """The hall's answers published last, for the Q&A page before anything is searched."""
    return list(session.scalars(_live(hall).order_by(PublishedAnswer.published_at.desc(),
                                                     PublishedAnswer.id.desc()).limit(limit)))


def check_query(value: str | None) -> str:
    """A query as typed, refused when empty, too long or carrying control characters (a
    NUL byte among them)."""
    given = (value or "").strip()
    if not given or len(given) > QUERY_MAX or texts.has_invisible(given):
        raise InvalidQuery(max=QUERY_MAX)
    return given


@dataclass(frozen=True)
class Hit:
    """One search result: a published answer or a guide item, and how well it matches."""

    kind: str                        # "answer" | "guide"
    title: str                       # the question; the item's name
    snippet: str
    answer: PublishedAnswer | None = None
    item: GuideEntry | None = None
    terms: int = 0                   # how many of the query's terms it carries
    in_title: int = 0                # … of them in its title

    def as_json(self) -> dict:
        if self.answer is not None:
            return {"kind": "answer", "id": self.answer.id, "question": self.title,
                    "snippet": self.snippet, **_labels(self.answer)}
        assert self.item is not None
        return {"kind": "guide", "code": self.item.code, "name": self.item.name_zh,
                "name_en": self.item.name_en, "snippet": self.snippet}


def _labels(answer: PublishedAnswer) -> dict:
    topic, division = answer.topic, answer.division
    return {"topic": ({"code": topic.code, "name": topic.name_zh, "name_en": topic.name_en}
                      if topic else None),
            "division": {"code": division.code, "name": division.name_zh,
                         "name_en": division.name_en},
            "published_on": answer.published_at.date().isoformat()}


def answer_json(answer: PublishedAnswer) -> dict:
    """A published answer as the API gives it: its text and labels, nothing of the enquiry
    it came from (no service number, no asker)."""
    return {"id": answer.id, "question": answer.question, "answer": answer.answer,
            **_labels(answer)}


@dataclass(frozen=True)
class Results:
    query: str
    terms: tuple[str, ...]
    hits: list[Hit]


def snippet(text: str, terms: tuple[str, ...], size: int = SNIPPET) -> str:
    """A piece of ``text`` around the first term it carries (its start if none)."""
    flat = " ".join(text.split())
    low = qa_search.normalized(flat)
    at = min((low.find(t) for t in terms if t in low), default=0)
    start = max(0, at - size // 3)
    piece = flat[start:start + size]
    return ("…" if start else "") + piece + ("…" if start + size < len(flat) else "")


def _count(terms: tuple[str, ...], text: str) -> int:
    low = qa_search.normalized(text)
    return sum(1 for t in terms if t in low)


@dataclass(frozen=True)
class GuideEntry:
    """What a search reads of a guide item: its names and its text, as typed and compared."""

    code: str
    name_zh: str
    name_en: str | None
    body: str      # its documents and steps, in both languages, for the snippet
    name_low: str  # qa_search.normalized: what the terms are compared with
    all_low: str


def _guide(session: Session, hall: Hall) -> list[GuideEntry]:
    """The hall's active items as searched (a catalogue is a few dozen items: read whole).
    Their JSON lists come as text and each distinct row is decoded and folded once per
    process (``_entry``): decoding them on every search cost 7 ms of its 12."""
    rows = session.execute(
        select(ServiceItem.code, ServiceItem.name_zh, ServiceItem.name_en,
               cast(ServiceItem.documents, Text), cast(ServiceItem.procedure, Text))
        .where(ServiceItem.hall_id == hall.id, ServiceItem.active.is_(True))
        .order_by(ServiceItem.sort_order, ServiceItem.code))
    return [_entry(*row) for row in rows]


@functools.lru_cache(maxsize=4096)
def _entry(code: str, name_zh: str, name_en: str | None, documents: str | None,
           procedure: str | None) -> GuideEntry:
    name = f"{name_zh} {name_en}"
    lines = [*(json.loads(documents) if documents else []),
             *(json.loads(procedure) if procedure else [])]
    body = " ".join(row.get("zh", "") + " " + (row.get("en") or "")
                    for row in lines if isinstance(row, dict))
    return GuideEntry(code, name_zh, name_en, body, qa_search.normalized(name),
                      qa_search.normalized(f"{name} {body}"))


def _guide_hits(session: Session, hall: Hall, terms: tuple[str, ...]) -> list[Hit]:
    """The hall's active items carrying a term in their name or documents."""
    hits = []
    for entry in _guide(session, hall):
        matched = sum(1 for t in terms if t in entry.all_low)
        if matched:
            hits.append(Hit("guide", entry.name_zh, snippet(entry.body, terms), item=entry,
                            terms=matched, in_title=sum(1 for t in terms if t in entry.name_low)))
    return hits


def _answer_hits(session: Session, hall: Hall, terms: tuple[str, ...]) -> list[Hit]:
    ids = qa_search.matches(session, hall.code, qa_search.Query(terms))
    # By primary key alone, the hall and liveness checked here: with them in the WHERE the
    # planner walks the hall's live index (every answer of the hall) instead of the 60 ids,
    # 25 ms instead of 1 at 100,000 answers.
    found = session.scalars(select(PublishedAnswer).where(PublishedAnswer.id.in_(ids))
                            .options(joinedload(PublishedAnswer.topic),
                                     joinedload(PublishedAnswer.division)))
    rows = {a.id: a for a in found if a.hall_id == hall.id and a.live}
    return [Hit("answer", a.question, snippet(a.answer, terms), answer=a,
                terms=_count(terms, f"{a.question} {a.answer}"),
                in_title=_count(terms, a.question))
            for a in (rows[i] for i in ids if i in rows)]


def _ranked(hits: list[Hit]) -> list[Hit]:
    # sorted() keeps the index's order among equals (the stages, newest first)
    return sorted(hits, key=lambda h: (-h.terms, -h.in_title, h.kind != "guide"))


def search(session: Session, hall_code: str, query: str | None,
           limit: int = LIMIT) -> Results:
    """The hall's published answers and guide items for a query, best first."""
    hall = get_hall(session, hall_code)
    given = check_query(query)
    terms = qa_search.parse(given).terms
    hits = _ranked(_answer_hits(session, hall, terms) + _guide_hits(session, hall, terms))
    if not hits and any(len(t) > 2 for t in terms):
        # Nothing has a term whole (公务员报考条件): each pair of characters as a term,
        # keeping what carries half of them at least.
        pairs = tuple(dict.fromkeys(p for t in terms for p in _pairs(t)))[:2 * qa_search.MAX_TERMS]
        hits = [h for h in _ranked(_answer_hits(session, hall, pairs)
                                   + _guide_hits(session, hall, pairs))
                if 2 * h.terms >= len(pairs)]
    return Results(given, terms, hits[:limit])


def _pairs(term: str) -> list[str]:
    return [term[i:i + 2] for i in range(len(term) - 1)] if len(term) > 2 else [term]
