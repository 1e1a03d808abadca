"""Issuing a credit report (信用报告): the public's second write after the complaint.

The report's content is read by the caller's read (a function of `registry.queries.credit_reports`, handed in so
that this service imports no reads) inside this service's transaction, after the rate limit has been checked:
an address over its limit costs no read of a large firm's record. The report is stored once, with the SHA-256
of its canonical content, and never changed: there is no update or delete here, and the database refuses both.
Issuing is rate-limited per client address, counted in the database (so the limit holds across workers) under a
keyed hash of the address, as complaint filing is.
"""
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from registry.access import Actor
from registry.extensions import db
from registry.models import CreditReport, RateLimitHit
from registry.rules.credit_reports import (
    canonical_json, check_purpose, content_digest, new_report_number, valid_until,
)
from registry.rules.errors import RuleViolation
from registry.services import service
from registry.services.audit import record_event

BUCKET = "credit_report"


class RateLimited(RuleViolation):
    """Too many reports issued to one address within the hour."""

    def __init__(self):
        super().__init__("purpose", "您在一小时内出具的信用报告过多，请稍后再试",
                         "too many reports issued to your address within an hour; please try again later")


def address_hash(address: str | None) -> str:
    """The keyed hash under which an address is counted (no raw address is kept)."""
    return current_app.extensions["id_vault"].keyed_hash(f"report-addr:{address or 'unknown'}")


@service
def issue_credit_report(actor: Actor, read_content: Callable, *, purpose: str | None = None,
                        address: str | None = None) -> CreditReport:
    """Issue a report of what `read_content()` returns (a `ReportContent`, or None when the subject is not
    listed); returns the stored report."""
    purpose = check_purpose(purpose)
    hashed = address_hash(address)
    since = datetime.now(UTC) - timedelta(hours=1)
    recent = db.session.scalar(select(func.count()).select_from(RateLimitHit).where(
        RateLimitHit.bucket == BUCKET, RateLimitHit.address_hmac == hashed, RateLimitHit.at >= since))
    if recent >= current_app.config["REPORTS_PER_ADDRESS_PER_HOUR"]:
        raise RateLimited()
    read = read_content()
    if read is None:
        raise RuleViolation("subject", "没有这个公开的从业单位或个人", "no such public firm or person")
    canonical = canonical_json(read.content)
    report = CreditReport(
        number=new_report_number(), subject_kind=read.subject_kind,
        unit_id=read.subject_id if read.subject_kind == "unit" else None,
        person_id=read.subject_id if read.subject_kind == "person" else None,
        as_of=read.as_of, valid_until=valid_until(read.as_of), purpose=purpose, content=canonical,
        content_sha256=content_digest(canonical), data_generation=read.data_generation)
    db.session.add(report)
    db.session.add(RateLimitHit(bucket=BUCKET, address_hmac=hashed))
    record_event(actor, "credit_report_issued", report,
                 after={"number": report.number, "subject_kind": report.subject_kind, "as_of": report.as_of.isoformat(),
                        "content_sha256": report.content_sha256, "with_purpose": purpose is not None})
    return report
