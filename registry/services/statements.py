"""Statements by the subject (当事人说明): a firm or person attaches a short statement to a public record about
itself (a review outcome, a penalty, a verified finding). Each save adds a version and a withdrawal adds a version
without text, so every earlier version is kept (the database refuses to change or delete one)."""
from sqlalchemy import func, select

from registry.access import Actor, owning_division, require_subject, subject_of
from registry.extensions import db
from registry.models import Statement
from registry.rules.errors import RuleViolation
from registry.rules.statements import check_statement
from registry.services import service
from registry.services.audit import record_event


def current_statement(record_type: str, record_id: int) -> Statement | None:
    """The latest version of the statement on a record (its text None when withdrawn), or None."""
    return db.session.scalar(select(Statement).where(Statement.record_type == record_type,
                                                     Statement.record_id == record_id)
                             .order_by(Statement.version.desc()).limit(1))


def _add_version(actor: Actor, record_type: str, record, text: str | None) -> Statement:
    last = db.session.scalar(select(func.max(Statement.version)).where(
        Statement.record_type == record_type, Statement.record_id == record.id)) or 0
    unit_id, person_id = subject_of(record)
    statement = Statement(record_type=record_type, record_id=record.id, version=last + 1, text=text,
                          unit_id=unit_id, person_id=person_id, written_by_account_id=actor.account_id)
    db.session.add(statement)
    db.session.flush()
    record_event(actor, "statement_withdrawn" if text is None else "statement_saved", statement,
                 after={"record_type": record_type, "record_id": record.id, "version": statement.version,
                        "text": text}, division_code=owning_division(record))
    return statement


@service
def save_statement(actor: Actor, record_type: str, record_id: int, text: str) -> Statement:
    """The subject's statement on a record about itself, as a new version (the earlier ones are kept)."""
    record = require_subject(actor, "write statement", record_type, record_id)
    text = check_statement(text)
    current = current_statement(record_type, record.id)
    if current is not None and current.text == text:
        raise RuleViolation("text", "说明内容没有改变", "the statement is unchanged")
    return _add_version(actor, record_type, record, text)


@service
def withdraw_statement(actor: Actor, record_type: str, record_id: int) -> Statement:
    """Withdraw the subject's statement: a version without text, so the public no longer sees one."""
    record = require_subject(actor, "withdraw statement", record_type, record_id)
    current = current_statement(record_type, record.id)
    if current is None or current.text is None:
        raise RuleViolation("text", "这条记录没有可以撤回的说明", "there is no statement on this record to withdraw")
    return _add_version(actor, record_type, record, None)
