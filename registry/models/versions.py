"""Earlier versions of firms, persons and projects: each change keeps the record as it was in a row of its
history table (UnitVersion, PersonVersion, ProjectVersion), and the record's `version` counts on from there."""
from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from registry.models.base import UtcDateTime, utcnow


class RecordVersion:
    """The columns every history table shares: which version this was, the record's data as it was, and when and
    by whom it was replaced. Each table adds the key of its record (`record_key`) and any detail of its own."""

    record_key: ClassVar[str]

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]
    data: Mapped[dict] = mapped_column(JSON)
    replaced_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    @declared_attr
    def replaced_by_account_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("account.id"))


def next_version(record, history: type[RecordVersion], data: dict, *, replaced_by_account_id: int | None = None,
                 **details) -> RecordVersion:
    """Number `record` (a Unit, Person or Project) one version later, and return the row of `history` that keeps
    `data`, the record as it was, under the version it leaves; the caller adds that row to its session."""
    earlier = history(**{history.record_key: record.id}, version=record.version, data=data,
                      replaced_by_account_id=replaced_by_account_id, **details)
    record.version += 1
    return earlier
