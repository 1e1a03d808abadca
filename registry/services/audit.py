"""Audit events (who, when, what, before, after), written in the same transaction as the change."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect

from registry.database import begin_write
from registry.extensions import db
from registry.models import AuditEvent, SearchOutbox

# Columns that never go into an audit snapshot: secrets, and full ID numbers in any form.
SECRET_COLUMNS = {"password_hash", "id_number_ciphertext", "id_number_hmac", "code_hmac", "address_hmac",
                  "totp_secret_ciphertext"}


@dataclass(frozen=True)
class Actor:
    """Who acts: an account, or the system (import, demo, command line)."""

    account_id: int | None
    label: str
    role: str = "system"
    unit_id: int | None = None
    person_id: int | None = None
    division_code: str | None = None
    authority_name: str | None = None
    ip: str | None = None

    @classmethod
    def of(cls, account, ip: str | None = None) -> "Actor":
        return cls(
            account_id=account.id,
            label=account.username,
            role=account.role,
            unit_id=account.unit_id,
            person_id=account.person_id,
            division_code=account.division_code,
            authority_name=account.authority_name,
            ip=ip,
        )


SYSTEM = Actor(account_id=None, label="system")


class AccessDenied(Exception):
    """The actor may not touch this record: 404 for practitioners (no existence leak), 403 for regulators."""

    def __init__(self, actor: Actor, action: str, record_type: str | None, record_id, status: int = 403,
                 division_code: str | None = None):
        super().__init__(f"{actor.label} may not {action} {record_type} {record_id}")
        self.actor, self.action, self.status = actor, action, status
        self.record_type, self.record_id, self.division_code = record_type, record_id, division_code


def json_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    return value


def snapshot(record) -> dict:
    """The record's column values, JSON-ready, without secrets or full ID numbers."""
    mapper = inspect(record).mapper
    return {
        column.key: json_value(getattr(record, column.key))
        for column in mapper.column_attrs
        if column.key not in SECRET_COLUMNS
    }


def record_event(actor: Actor, action: str, record=None, *, before: dict | None = None, after: dict | None = None,
                 division_code: str | None = None, detail: str | None = None) -> AuditEvent:
    """Add an audit event for `record` to the current transaction."""
    if record is not None:
        db.session.flush()
    event = AuditEvent(
        actor_account_id=actor.account_id,
        actor=actor.label,
        action=action,
        record_type=record.__tablename__ if record is not None else None,
        record_id=record.id if record is not None else None,
        division_code=division_code or getattr(record, "division_code", None),
        before=before,
        after=after,
        detail=detail,
        ip=actor.ip,
    )
    db.session.add(event)
    return event


def record_denial(denial: AccessDenied) -> None:
    """Audit a refused access in a transaction of its own (the refused work was rolled back)."""
    begin_write()
    db.session.add(AuditEvent(
        actor_account_id=denial.actor.account_id,
        actor=denial.actor.label,
        action="access_denied",
        record_type=denial.record_type,
        # a tampered id beyond the database's integers names no record (and would not fit the column)
        record_id=denial.record_id if isinstance(denial.record_id, int) and 0 < denial.record_id < 2**31 else None,
        division_code=denial.division_code,
        detail=f"{denial.action} refused ({denial.status})",
        ip=denial.actor.ip,
    ))
    db.session.commit()


def enqueue_for_index(record_type: str, record_id: int) -> None:
    """Ask the search index to refresh one document, in the same transaction as the change (the outbox)."""
    db.session.add(SearchOutbox(record_type=record_type, record_id=record_id))
