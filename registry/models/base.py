"""The declarative base: a naming convention so every constraint has a predictable name."""
from datetime import UTC, datetime

from sqlalchemy import MetaData
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


def in_list(column: str, codes) -> str:
    """A CHECK expression that keeps a code column within its code list."""
    return f"{column} IN ({', '.join(repr(code) for code in codes)})"
