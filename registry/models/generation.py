"""The data generation: one row whose number every writing transaction bumps (registry/generation.py)."""
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, UtcDateTime


class DataGeneration(Base):
    __tablename__ = "data_generation"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1: the one row
    number: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)
