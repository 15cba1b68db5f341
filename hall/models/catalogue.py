"""The service catalogue: each item with its published service guide (办事指南)."""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .org import Division, Hall


class ServiceItem(Base):
    """A kind of business in a hall's catalogue (事项), with its service commitment (服务承诺)."""

    __tablename__ = "service_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    # Queue numbers of this item start with this letter; items may share a letter, and then
    # they share one count for the day.
    prefix: Mapped[str] = mapped_column(String(1))
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(160))
    division_id: Mapped[int | None] = mapped_column(ForeignKey("divisions.id"))
    # Promised time limit (承诺时限) in working days, used for case deadlines; 0 means the item
    # is finished at the window (即办件). The legal limit (法定时限) is published beside it.
    time_limit_days: Mapped[int] = mapped_column(Integer, default=0)
    legal_limit_days: Mapped[int] = mapped_column(Integer, default=0)
    # Usual minutes at the window, the estimate used before the hall has its own figures.
    standard_minutes: Mapped[int] = mapped_column(Integer, default=10)
    # [{"zh": "居民身份证原件及复印件", "en": "Resident ID card, original and copy"}, ...]
    documents: Mapped[list] = mapped_column(JSON, default=list)
    procedure: Mapped[list] = mapped_column(JSON, default=list)
    fees_zh: Mapped[str] = mapped_column(String(200), default="不收费")
    fees_en: Mapped[str] = mapped_column(String(240), default="Free of charge")
    legal_basis_zh: Mapped[str | None] = mapped_column(Text)
    legal_basis_en: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # Its decided cases are listed in the open (办理结果公开), the applicant masked: only where
    # the law says the results are public (e.g. professional titles, recruitment).
    results_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Applied for online (网上申报, ``hall.applications``): the form's fields, each
    # {"name", "zh", "en", "kind": text|number|date|id_no|phone, "required", "max"}; every
    # document of ``documents`` is uploaded.
    apply_online: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    apply_fields: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")

    hall: Mapped[Hall] = relationship()
    division: Mapped[Division | None] = relationship()

    __table_args__ = (
        UniqueConstraint("hall_id", "code"),
        # No I or O: on a ticket they are read as 1 and 0.
        CheckConstraint(
            "prefix IN ('A','B','C','D','E','F','G','H','J','K','L','M','N','P','Q','R','S',"
            "'T','U','V','W','X','Y','Z')",
            name="prefix_letter",
        ),
        CheckConstraint("time_limit_days >= 0 AND legal_limit_days >= time_limit_days",
                        name="time_limits"),
        CheckConstraint("standard_minutes > 0", name="standard_minutes_positive"),
    )

    def name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") else self.name_zh
