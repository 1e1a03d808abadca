"""Working days (工作日) as the State Council's holiday notices set them, for the commitment letter's promise to
update changed information 于二十个工作日内 (within twenty working days).

A working day is Monday to Friday, less the public holidays, plus the make-up working days (调休) on a weekend,
as the `chinese-calendar` package lists them for the years it covers. A year past those (the notice for the next
year comes out each November) counts weekends only, so holidays are counted as working days there: callers say
so where the figure shows (`calendar_covers`).
"""
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants

UPDATE_WORKING_DAYS = 20  # 承诺书: 信息发生变化时，于二十个工作日内在系统中更新
FIRST_YEAR = min(constants.holidays).year
LAST_YEAR = max(constants.holidays).year


def year_covered(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def calendar_covers(start: date, end: date) -> bool:
    """Whether every day from start to end lies in a year whose holidays and make-up days are known."""
    return year_covered(start.year) and year_covered(end.year)


@lru_cache(maxsize=16384)  # chinese-calendar takes 20 µs a day: a firm of 2,000 projects asked 18,000 a page
def is_working_day(day: date) -> bool:
    """A working day by the holiday calendar; in a year it does not cover, Monday to Friday."""
    if year_covered(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


@lru_cache(maxsize=16384)
def after_working_days(start: date, working_days: int) -> date:
    """The `working_days`-th working day after `start` (`start` itself is day 0, whatever it is)."""
    day, counted = start, 0
    while counted < working_days:
        day += timedelta(days=1)
        counted += is_working_day(day)
    return day


def working_days_left(today: date, deadline: date) -> int:
    """The working days after today up to and including the deadline; past the deadline, minus the working days
    after it up to and including today (0 on the deadline day, and on a holiday just after it)."""
    if today <= deadline:
        first, last, sign = today, deadline, 1
    else:
        first, last, sign = deadline, today, -1
    return sign * sum(is_working_day(first + timedelta(days=n)) for n in range(1, (last - first).days + 1))


def update_deadline(changed_on: date, working_days: int = UPDATE_WORKING_DAYS) -> date:
    """The last day to enter a change that happened on `changed_on`: the twentieth working day after it (the day
    of the change itself is day 0, and the deadline day is included)."""
    return after_working_days(changed_on, working_days)


def update_late(changed_on: date, entered_on: date) -> bool:
    """Whether a change entered on `entered_on` broke the promise: entered after the twentieth working day."""
    return entered_on > update_deadline(changed_on)
