"""Audit events (who, when, what, before, after), written in the same transaction as the change.

A refused access is audited by `registry.access.deny`, in a transaction of its own."""
from sqlalchemy import inspect

from registry import figures
from registry.access import Actor
from registry.extensions import db
from registry.models import AuditEvent, SearchOutbox
from registry.models.base import json_value

# Columns that never go into an audit snapshot: secrets, and full ID numbers in any form.
SECRET_COLUMNS = {"password_hash", "id_number_ciphertext", "id_number_hmac", "code_hmac", "address_hmac",
                  "totp_secret_ciphertext"}


def snapshot(record) -> dict:
    """The record's column values, JSON-ready, without secrets or full ID numbers, nor what the database derives
    from other records (`info={"derived": True}`: a project's firm's province)."""
    mapper = inspect(record).mapper
    return {
        column.key: json_value(getattr(record, column.key))
        for column in mapper.column_attrs
        if column.key not in SECRET_COLUMNS and not column.columns[0].info.get("derived")
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


def enqueue_for_index(record_type: str, record_id: int) -> None:
    """Ask the search index to refresh one document, in the same transaction as the change (the outbox); a
    firm's public figures are counted again before the transaction commits."""
    db.session.add(SearchOutbox(record_type=record_type, record_id=record_id))
    if record_type == "unit":
        figures.touch(db.session, [record_id])
