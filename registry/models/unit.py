"""Firms (从业单位): basic information, practice categories, and every earlier version of them."""
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UtcDateTime, in_list, utcnow
from registry.models.versions import RecordVersion
from registry.reference import CATEGORIES


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    established_on: Mapped[date | None] = mapped_column(Date)
    contact_phone: Mapped[str | None] = mapped_column(String(50))  # never public
    contact_email: Mapped[str | None] = mapped_column(String(200))  # never public
    # set when a commitment with consent to publish is signed: basic info and performance are public from then
    commitment_signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    non_disclosure_reason: Mapped[str | None] = mapped_column(Text)
    non_disclosed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the withholding authority's jurisdiction prefix (`37`, `3702`, `370211`): its withhold covers the firm's
    # basic information and that authority's own records only; NULL covers everything (an import's)
    non_disclosure_scope: Mapped[str | None] = mapped_column(String(6))
    # a self-registration is public at once but marked 单位自主填报，尚未核验 until the firm's regulator confirms it
    # against the business licence (who confirmed it is in the audit trail); a firm the authorities
    # imported is confirmed as it arrives
    registration_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # a registration suspended by the regulator (a squatted credit code, say) leaves every public surface
    registration_suspended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the firm declared that it has ceased business (注销) on this day: its records stay public as before, its
    # profile says so, and it adds no more projects
    ceased_on: Mapped[date | None] = mapped_column(Date)
    # False for a firm a regulator's penalty decision created (Soil Law art. 90 reaches the unregistered): public
    # only through that penalty and marked 未登记; registering the same credit code later claims the record
    registered: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    categories: Mapped[list["UnitCategory"]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="UnitCategory.category"
    )

    __table_args__ = (
        CheckConstraint("length(uscc) = 18", name="uscc_length"),
        CheckConstraint("length(division_code) = 6", name="division_code_length"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    @property
    def category_codes(self) -> list[str]:
        return [c.category for c in self.categories]


# The condition of `visibility.unit_basic_public` (tests/test_public_rules_agree.py holds them together): the
# firms whose basic information is public, by division. A search within a province reads its firms from this
# alone, without a row each (the firms of Jiangsu that do investigation, national scale: 15 ms through the
# division's index and each firm's row, 7 ms through this).
BASIC_PUBLIC = "commitment_signed_at IS NOT NULL AND non_disclosure_reason IS NULL AND registration_suspended_at IS NULL"
Index("ix_unit_public_division", Unit.division_code, Unit.id,
      sqlite_where=text(BASIC_PUBLIC), postgresql_where=text(BASIC_PUBLIC))
# The condition of `visibility.unit_basic_withheld`, the others: the few firms whose projects a parcel search
# cannot count as they stand (`queries.sql.public_projects_per_firm`), and the firms withheld among them.
BASIC_WITHHELD = "commitment_signed_at IS NULL OR non_disclosure_reason IS NOT NULL OR registration_suspended_at IS NOT NULL"
Index("ix_unit_basic_withheld", Unit.id, sqlite_where=text(BASIC_WITHHELD), postgresql_where=text(BASIC_WITHHELD))
WITHHELD = "non_disclosure_reason IS NOT NULL"
Index("ix_unit_withheld", Unit.id, sqlite_where=text(WITHHELD), postgresql_where=text(WITHHELD))


class UnitCategory(Base):
    """One practice category a firm declares (a row each, so a search filters in SQL)."""

    __tablename__ = "unit_category"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)  # indexed with the firm: below

    unit: Mapped[Unit] = relationship(back_populates="categories")

    __table_args__ = (CheckConstraint(in_list("category", CATEGORIES), name="category_known"),)


# a category's firms from the index alone (PostgreSQL reads no row of the table for a search by category)
Index("ix_unit_category_category", UnitCategory.category, UnitCategory.unit_id)


class UnitVersion(RecordVersion, Base):
    """A firm's basic information as it was before a change: corrections keep earlier versions."""

    __tablename__ = "unit_version"
    record_key = "unit_id"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    # the day the change that replaced this version happened, as the firm stated it, and the Beijing day it was
    # entered (the registry's `today()`; `replaced_at` is the instant). Entered more than twenty working days
    # later breaks the commitment letter's promise. Both are empty on versions replaced before the registry recorded those days.
    changed_on: Mapped[date | None] = mapped_column(Date)
    entered_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("unit_id", "version"),)
