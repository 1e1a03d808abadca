"""What a penalty decision's record requires: what its kinds (处罚类别) imply, and the length of its texts."""
from decimal import Decimal

from registry.rules.errors import RuleViolation


def check_fine_given(kinds, fine_yuan: Decimal | None) -> None:
    """A decision that includes a fine states its amount."""
    if "fine" in kinds and not fine_yuan:
        raise RuleViolation("fine_yuan", "处罚类别含罚款时请填写罚款金额", "enter the fine, since the penalty includes one")


def check_ban_matches_kinds(kinds, has_ban: bool) -> None:
    """Soil Law art. 90: a practice ban is the penalty kind 禁止从业, and that kind has a term (a date or life)."""
    if has_ban and "practice_ban" not in kinds:
        raise RuleViolation("kinds", "设定禁止从业期限时，处罚类别应包括“禁止从业”",
                            "a practice ban's term needs the penalty kind 'practice ban'")
    if not has_ban and "practice_ban" in kinds:
        raise RuleViolation("ban", "处罚类别含禁止从业时，请选择期限（至某日或终身）",
                            "the penalty includes a practice ban: choose its term (until a date or lifetime)")


# The texts of a decision and their longest length (the columns' sizes, the form's limits).
DECISION_TEXT_LIMITS = {"decision_number": 100, "violation_type": 200, "violation": 5000, "basis": 5000,
                        "content": 5000, "licence_action": 200, "data_source": 200}


def decision_text(value: str | None, field: str) -> str | None:
    """A text of the decision without surrounding blanks (None when empty), within its field's limit."""
    value = (value or "").strip()
    limit = DECISION_TEXT_LIMITS[field]
    if len(value) > limit:
        raise RuleViolation(field, f"不能超过{limit}个字符", f"at most {limit} characters")
    return value or None
