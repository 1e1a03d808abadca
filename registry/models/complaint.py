"""False-performance complaints (虚假业绩举报) and their verification. The complainant is never public."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UtcDateTime, in_list, utcnow
from registry.reference import COMPLAINT_STATUSES


class Complaint(Base):
    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)  # also the complainant's receipt number
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="received", index=True)
    description: Mapped[str | None] = mapped_column(Text)
    verified_on: Mapped[date | None] = mapped_column(Date)
    finding: Mapped[str | None] = mapped_column(Text)
    authority: Mapped[str | None] = mapped_column(String(200))
    authority_division_code: Mapped[str | None] = mapped_column(String(6), index=True)
    complainant_name: Mapped[str | None] = mapped_column(String(100))  # never public
    complainant_contact: Mapped[str | None] = mapped_column(String(200))  # never public
    # keyed hash of the single-use token of the public form that filed it: a replayed POST finds it again
    form_token_hmac: Mapped[str | None] = mapped_column(String(64), unique=True)
    handled_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    non_disclosure_reason: Mapped[str | None] = mapped_column(Text)
    non_disclosed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    project: Mapped["Project"] = relationship()  # noqa: F821

    __table_args__ = (
        CheckConstraint(in_list("status", COMPLAINT_STATUSES), name="status_known"),
        CheckConstraint(
            "status NOT IN ('substantiated', 'unsubstantiated') OR verified_on IS NOT NULL", name="verified_has_date"
        ),
        CheckConstraint("verified_on IS NULL OR verified_on >= received_on", name="verified_after_received"),
    )


class RateLimitHit(Base):
    """One request counted against a per-address limit (complaint filing, public search), across workers."""

    __tablename__ = "rate_limit_hit"

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(40))
    address_hmac: Mapped[str] = mapped_column(String(64))  # keyed hash: no raw IP kept
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
