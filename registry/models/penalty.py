"""Administrative penalties (行政处罚), with the fields of the national "double publicity" template,
practice bans (Soil Law art. 90) and credit repair."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UtcDateTime, in_list, utcnow
from registry.reference import SEVERITIES


class Penalty(Base):
    __tablename__ = "penalty"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_number: Mapped[str] = mapped_column(String(100), unique=True)  # 行政处罚决定书文号
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # the party as decided: a later rename or change of representative does not change a published decision
    party_name: Mapped[str | None] = mapped_column(String(200))
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    id_type: Mapped[str | None] = mapped_column(String(30))  # a person's: resident_id_card
    authority: Mapped[str] = mapped_column(String(200))
    authority_division_code: Mapped[str | None] = mapped_column(String(6), index=True)
    authority_uscc: Mapped[str | None] = mapped_column(String(18))
    decided_on: Mapped[date] = mapped_column(Date)
    kinds: Mapped[list[str]] = mapped_column(JSON)
    severity: Mapped[str] = mapped_column(String(10), default="ordinary")
    violation_type: Mapped[str | None] = mapped_column(String(200))
    violation: Mapped[str | None] = mapped_column(Text)  # the facts
    basis: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str | None] = mapped_column(Text)
    fine_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    confiscated_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    licence_action: Mapped[str | None] = mapped_column(String(200))
    ban_until: Mapped[date | None] = mapped_column(Date)
    ban_lifetime: Mapped[bool] = mapped_column(Boolean, default=False)  # a person's: the decision found a crime
    ban_categories: Mapped[list[str] | None] = mapped_column(JSON)  # a firm's banned business; None: all of its own
    publicity_ends_on: Mapped[date] = mapped_column(Date)
    repaired_on: Mapped[date | None] = mapped_column(Date)
    repaired_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    data_source: Mapped[str | None] = mapped_column(String(200))
    recorded_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    non_disclosure_reason: Mapped[str | None] = mapped_column(Text)
    non_disclosed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    unit: Mapped["Unit | None"] = relationship()  # noqa: F821
    person: Mapped["Person | None"] = relationship()  # noqa: F821

    __table_args__ = (
        CheckConstraint("(unit_id IS NULL) <> (person_id IS NULL)", name="one_subject"),
        CheckConstraint(in_list("severity", SEVERITIES), name="severity_known"),
        CheckConstraint("NOT (ban_lifetime AND ban_until IS NOT NULL)", name="ban_until_or_lifetime"),
        CheckConstraint("ban_until IS NULL OR ban_until >= decided_on", name="ban_after_decision"),
        CheckConstraint("publicity_ends_on >= decided_on", name="publicity_after_decision"),
        CheckConstraint("repaired_on IS NULL OR repaired_on >= decided_on", name="repair_after_decision"),
        CheckConstraint("fine_yuan IS NULL OR fine_yuan >= 0", name="fine_not_negative"),
        CheckConstraint("confiscated_yuan IS NULL OR confiscated_yuan >= 0", name="confiscated_not_negative"),
    )

    @property
    def has_ban(self) -> bool:
        return self.ban_lifetime or self.ban_until is not None
