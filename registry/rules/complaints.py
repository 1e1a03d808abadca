"""Complaints of false performance (虚假业绩举报): what a verified outcome must carry."""
from datetime import date

from registry.rules.errors import RuleViolation
from registry.rules.working_days import after_working_days

VERIFIED = ("substantiated", "unsubstantiated")
OPEN = ("received", "verifying")
# Working days an authority has to decide a complaint, unless the configuration (COMPLAINT_WORKING_DAYS) says
# otherwise: six weeks of working days, inside the 60 days the 信访工作条例 (art. 32) allows at the most.
ANSWER_WORKING_DAYS = 30
FINDING_MIN, FINDING_MAX = 10, 5000


def check_finding(finding: str | None) -> str:
    """A verified complaint's written finding: at least 10 and at most 5,000 characters; returned stripped."""
    finding = (finding or "").strip()
    if len(finding) < FINDING_MIN:
        raise RuleViolation("finding", "请写明核查结论（至少10个字）", "write the finding (at least 10 characters)")
    if len(finding) > FINDING_MAX:
        raise RuleViolation("finding", "核查结论不能超过5000个字", "the finding is at most 5,000 characters")
    return finding


def answer_deadline(received_on: date, working_days: int = ANSWER_WORKING_DAYS) -> date:
    """The last day to decide a complaint received on `received_on`: the `working_days`-th working day after it
    (public holidays and make-up working days counted as the State Council's notices set them)."""
    return after_working_days(received_on, working_days)
