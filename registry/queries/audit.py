"""The audit trail of one record, as a regulator reads it: who, when, what, and what changed."""
from dataclasses import dataclass

from sqlalchemy import select

from registry.extensions import db
from registry.models import AuditEvent

PER_PAGE = 50
# Never shown in a trail, even to a regulator: the trail is for what changed, not for secrets.
HIDDEN_KEYS = {"password_hash", "id_number_ciphertext", "id_number_hmac", "code_hmac", "address_hmac"}


@dataclass
class Change:
    field: str
    before: object
    after: object


def changes(before: dict | None, after: dict | None) -> list[Change]:
    """The fields whose values differ between two snapshots (all of `after` for a creation)."""
    before, after = before or {}, after or {}
    keys = [k for k in list(after) + [k for k in before if k not in after] if k not in HIDDEN_KEYS]
    return [Change(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def record_trail(record_type: str, record_id: int, page: int = 1):
    """The audit events of one record, newest first, paginated, each with its field changes."""
    statement = (select(AuditEvent)
                 .where(AuditEvent.record_type == record_type, AuditEvent.record_id == record_id)
                 .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    result = db.paginate(statement, page=max(page, 1), per_page=PER_PAGE, error_out=False)
    return result, [(event, changes(event.before, event.after)) for event in result.items]
