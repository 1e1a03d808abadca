"""Issued credit reports (信用报告): kept append-only, each with the canonical JSON of exactly what it shows and
the SHA-256 of that text, so the verify page can say whether a report is genuine. The database refuses UPDATE
and DELETE (a trigger on SQLite and PostgreSQL), and no code path changes a stored report."""
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, UtcDateTime, in_list, utcnow
from registry.rules.credit_reports import SUBJECT_KINDS


class CreditReport(Base):
    __tablename__ = "credit_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # random: XYBG-7K3M-Q9PD-4HXA-2TZW
    subject_kind: Mapped[str] = mapped_column(String(10))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    as_of: Mapped[date] = mapped_column(Date)  # the Beijing date the content is public on
    valid_until: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str | None] = mapped_column(String(100))  # 用于：招标项目名称, as the visitor typed it
    content: Mapped[str] = mapped_column(Text)  # canonical JSON of what the report shows
    content_sha256: Mapped[str] = mapped_column(String(64))
    data_generation: Mapped[int] = mapped_column(BigInteger)  # the data generation the content was read at

    __table_args__ = (
        CheckConstraint(in_list("subject_kind", SUBJECT_KINDS), name="subject_kind_known"),
        CheckConstraint("(subject_kind = 'unit' AND unit_id IS NOT NULL AND person_id IS NULL) OR "
                        "(subject_kind = 'person' AND person_id IS NOT NULL AND unit_id IS NULL)",
                        name="one_subject"),
        CheckConstraint("valid_until >= as_of", name="valid_after_as_of"),
    )
