"""What a penalty decision's kinds (处罚类别) require of the rest of the record."""
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
