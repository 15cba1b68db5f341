"""The public Q&A of a hall (智能问答 in its honest form): answered questions that a division
published, edited and anonymised, for anyone to search beside the service guide.

A published answer is its own text, not the enquiry's: the question and the answer as the
division edited them (no name, ID, phone or matter of anyone), tied to the enquiry it came
from so that it is published once and withdrawn by the division that owns it.

The search index is not a table of these models: it is built by the migration for each
database (an FTS5 table on SQLite, a tsvector table with its GIN index on PostgreSQL) and kept
by ``hall.qa_search``; ``SEARCH_INDEX`` names it so that the comparison of the models with the
migrated schema leaves it out.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .enquiries import Enquiry, EnquiryTopic
from .org import Division, Hall

SEARCH_INDEX = "qa_index"  # and, on SQLite, FTS5's own tables qa_index_data, qa_index_idx…
_LIVE = "withdrawn_at IS NULL"


def outside_models(name: str | None) -> bool:
    """Whether a table of the database is the search index (left out of model comparisons)."""
    return bool(name) and (name == SEARCH_INDEX or str(name).startswith(SEARCH_INDEX + "_"))


class PublishedAnswer(Base):
    __tablename__ = "published_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    # Published once: publishing again edits it; a withdrawn one may be published again.
    enquiry_id: Mapped[int] = mapped_column(ForeignKey("enquiries.id"), unique=True)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("enquiry_topics.id"))
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"))
    question: Mapped[str] = mapped_column(String(500))
    answer: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    hall: Mapped[Hall] = relationship()
    enquiry: Mapped[Enquiry] = relationship()
    topic: Mapped[EnquiryTopic | None] = relationship()
    division: Mapped[Division] = relationship()

    __table_args__ = (
        # The hall's Q&A page without a query: its latest answers.
        Index("ix_published_answers_hall_live", "hall_id", "published_at",
              sqlite_where=text(_LIVE), postgresql_where=text(_LIVE)),
    )

    @property
    def live(self) -> bool:
        return self.withdrawn_at is None
