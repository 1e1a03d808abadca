"""Several penalty kinds in one decision: the longest period applies (measures.md, "Credit
repair"). Each kind takes the stated severity's period or that of the severity it implies (a practice ban is
serious, Soil Law art. 90), and the longest governs. Hand-computed cases."""
from datetime import date

from registry.rules.publicity import (KIND_MINIMUM_SEVERITY, Governing, Period, default_publicity_end,
                                      governing_period)


def test_a_practice_ban_implies_serious_and_nothing_else_implies_a_severity():
    assert KIND_MINIMUM_SEVERITY == {"practice_ban": "serious"}


def test_kinds_without_an_implied_severity_leave_the_stated_one_governing():
    assert governing_period("ordinary", ["fine", "circulated_criticism", "licence_revocation"],
                            date(2026, 5, 10)) == Governing("ordinary")
    assert governing_period("minor", ["warning"], date(2026, 5, 10)) == Governing("minor")


def test_a_practice_ban_in_an_ordinary_decision_sets_the_serious_period():
    # 2026-05-10 + 36 months = 2029-05-10, not the ordinary 2027-05-10
    governing = governing_period("ordinary", ["fine", "practice_ban"], date(2026, 5, 10))
    assert governing == Governing("serious", "practice_ban")
    assert default_publicity_end(governing.severity, date(2026, 5, 10)) == date(2029, 5, 10)


def test_a_minor_decision_with_a_ban_is_published_for_the_serious_period():
    # minor alone is not published since 2026-04-01; the ban's serious period (1–3 years) applies instead
    governing = governing_period("minor", ["warning", "practice_ban"], date(2027, 2, 28))
    assert governing == Governing("serious", "practice_ban")
    assert default_publicity_end(governing.severity, date(2027, 2, 28)) == date(2030, 2, 28)


def test_on_a_tie_the_stated_severity_governs():
    assert governing_period("serious", ["practice_ban"], date(2026, 5, 10)) == Governing("serious")
    # before 2026-04-01 every severity had 3–36 months: a ban lengthens nothing
    assert governing_period("ordinary", ["practice_ban"], date(2026, 3, 31)) == Governing("ordinary")


def test_the_longest_of_several_implied_periods_governs_whatever_their_order():
    rules = [(date(2026, 4, 1), {"minor": Period(0, 0), "ordinary": Period(3, 12), "serious": Period(12, 36)})]
    implied = {"fine": "ordinary", "practice_ban": "serious"}
    for kinds in (["fine", "practice_ban"], ["practice_ban", "fine"]):
        assert governing_period("minor", kinds, date(2026, 6, 30), rules, implied) == Governing("serious", "practice_ban")
    assert governing_period("minor", ["fine", "warning"], date(2026, 6, 30), rules, implied) == Governing("ordinary", "fine")
