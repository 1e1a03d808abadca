"""Publicity periods, credit repair, what is public on a day, and bans (hand cases and properties)."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.rules.disclosure import (ban_is_active, ban_is_public, complaint_is_public, penalty_is_public,
                                       practitioner_record_is_public, review_is_public)
from registry.rules.errors import RuleViolation
from registry.rules.publicity import (add_months, check_publicity_end, check_repair_date, default_publicity_end,
                                      is_published_severity, publicity_window, repair_possible_from)


def test_contract_penalty_ends_a_year_after_decision():
    assert default_publicity_end("ordinary", date(2026, 9, 1)) == date(2027, 9, 1)


def test_periods_by_severity_since_2026_04_01():
    decided = date(2026, 5, 10)
    assert default_publicity_end("serious", decided) == date(2029, 5, 10)
    assert repair_possible_from("serious", decided) == date(2027, 5, 10)
    assert repair_possible_from("ordinary", decided) == date(2026, 8, 10)
    assert not is_published_severity("minor", decided)


def test_the_earlier_rule_applies_to_decisions_before_2026_04_01():
    decided = date(2025, 3, 31)
    assert default_publicity_end("ordinary", decided) == date(2028, 3, 31)
    assert repair_possible_from("serious", decided) == date(2025, 6, 30)
    assert is_published_severity("minor", decided)


def test_month_arithmetic_clamps_to_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def public_on(day, **overrides):
    penalty = dict(severity="ordinary", decided_on=date(2026, 9, 1), publicity_ends_on=date(2027, 9, 1),
                   repaired_on=None, non_disclosed=False)
    penalty.update(overrides)
    return penalty_is_public(today=day, **penalty)


def test_penalty_public_through_its_end_date_and_gone_the_day_after():
    assert not public_on(date(2026, 8, 31))
    assert public_on(date(2026, 9, 1))
    assert public_on(date(2027, 9, 1))
    assert not public_on(date(2027, 9, 2))


def test_penalty_gone_from_the_day_repair_is_granted():
    assert public_on(date(2027, 1, 9), repaired_on=date(2027, 1, 10))
    assert not public_on(date(2027, 1, 10), repaired_on=date(2027, 1, 10))


def test_minor_and_non_disclosed_penalties_are_never_public():
    assert not public_on(date(2026, 10, 1), severity="minor")
    assert not public_on(date(2026, 10, 1), non_disclosed=True)


def test_bans_last_until_their_date_or_for_life():
    decided = date(2026, 9, 1)
    assert ban_is_active(decided_on=decided, ban_until=date(2036, 9, 1), ban_lifetime=False, today=date(2036, 9, 1))
    assert not ban_is_active(decided_on=decided, ban_until=date(2036, 9, 1), ban_lifetime=False, today=date(2036, 9, 2))
    assert ban_is_active(decided_on=decided, ban_until=None, ban_lifetime=True, today=date(2090, 1, 1))
    assert not ban_is_active(decided_on=decided, ban_until=None, ban_lifetime=False, today=date(2027, 1, 1))
    assert not ban_is_public(decided_on=decided, ban_until=None, ban_lifetime=True, non_disclosed=True,
                             today=date(2027, 1, 1))


def test_practitioner_records_need_a_commitment_and_no_withholding():
    assert practitioner_record_is_public(commitment_in_force=True, non_disclosed=False)
    assert not practitioner_record_is_public(commitment_in_force=False, non_disclosed=False)
    assert not practitioner_record_is_public(commitment_in_force=True, non_disclosed=True)
    assert review_is_public(non_disclosed=False) and not review_is_public(non_disclosed=True)


def test_only_substantiated_complaints_are_public():
    assert complaint_is_public("substantiated", False)
    for status in ("received", "verifying", "unsubstantiated"):
        assert not complaint_is_public(status, False)
    assert not complaint_is_public("substantiated", True)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
       st.sampled_from(["ordinary", "serious"]))
def test_repair_is_possible_no_later_than_the_publicity_end(decided, severity):
    assert decided <= repair_possible_from(severity, decided) <= default_publicity_end(severity, decided)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)), st.integers(0, 2000))
def test_a_penalty_is_never_public_after_its_end(decided, offset):
    end = default_publicity_end("serious", decided)
    day = end + timedelta(days=offset + 1)
    assert not penalty_is_public(severity="serious", decided_on=decided, publicity_ends_on=end, repaired_on=None,
                                 non_disclosed=False, today=day)


# One rule states the bounds, and both are inclusive. Hand-computed: ordinary, decided
# 2026-05-31 (rule since 2026-04-01, 3 to 12 months): repair from 2026-08-31, public through 2027-05-31.
WINDOW_CASE = ("ordinary", date(2026, 5, 31))


def test_the_window_states_both_bounds_inclusive():
    window = publicity_window(*WINDOW_CASE)
    assert (window.public_from, window.repair_from, window.public_through) == (
        date(2026, 5, 31), date(2026, 8, 31), date(2027, 5, 31))
    # serious, 2026-02-28 under the old rule (3–36 months), and a 29 February decision under the new one
    assert publicity_window("serious", date(2026, 2, 28)).repair_from == date(2026, 5, 28)
    assert publicity_window("serious", date(2028, 2, 29)).public_through == date(2031, 2, 28)


def test_public_through_the_last_day_inclusive_and_gone_the_day_after():
    last = publicity_window(*WINDOW_CASE).public_through
    penalty = dict(severity="ordinary", decided_on=WINDOW_CASE[1], publicity_ends_on=last, repaired_on=None,
                   non_disclosed=False)
    assert penalty_is_public(today=last, **penalty)
    assert not penalty_is_public(today=last + timedelta(days=1), **penalty)


def test_repair_from_the_first_day_inclusive_and_refused_the_day_before():
    first = publicity_window(*WINDOW_CASE).repair_from
    assert check_repair_date(*WINDOW_CASE, first, today=first) == first
    with pytest.raises(RuleViolation) as refused:
        check_repair_date(*WINDOW_CASE, first - timedelta(days=1), today=first)
    assert refused.value.message_zh == "最短公示期尚未届满，自2026-08-31起方可办理信用修复"


def test_a_recorded_publicity_end_lies_between_the_bounds_inclusive():
    assert check_publicity_end(*WINDOW_CASE, date(2026, 8, 31)) == date(2026, 8, 31)
    assert check_publicity_end(*WINDOW_CASE, date(2027, 5, 31)) == date(2027, 5, 31)
    for outside in (date(2026, 8, 30), date(2027, 6, 1)):
        with pytest.raises(RuleViolation):
            check_publicity_end(*WINDOW_CASE, outside)


def test_minor_penalties_of_the_old_regime_are_published_as_the_config_says():
    # registry/config.py: decided before 2026-04-01, a minor penalty is published for 3 to 36 months
    assert is_published_severity("minor", date(2026, 3, 31))
    assert default_publicity_end("minor", date(2026, 3, 31)) == date(2029, 3, 31)
    assert not is_published_severity("minor", date(2026, 4, 1))
