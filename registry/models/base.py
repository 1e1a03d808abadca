"""The declarative base: a naming convention so every constraint has a predictable name."""
import json
from datetime import UTC, date, datetime
from decimal import Decimal

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


_PLAIN = frozenset({str, int, float, bool, type(None)})


def json_value(value):
    """A column's value as JSON holds it: dates and times in ISO 8601, decimals as strings, bytes (secrets) as
    null; any other value as it is."""
    if type(value) in _PLAIN:  # most values, at once (an import calls this for every value it writes)
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    return value


def _json_default(value):
    converted = json_value(value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return converted


# one encoder for every value: `json.dumps` with a `default` builds a new encoder on each call, which cost as much
# as the encoding of an import's audit row (13.2 µs a row through `json.dumps`, 8.0 through this one)
_ENCODER = json.JSONEncoder(default=_json_default)


def json_text(value) -> str:
    """The text of a JSON column (the engine's serializer): column values in it as `json_value` gives them, so a
    bulk write hands its rows over as they are (json's C encoder calls back only for dates and decimals)."""
    return _ENCODER.encode(value)


def utcnow() -> datetime:
    """Now, in UTC, as an aware timestamp (a callable default: per row in Core's inserts, once a statement in
    the import's bulk path, `registry/exchange/bulk.py`)."""
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
