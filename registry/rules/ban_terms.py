"""The lawful terms of a practice ban (禁止从业), Soil Law art. 90 (reference/measures.md):

- a firm that issues a false report is, if the case is serious, banned from that business: the ban names the
  business (one or more service categories; none named means all of the firm's), and the law sets no term, so
  any end date, or none, is lawful;
- its directly responsible persons are, if serious, banned for ten years; if it is a crime, for life.

So a ban is recorded only on a serious penalty (a decision that gives a ban and no severity is serious); a
person's fixed-term ban ends at most ten years after the decision, and the form proposes exactly ten; a
person's lifetime ban records that the decision found a crime. The form and the import call these rules and
give the same message, naming the article.
"""
from datetime import date

from registry.rules.errors import RuleViolation
from registry.rules.publicity import add_months

PERSON_BAN_YEARS = 10
ARTICLE_ZH, ARTICLE_EN = "《土壤污染防治法》第九十条", "Soil Law art. 90"


def person_ban_ends_by(decided_on: date) -> date:
    """The latest end of a person's fixed-term ban, and the term the form proposes: ten years after the decision."""
    return add_months(decided_on, 12 * PERSON_BAN_YEARS)


def severity_with_ban(severity: str | None, has_ban: bool) -> str | None:
    """A decision that gives a ban and no severity is serious."""
    return "serious" if has_ban and not severity else severity


def check_ban_terms(*, subject_kind: str, severity: str, decided_on: date, ban_until: date | None,
                    ban_lifetime: bool, crime_found: bool, categories: list[str] | None,
                    known_categories) -> list[str] | None:
    """Refuse a ban the article does not allow; return the firm's banned categories (None: all of them)."""
    if ban_until is None and not ban_lifetime:
        if categories:
            raise RuleViolation("ban_categories", "没有禁止从业时不能填写禁止从业的业务类别",
                                "the banned service categories need a ban")
        return None
    if ban_until is not None and ban_until < decided_on:
        raise RuleViolation("ban_until", "禁止从业截止日期不能早于决定日期", "the ban cannot end before the decision")
    if severity != "serious":
        raise RuleViolation("severity", f"{ARTICLE_ZH}：禁止从业只适用于情节严重的处罚，失信程度应为“严重”",
                            f"{ARTICLE_EN}: a practice ban is imposed only where the case is serious: the severity "
                            f"must be 'serious'")
    if subject_kind == "person":
        if categories:
            raise RuleViolation("ban_categories", f"{ARTICLE_ZH}：个人禁止从业不按业务类别限定",
                                f"{ARTICLE_EN}: a person's ban is not limited to service categories")
        latest = person_ban_ends_by(decided_on)
        if ban_until is not None and ban_until > latest:
            raise RuleViolation("ban_until", f"{ARTICLE_ZH}：个人禁止从业期限最长十年，截止日期不能晚于{latest.isoformat()}",
                                f"{ARTICLE_EN}: a person's ban lasts at most ten years, so it ends by {latest.isoformat()}")
        if ban_lifetime and not crime_found:
            raise RuleViolation("crime_found", f"{ARTICLE_ZH}：终身禁止从业仅适用于构成犯罪的情形，请确认处罚决定认定构成犯罪",
                                f"{ARTICLE_EN}: a lifetime ban is for a crime: confirm that the decision found one")
        return None
    categories = list(dict.fromkeys(categories or []))
    if any(code not in known_categories for code in categories):
        raise RuleViolation("ban_categories", "请从列表中选择禁止从业的业务类别", "choose the banned service categories from the list")
    return categories or None
