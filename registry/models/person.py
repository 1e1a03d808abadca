"""Individuals (从业个人): the ID number encrypted with a keyed hash for lookup, and employment history."""
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy import UniqueConstraint, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UtcDateTime, utcnow
from registry.models.versions import RecordVersion


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True)  # random, never derived from the ID number
    id_number_hmac: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_masked: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str | None] = mapped_column(String(100))
    # set when a commitment with consent to publish is signed: basic info and performance are public from then
    commitment_signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    non_disclosure_reason: Mapped[str | None] = mapped_column(Text)
    non_disclosed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # False for a person a regulator's penalty decision created (Soil Law art. 90 reaches the unregistered): public
    # only through that penalty and marked 未登记; a firm adding the same ID number, once confirmed, claims it
    registered: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    employments: Mapped[list["Employment"]] = relationship(back_populates="person", order_by="Employment.started_on")

    __table_args__ = (
        CheckConstraint("length(id_number_masked) = 18", name="masked_length"),
        CheckConstraint("id_number_masked LIKE '%********%'", name="masked_hides_birth_date"),
    )

    @property
    def current_employment(self) -> "Employment | None":
        return next((e for e in reversed(self.employments) if e.ended_on is None), None)


class Employment(Base):
    """A person's employment at a firm; a move ends one row and starts another, nothing is deleted."""

    __tablename__ = "employment"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(100))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    # the (Beijing) day the firm entered the departure, when the firm entered it on its staff page: more than
    # twenty working days after `ended_on` breaks the commitment letter's promise
    end_entered_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="employments")
    unit: Mapped["Unit"] = relationship()  # noqa: F821

    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        # at most one current employment per person
        Index(
            "uq_employment_current_person",
            "person_id",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )


class PersonVersion(RecordVersion, Base):
    """A person's basic information as it was before a change."""

    __tablename__ = "person_version"
    record_key = "person_id"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)

    __table_args__ = (UniqueConstraint("person_id", "version"),)
