"""The twenty-working-day promise of the commitment letter, on hand-computed calendars."""
from datetime import date

from registry.rules.working_days import (LAST_YEAR, calendar_covers, is_working_day, update_deadline,
                                         update_late)


def test_national_day_2025_and_its_make_up_days():
    # 2025: 1-8 October are holidays; Sunday 28 September and Saturday 11 October are make-up working days.
    assert is_working_day(date(2025, 9, 28)) and is_working_day(date(2025, 10, 11))
    assert not is_working_day(date(2025, 10, 1)) and not is_working_day(date(2025, 10, 8))
    # From Friday 26 September: 28, 29, 30 Sep (3), 9, 10, 11 Oct (6), 13-17 (11), 20-24 (16), 27-30 (20).
    assert update_deadline(date(2025, 9, 26)) == date(2025, 10, 30)
    assert not update_late(date(2025, 9, 26), date(2025, 10, 30))  # the twentieth day itself is in time
    assert update_late(date(2025, 9, 26), date(2025, 10, 31))


def test_ordinary_weeks():
    # Monday 2 March 2026: 3-6 (4), 9-13 (9), 16-20 (14), 23-27 (19), 30 March (20).
    assert update_deadline(date(2026, 3, 2)) == date(2026, 3, 30)
    # Saturday 9 May 2026 is the make-up working day after the 1-5 May holiday; a change that day counts from the
    # Monday after: 11-15 (5), 18-22 (10), 25-29 (15), 1-5 June (20).
    assert is_working_day(date(2026, 5, 9)) and not is_working_day(date(2026, 5, 5))
    assert update_deadline(date(2026, 5, 9)) == date(2026, 6, 5)


def test_past_the_calendar_counts_weekends_only():
    assert LAST_YEAR == 2026
    # From Sunday 20 December 2026: 21-25 (5), 28-31 (9), Friday 1 January 2027 counted as a working day since
    # 2027's holidays are not known (10), 4-8 (15), 11-15 January (20).
    assert update_deadline(date(2026, 12, 20)) == date(2027, 1, 15)
    assert not calendar_covers(date(2026, 12, 20), date(2027, 1, 15))
    assert calendar_covers(date(2025, 9, 26), date(2025, 10, 30))
    assert is_working_day(date(2027, 1, 1)) and not is_working_day(date(2027, 1, 2))
