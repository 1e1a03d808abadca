"""First-pass and on-time rates exactly as DESIGN §3 (hand-computed cases and properties)."""
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from registry.rules.rates import Rate, ReviewOutcome, counts_toward_on_time, days_late, first_pass_rate, on_time_rate


def outcome(project, report, round_number, passed):
    return ReviewOutcome(project, report, round_number, passed)


def test_contract_example_first_pass_is_one_of_two():
    rate = first_pass_rate([
        outcome("S-1", "risk_assessment_report", 1, False),
        outcome("S-1", "risk_assessment_report", 2, True),
        outcome("S-2", "remediation_effect_report", 1, True),
    ])
    assert (rate.part, rate.total, rate.rate) == (1, 2, 0.5)
    assert rate.percent() == "1/2 (50.0%)"


def test_each_report_type_of_a_project_is_its_own_report():
    rate = first_pass_rate([outcome("P", "investigation_report", 1, True), outcome("P", "risk_assessment_report", 1, False)])
    assert (rate.part, rate.total) == (1, 2)


def test_no_reviews_means_no_rate_not_zero():
    rate = first_pass_rate([])
    assert rate.rate is None and rate.percent() == "—"


def test_a_report_without_a_first_round_is_not_counted():
    assert first_pass_rate([outcome("P", "investigation_report", 2, True)]).total == 0


def test_local_authority_example_83_of_105_is_79_percent():
    assert Rate(83, 105).percent() == "83/105 (79.0%)"


def test_on_time_contract_example():
    rate = on_time_rate([(date(2024, 4, 30), date(2024, 5, 20)), (date(2025, 6, 30), date(2025, 6, 1))])
    assert (rate.part, rate.total, rate.rate) == (1, 2, 0.5)


def test_on_time_counts_only_completed_projects_with_a_deadline():
    rate = on_time_rate([(None, date(2024, 1, 1)), (date(2024, 1, 1), None), (date(2024, 1, 1), date(2024, 1, 1))])
    assert (rate.part, rate.total) == (1, 1)  # completing on the deadline day is on time


def test_days_late():
    assert days_late(date(2024, 4, 30), date(2024, 5, 20)) == 20
    assert days_late(date(2025, 6, 30), date(2025, 6, 1)) == -29
    assert days_late(None, date(2025, 6, 1)) is None


reports = st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["investigation_report", "risk_assessment_report"]),
                             st.booleans()), unique_by=lambda r: (r[0], r[1]))


@given(reports)
def test_rate_never_exceeds_one(first_rounds):
    rate = first_pass_rate(outcome(p, t, 1, passed) for p, t, passed in first_rounds)
    assert rate.total == len(first_rounds)
    assert rate.rate is None or 0 <= rate.rate <= 1


@given(reports, st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["investigation_report"]),
                                   st.integers(2, 6), st.booleans())))
def test_later_rounds_never_change_the_first_pass_rate(first_rounds, later_rounds):
    base = [outcome(p, t, 1, passed) for p, t, passed in first_rounds]
    later = [outcome(p, t, r, passed) for p, t, r, passed in later_rounds]
    assert first_pass_rate(base) == first_pass_rate(base + later)


@given(st.lists(st.tuples(st.one_of(st.none(), st.dates()), st.one_of(st.none(), st.dates()))))
def test_on_time_rate_is_bounded(pairs):
    rate = on_time_rate(pairs)
    assert 0 <= rate.part <= rate.total


def test_a_project_found_false_leaves_the_on_time_rate_from_the_finding_day():
    assert counts_toward_on_time(None, date(2026, 1, 1))
    assert counts_toward_on_time(date(2026, 1, 2), date(2026, 1, 1))
    assert not counts_toward_on_time(date(2026, 1, 1), date(2026, 1, 1))
    assert not counts_toward_on_time(date(2025, 12, 1), date(2026, 1, 1))


def test_percentages_show_one_decimal_rounded_half_up():
    # hand-computed: 1/8 = 12.5 exactly; 1/16 = 6.25 and 1/1600 = 0.0625 are ties that half-to-even rounds down
    assert Rate(1, 8).percent() == "1/8 (12.5%)"
    assert Rate(1, 16).percent() == "1/16 (6.3%)"
    assert Rate(1, 1600).percent() == "1/1600 (0.1%)"
    assert Rate(3, 16).percent() == "3/16 (18.8%)"  # 18.75
    assert Rate(2, 3).percent() == "2/3 (66.7%)" and Rate(1, 3).percent() == "1/3 (33.3%)"
    assert Rate(83, 105).percent() == "83/105 (79.0%)"  # 79.047...
    assert Rate(0, 0).percent() == "—"
