"""A complainant's receipt (`/complaints/<receipt>`, `/complaints/track`): the status of a complaint, its
deadline in working days and, once decided, the outcome the public may see; shown only to whoever holds both its
number and its check code, and never anything about the complainant."""
import hmac
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from registry.clock import today
from registry.extensions import db
from registry.models import Complaint, Project
from registry.rules.complaints import OPEN, answer_deadline
from registry.rules.working_days import calendar_covers, working_days_left
from registry.visibility import complaint_public


@dataclass(frozen=True)
class ComplaintReceipt:
    receipt: str
    check: str
    received_on: date
    status: str
    project_ref: str
    project_name: str
    deadline: date
    working_days_left: int | None  # while it is open; negative when overdue
    calendar_known: bool  # False: a year's holidays were not known, weekends alone were counted
    verified_on: date | None
    finding: str | None  # the substantiated finding, while it is public
    authority: str | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


def decision_due(received_on: date) -> date:
    """The last day to decide a complaint received on this day, in the configured working days."""
    return answer_deadline(received_on, current_app.config["COMPLAINT_WORKING_DAYS"])


def receipt_check_code(receipt: str) -> str:
    """The check code printed beside a receipt number: the receipt page answers only to both together."""
    return current_app.extensions["id_vault"].keyed_hash(f"complaint-receipt:{receipt}")[:10].upper()


def complaint_receipt(receipt: str | None, check: str | None) -> ComplaintReceipt | None:
    """A complaint's receipt, or None unless the check code fits the receipt number (no complainant shown)."""
    receipt = (receipt or "").strip()
    if not receipt or not hmac.compare_digest(receipt_check_code(receipt), (check or "").strip().upper()):
        return None
    row = db.session.execute(
        select(Complaint.ref, Complaint.received_on, Complaint.status, Project.ref, Project.name,
               Complaint.verified_on, Complaint.finding, Complaint.authority, complaint_public().label("public"))
        .join(Project, Project.id == Complaint.project_id).where(Complaint.ref == receipt)).one_or_none()
    if row is None:
        return None
    ref, received_on, status, project_ref, project_name, verified_on, finding, authority, public = row
    deadline, day = decision_due(received_on), today()
    return ComplaintReceipt(
        ref, receipt_check_code(ref), received_on, status, project_ref, project_name, deadline,
        working_days_left(day, deadline) if status in OPEN else None,
        calendar_covers(received_on, max(deadline, day)),
        verified_on if status not in OPEN else None, finding if public else None, authority)
