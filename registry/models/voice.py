"""The subject's voice: statements (当事人说明) a firm or person attaches to a public record about itself, kept
append-only, and requests to correct an authority's record (a review outcome, a penalty, a finding), which the
competent regulator accepts or refuses."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, UtcDateTime, in_list, utcnow
from registry.models.requests import CORRECTION_STATUSES, CorrectionRequest
from registry.rules.statements import RECORD_TYPES, STATEMENT_MAX

ONE_SUBJECT = "(unit_id IS NULL) <> (person_id IS NULL)"


class Statement(Base):
    """One version of a subject's statement on a record: each save adds a version, a withdrawal is a version
    without text; the latest version is what the public sees. The database refuses UPDATE and DELETE."""

    __tablename__ = "statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(10))
    record_id: Mapped[int]
    version: Mapped[int]
    text: Mapped[str | None] = mapped_column(Text)  # None: withdrawn
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)  # the subject
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    written_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("record_type", "record_id", "version"),
        CheckConstraint(in_list("record_type", RECORD_TYPES), name="record_type_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(f"text IS NULL OR length(text) <= {STATEMENT_MAX}", name="text_length"),
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
    )


class RecordCorrection(CorrectionRequest, Base):
    """A subject's request to correct an authority's record, with its grounds. The competent regulator (of the
    division that owns the record, `access.owning_division`) accepts it by entering the corrected values (the
    record as it was is kept in `earlier`) or refuses it with a reason the requester reads."""

    __tablename__ = "record_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(10))
    record_id: Mapped[int]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)  # the subject
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    division_code: Mapped[str | None] = mapped_column(String(6), index=True)  # the competent authority's
    grounds: Mapped[str] = mapped_column(Text)
    earlier: Mapped[dict | None] = mapped_column(JSON)  # the record as it was before an accepted correction
    corrected: Mapped[dict | None] = mapped_column(JSON)  # the values the regulator entered

    __table_args__ = (
        CheckConstraint(in_list("record_type", RECORD_TYPES), name="record_type_known"),
        CheckConstraint(in_list("status", CORRECTION_STATUSES), name="status_known"),
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
        # one pending request per record at a time
        Index("uq_record_correction_pending", "record_type", "record_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )
