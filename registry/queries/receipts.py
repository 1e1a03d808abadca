"""A complainant's receipt (`/complaints/<receipt>`): the status of a complaint, shown only to whoever holds
both its number and its check code."""
import hmac
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from registry.extensions import db
from registry.models import Complaint, Project


@dataclass(frozen=True)
class ComplaintReceipt:
    receipt: str
    check: str
    received_on: date
    status: str
    project_ref: str
    project_name: str


def receipt_check_code(receipt: str) -> str:
    """The check code printed beside a receipt number: the receipt page answers only to both together."""
    return current_app.extensions["id_vault"].keyed_hash(f"complaint-receipt:{receipt}")[:10].upper()


def complaint_receipt(receipt: str, check: str | None) -> ComplaintReceipt | None:
    """A complaint's receipt, or None unless the check code fits the receipt number (no complainant shown)."""
    if not hmac.compare_digest(receipt_check_code(receipt), (check or "").strip().upper()):
        return None
    row = db.session.execute(
        select(Complaint.ref, Complaint.received_on, Complaint.status, Project.ref, Project.name)
        .join(Project, Project.id == Complaint.project_id).where(Complaint.ref == receipt)).one_or_none()
    if row is None:
        return None
    ref, received_on, status, project_ref, project_name = row
    return ComplaintReceipt(ref, receipt_check_code(ref), received_on, status, project_ref, project_name)
