"""The audit log: who did what to which record, before and after. The database refuses UPDATE and DELETE."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, UtcDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200))  # a label that survives account changes ("system", "import")
    action: Mapped[str] = mapped_column(String(60), index=True)
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[int | None]
    division_code: Mapped[str | None] = mapped_column(String(6))  # where the record lies, for regulators' views
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    detail: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(45))

    __table_args__ = (Index("ix_audit_event_record", "record_type", "record_id"),)
