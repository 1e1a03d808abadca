"""Every write goes through a service: one function per use case, one transaction per call.

A service takes the acting account (an `Actor`), checks permissions and invariants, writes, and records its
audit event in the same transaction. `@service` opens the write transaction (BEGIN IMMEDIATE on SQLite),
commits on success and rolls back on any error, so a rejected request or a crash leaves nothing half-written.
A refused access is rolled back, then audited in a transaction of its own.
"""
from functools import wraps

from flask import current_app
from sqlalchemy.exc import IntegrityError

from registry.access import AccessDenied, deny
from registry.database import begin_write
from registry.extensions import db
from registry.rules.errors import RuleViolation


def service(fn):
    """Run `fn` as one unit of work; nested services join the outer one."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        session = db.session()
        if session.info.get("in_service"):
            return fn(*args, **kwargs)
        begin_write()
        session.info["in_service"] = True
        try:
            result = fn(*args, **kwargs)
            session.commit()
        except AccessDenied as denial:
            session.rollback()
            deny(denial)
            raise
        except IntegrityError:
            session.rollback()
            raise RuleViolation(
                "record", "该记录已存在或与已有记录冲突", "this record already exists or conflicts with another"
            ) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.info["in_service"] = False
        for callback in current_app.extensions.get("after_write_commit", []):
            callback()
        return result

    return wrapper
