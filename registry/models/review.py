"""Report-review outcomes (相关报告评审信息): one outcome per report type, project and round."""
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UtcDateTime, in_list, utcnow
from registry.reference import REPORT_TYPES


class Review(Base):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int]  # looked up through the unique constraint's index, which leads with it
    # the project's firm, kept by the database: the key below names the project and its firm together, and a
    # project moved to another firm moves its reviews with it (ON UPDATE CASCADE). A firm's outcomes newest first
    # are a walk of ix_review_firm_newest that stops at the page, where through the projects every outcome of a
    # firm of 2,000 projects was read and sorted (2,700; national PostgreSQL, 7 ms of its profile's 44)
    unit_id: Mapped[int]
    report_type: Mapped[str] = mapped_column(String(40))
    round: Mapped[int]
    reviewed_on: Mapped[date] = mapped_column(Date)
    passed: Mapped[bool] = mapped_column(Boolean)
    authority: Mapped[str | None] = mapped_column(String(200))
    authority_division_code: Mapped[str | None] = mapped_column(String(6), index=True)
    recorded_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    non_disclosure_reason: Mapped[str | None] = mapped_column(Text)
    non_disclosed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    project: Mapped["Project"] = relationship()  # noqa: F821

    __table_args__ = (
        UniqueConstraint("project_id", "report_type", "round"),
        ForeignKeyConstraint(["project_id", "unit_id"], ["project.id", "project.unit_id"], onupdate="CASCADE"),
        Index("ix_review_firm_newest", "unit_id", "reviewed_on", "id"),
        CheckConstraint("round >= 1", name="round_positive"),
        CheckConstraint(in_list("report_type", REPORT_TYPES), name="report_type_known"),
    )
