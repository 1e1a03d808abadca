"""The public's false-performance complaints (虚假业绩举报): anyone may file one about a public project.

The complaint goes to the regulator of the project's jurisdiction (its division code); the receipt number is
the complaint's `ref`. The complainant's identity and contact stay confidential (Soil Law art. 84): they are
kept for the verifying authority only and never appear in an audit snapshot or a public surface. Filing is
rate-limited per client address, counted in the database (so the limit holds across workers) under a keyed
hash of the address, never the raw address.
"""
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from registry.access import Actor
from registry.clock import today
from registry.extensions import db
from registry.models import Complaint, Project, RateLimitHit, Unit
from registry.rules.errors import RuleViolation
from registry.services import service
from registry.services.audit import record_event
from registry.visibility import project_public

BUCKET = "complaint"
DESCRIPTION_MIN, DESCRIPTION_MAX, CONTACT_MAX, NAME_MAX = 20, 5000, 200, 100

PUBLIC = Actor(account_id=None, label="public", role="public")


class RateLimited(RuleViolation):
    """Too many complaints from one address within the hour."""

    def __init__(self):
        super().__init__("description", "您在一小时内提交的举报过多，请稍后再试",
                         "too many complaints from your address within an hour; please try again later")


def address_hash(address: str | None) -> str:
    """The keyed hash under which an address is counted (no raw address is kept)."""
    return current_app.extensions["id_vault"].keyed_hash(f"addr:{address or 'unknown'}")


def new_receipt_number() -> str:
    """A receipt number the complainant can quote: date and a random part (not guessable, not sequential)."""
    return f"JB{today():%Y%m%d}-{secrets.token_hex(4).upper()}"


def filed_with_form(form_token: str | None) -> Complaint | None:
    """The complaint an earlier POST of this very form filed, if any (a refresh, the back button, a replay)."""
    if not form_token:
        return None
    return db.session.scalar(select(Complaint).where(Complaint.form_token_hmac == form_token_hash(form_token)))


def form_token_hash(form_token: str) -> str:
    return current_app.extensions["id_vault"].keyed_hash(f"complaint-form:{form_token}")


@service
def file_complaint(actor: Actor, project_ref: str, description: str, *, contact: str | None = None,
                   name: str | None = None, address: str | None = None, form_token: str | None = None) -> Complaint:
    """File a complaint about a public project's performance; returns it (its `ref` is the receipt number).

    `form_token` is the single-use token of the form: the same form posted again files nothing and returns
    the complaint it filed the first time."""
    earlier = filed_with_form(form_token)
    if earlier is not None:
        return earlier
    limit = current_app.config["COMPLAINTS_PER_ADDRESS_PER_HOUR"]
    hashed = address_hash(address)
    since = datetime.now(UTC) - timedelta(hours=1)
    recent = db.session.scalar(select(func.count()).select_from(RateLimitHit).where(
        RateLimitHit.bucket == BUCKET, RateLimitHit.address_hmac == hashed, RateLimitHit.at >= since))
    if recent >= limit:
        raise RateLimited()
    project = db.session.scalar(
        select(Project).join(Unit, Unit.id == Project.unit_id).where(Project.ref == project_ref, project_public()))
    if project is None:
        raise RuleViolation("project", "没有这个公开的项目", "no such public project")
    description = (description or "").strip()
    if len(description) < DESCRIPTION_MIN:
        raise RuleViolation("description", f"请具体说明举报内容（至少{DESCRIPTION_MIN}个字）",
                            f"describe what is false (at least {DESCRIPTION_MIN} characters)")
    if len(description) > DESCRIPTION_MAX:
        raise RuleViolation("description", f"举报内容不能超过{DESCRIPTION_MAX}个字",
                            f"the description is at most {DESCRIPTION_MAX:,} characters")
    contact = (contact or "").strip() or None
    name = (name or "").strip() or None
    if contact and len(contact) > CONTACT_MAX:
        raise RuleViolation("contact", f"联系方式不能超过{CONTACT_MAX}个字", f"the contact is at most {CONTACT_MAX} characters")
    if name and len(name) > NAME_MAX:
        raise RuleViolation("name", f"姓名不能超过{NAME_MAX}个字", f"the name is at most {NAME_MAX} characters")
    complaint = Complaint(
        ref=new_receipt_number(), project_id=project.id, received_on=today(), status="received",
        description=description, complainant_name=name, complainant_contact=contact,
        # the regulator of the project's jurisdiction receives it
        authority_division_code=project.division_code,
        form_token_hmac=form_token_hash(form_token) if form_token else None,
    )
    db.session.add(complaint)
    db.session.add(RateLimitHit(bucket=BUCKET, address_hmac=hashed))
    record_event(actor, "complaint_filed", complaint, division_code=project.division_code,
                 after={"ref": complaint.ref, "project_ref": project.ref, "status": "received",
                        "with_contact": contact is not None})
    return complaint
