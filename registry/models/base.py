"""The declarative base: a naming convention so every constraint has a predictable name."""
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData
from sqlalchemy.types import TypeDecorator
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Now, in UTC, as an aware timestamp (a callable default, evaluated per row)."""
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive timestamps; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def in_list(column: str, codes) -> str:
    """A CHECK expression that keeps a code column within its code list."""
    return f"{column} IN ({', '.join(repr(code) for code in codes)})"


class UtcDateTime(TypeDecorator):
    """An aware timestamp stored in UTC. SQLite keeps no offset: without this, 09:30+08:00 would read back
    as 09:30 and be taken for UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
