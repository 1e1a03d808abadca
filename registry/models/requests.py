"""What a request that the competent regulator decides holds, whatever it asks: a firm's correction of a locked
project field (ProjectCorrection) and a subject's correction of an authority's record (RecordCorrection)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from registry.models.base import UtcDateTime, utcnow

CORRECTION_STATUSES = ("pending", "accepted", "refused")


class CorrectionRequest:
    """The columns every correction request shares: its status, who asked and when, and who decided, when and
    with which note. Each table adds what is asked and a check that the status is one of CORRECTION_STATUSES."""

    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def requested_by_account_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("account.id"))

    @declared_attr
    def decided_by_account_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("account.id"))
