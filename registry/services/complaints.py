"""Verification of false-performance complaints (虚假业绩举报核实) by the regulator where the project lies.

Statuses move only forward: received → verifying → substantiated | unsubstantiated. A verified outcome
carries a written finding and its date. Only a substantiated finding becomes public; the complainant's
identity never does (Soil Law art. 84 protects the reporter).
"""
from datetime import date

from registry.access import Actor, require_jurisdiction
from registry.clock import today
from registry.extensions import db
from registry.models import Complaint
from registry.reference import COMPLAINT_STATUSES
from registry.rules.authority import record_authority
from registry.rules.complaints import VERIFIED, check_finding
from registry.rules.dates import check_complaint_dates
from registry.rules.errors import RuleViolation
from registry.services import service
from registry.services.audit import enqueue_for_index, record_event

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("verifying",),
    "verifying": ("substantiated", "unsubstantiated"),
    "substantiated": (),
    "unsubstantiated": (),
}


def next_statuses(status: str) -> tuple[str, ...]:
    """The statuses a complaint may move to from `status`."""
    return TRANSITIONS.get(status, ())


@service
def advance_complaint(actor: Actor, complaint_id: int, *, status: str, finding: str | None = None,
                      verified_on: date | None = None) -> Complaint:
    """Move a complaint one step along its workflow; a verified outcome needs a finding and its date."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        raise RuleViolation("complaint", "没有这个举报", "no such complaint")
    # the authority that received it keeps it, wherever the project or firm says it is today
    received_by = record_authority(complaint.authority_division_code, complaint.project.division_code)
    require_jurisdiction(actor, "advance_complaint", complaint, received_by)
    if status not in COMPLAINT_STATUSES or status not in next_statuses(complaint.status):
        raise RuleViolation("status", "该举报不能转到这个状态", "the complaint cannot move to this status")
    before = {"status": complaint.status, "finding": complaint.finding,
              "verified_on": complaint.verified_on.isoformat() if complaint.verified_on else None}
    if status in VERIFIED:
        finding = check_finding(finding)
        verified_on = verified_on or today()
        check_complaint_dates(complaint.received_on, verified_on, today())
        complaint.finding = finding
        complaint.verified_on = verified_on
    complaint.status = status
    complaint.authority = actor.authority_name
    complaint.authority_division_code = received_by
    complaint.handled_by_account_id = actor.account_id
    after = {"status": status, "finding": complaint.finding,
             "verified_on": complaint.verified_on.isoformat() if complaint.verified_on else None}
    record_event(actor, f"complaint_{status}", complaint, before=before, after=after,
                 division_code=received_by)
    if status == "substantiated":
        # the finding now flags the project on every public surface of its firm
        enqueue_for_index("unit", complaint.project.unit_id)
    return complaint


def correct_finding(complaint: Complaint, *, finding: str | None, verified_on: date | None) -> None:
    """Give a verified finding corrected values under the rules that verified it (the caller keeps the earlier
    version)."""
    finding = check_finding(finding)
    if verified_on is None:
        raise RuleViolation("verified_on", "请填写核实日期", "the date of verification is required")
    check_complaint_dates(complaint.received_on, verified_on, today())
    complaint.finding, complaint.verified_on = finding, verified_on
    enqueue_for_index("unit", complaint.project.unit_id)
