"""Uploaded files (网上申报的材料, 咨询的附件, 表格下载): one row per stored file, its bytes in the
storage back-end (``hall.storage``) under a random key, never under a name anybody typed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class StoredFile(Base):
    """A file a citizen or a member of staff handed in, belonging to one thing of the hall.

    ``owner`` says what kind of thing (``application``, ``enquiry``, ``form`` …: each part of
    the hall names its own) and ``owner_id`` which one; the owning part decides who of the
    staff may read it (``hall.files.register_owner``). ``original_name`` is for display only:
    the bytes live under ``storage_key``. A deleted file keeps its row (the audit trail) with
    ``deleted_at`` set; its bytes are gone."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    owner: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "citizen", or the label of the member of staff or job that stored it (as on its event)
    uploaded_by: Mapped[str] = mapped_column(String(60))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    retain_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_stored_files_owner", "owner", "owner_id"),
        Index("ix_stored_files_hall_created", "hall_id", "created_at"),
    )

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None
