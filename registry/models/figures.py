"""A firm's public figures, kept beside its records by the transaction that changes them (registry/figures.py)."""
from datetime import date

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base


class UnitFigures(Base):
    __tablename__ = "unit_figures"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    first_pass_passed: Mapped[int] = mapped_column(default=0)  # public first rounds passed
    first_pass_total: Mapped[int] = mapped_column(default=0)  # public first rounds
    first_pass_from: Mapped[date | None]  # the first and last day of a public first round
    first_pass_to: Mapped[date | None]
    on_time: Mapped[int] = mapped_column(default=0)  # projects counted that were completed by their deadline
    on_time_total: Mapped[int] = mapped_column(default=0)  # projects an on-time rate counts (any finding's day)
    on_time_from: Mapped[date | None]  # the first and last completion day of the projects counted
    on_time_to: Mapped[date | None]
    projects: Mapped[int] = mapped_column(default=0)  # public projects
    findings: Mapped[int] = mapped_column(default=0)  # public substantiated false-performance findings
    latest_finding_on: Mapped[date | None]  # the latest day one of them was verified


class UnitReviewYear(Base):
    """A firm's public review outcomes of one year (every round), as its profile's chart shows them."""

    __tablename__ = "unit_review_year"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    passed: Mapped[int]
    total: Mapped[int]


class UnitRoleHolder(Base):
    """A person who held a role on a firm's public projects, and on how many, as the firm's key-staff list counts
    them (registry/queries/staff.py). Whether the person's own information is public is the list's to test."""

    __tablename__ = "unit_role_holder"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(primary_key=True)
    projects: Mapped[int]  # the firm's public projects the person held any role on
