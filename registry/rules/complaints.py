"""Complaints of false performance (虚假业绩举报): what a verified outcome must carry."""
from registry.rules.errors import RuleViolation

VERIFIED = ("substantiated", "unsubstantiated")
FINDING_MIN, FINDING_MAX = 10, 5000


def check_finding(finding: str | None) -> str:
    """A verified complaint's written finding: at least 10 and at most 5,000 characters; returned stripped."""
    finding = (finding or "").strip()
    if len(finding) < FINDING_MIN:
        raise RuleViolation("finding", "请写明核查结论（至少10个字）", "write the finding (at least 10 characters)")
    if len(finding) > FINDING_MAX:
        raise RuleViolation("finding", "核查结论不能超过5000个字", "the finding is at most 5,000 characters")
    return finding
