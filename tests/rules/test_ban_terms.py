"""Soil Law art. 90 on practice bans, hand-computed."""
from datetime import date

import pytest

from registry.reference import CATEGORIES
from registry.rules.ban_terms import check_ban_terms, person_ban_ends_by, severity_with_ban
from registry.rules.errors import RuleViolation

DECIDED = date(2026, 2, 28)


def terms(**overrides):
    values = dict(subject_kind="person", severity="serious", decided_on=DECIDED, ban_until=None, ban_lifetime=False,
                  crime_found=False, categories=None, known_categories=CATEGORIES)
    values.update(overrides)
    return check_ban_terms(**values)


def refusal(**overrides) -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        terms(**overrides)
    return refused.value


def test_ten_years_after_the_decision_is_the_latest_end_and_the_proposed_term():
    assert person_ban_ends_by(date(2026, 2, 28)) == date(2036, 2, 28)
    assert person_ban_ends_by(date(2028, 2, 29)) == date(2038, 2, 28)  # no 29 February in 2038
    assert terms(ban_until=date(2036, 2, 28)) is None
    assert refusal(ban_until=date(2036, 2, 29)).message_zh == (
        "《土壤污染防治法》第九十条：个人禁止从业期限最长十年，截止日期不能晚于2036-02-28")


def test_a_ban_only_on_a_serious_penalty_and_a_ban_without_severity_is_serious():
    for severity in ("minor", "ordinary"):
        refused = refusal(severity=severity, ban_until=date(2030, 1, 1))
        assert refused.field == "severity" and "第九十条" in refused.message_zh
    assert severity_with_ban(None, True) == "serious" and severity_with_ban(None, False) is None
    assert severity_with_ban("ordinary", True) == "ordinary"  # an explicit severity is then refused by the rule


def test_a_persons_lifetime_ban_records_a_crime():
    assert refusal(ban_lifetime=True).field == "crime_found"
    assert terms(ban_lifetime=True, crime_found=True) is None


def test_a_firms_ban_names_its_business_with_any_term_or_none():
    assert terms(subject_kind="unit", ban_until=date(2099, 1, 1), categories=["remediation_construction"]) == [
        "remediation_construction"]
    assert terms(subject_kind="unit", ban_lifetime=True) is None  # none named: all of the firm's categories
    assert refusal(subject_kind="unit", ban_lifetime=True, categories=["bogus"]).field == "ban_categories"
    assert refusal(ban_until=date(2030, 1, 1), categories=["monitoring"]).field == "ban_categories"  # a person's


def test_no_ban_needs_no_severity_and_names_no_business():
    assert terms(severity="ordinary") is None
    assert refusal(subject_kind="unit", categories=["monitoring"]).field == "ban_categories"
