"""A firm's public figures, kept beside its records by the transaction that changes them (registry/figures.py)."""
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base


class UnitFigures(Base):
    __tablename__ = "unit_figures"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    first_pass_passed: Mapped[int] = mapped_column(default=0)  # public first rounds passed
    first_pass_total: Mapped[int] = mapped_column(default=0)  # public first rounds
    projects: Mapped[int] = mapped_column(default=0)  # public projects
    findings: Mapped[int] = mapped_column(default=0)  # public substantiated false-performance findings
