"""Commitment letters (承诺书): the versioned text, and each signature with its separate consent to publish."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, UtcDateTime, in_list, utcnow


class CommitmentText(Base):
    """One version of the letter; a new version asks every signer for a new signature."""

    __tablename__ = "commitment_text"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    consent_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Commitment(Base):
    """A signature by a firm or a person. `consent_to_publish` is its own tick (PIPL art. 25)."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    text_version: Mapped[int | None] = mapped_column(ForeignKey("commitment_text.version"))  # None: imported
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    signer: Mapped[str] = mapped_column(String(100))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ip: Mapped[str | None] = mapped_column(String(45))
    truthfulness: Mapped[bool] = mapped_column(Boolean)
    consent_to_publish: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(10), default="portal")
    signed_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))

    __table_args__ = (
        CheckConstraint("(unit_id IS NULL) <> (person_id IS NULL)", name="one_subject"),
        CheckConstraint(in_list("source", ["portal", "import"]), name="source_known"),
        CheckConstraint("truthfulness", name="truthfulness_given"),
    )
