"""Credit-repair applications (信用修复申请): what the party applied for, on which grounds and with which
materials, and the regulator's decision: granted (the penalty leaves public view that day) or refused with a
reason. Every application is kept."""
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UtcDateTime, in_list, utcnow

REPAIR_STATUSES = ("pending", "granted", "refused")


class RepairApplication(Base):
    __tablename__ = "repair_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    penalty_id: Mapped[int] = mapped_column(ForeignKey("penalty.id"), index=True)
    applied_on: Mapped[date] = mapped_column(Date)
    grounds: Mapped[str] = mapped_column(Text)
    materials: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_on: Mapped[date | None] = mapped_column(Date)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    recorded_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    decided_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    penalty: Mapped["Penalty"] = relationship()  # noqa: F821

    __table_args__ = (
        CheckConstraint(in_list("status", REPAIR_STATUSES), name="status_known"),
        CheckConstraint("(status = 'pending') = (decided_on IS NULL)", name="decided_unless_pending"),
        CheckConstraint("status <> 'refused' OR refusal_reason IS NOT NULL", name="refusal_has_reason"),
    )
