"""Each firm's kept figures (registry/figures.py): what a search hit shows equals what its records count on the
day it is shown, and the command that checks and counts them again finds and mends a hand-made difference.
Every other test ends by checking the kept figures against the records (tests/conftest.py)."""
from datetime import date

from sqlalchemy import select, update

from registry import figures
from registry.models import Project, Unit, UnitFigures
from registry.queries.profiles import Period, review_years, unit_profile, unit_statements
from registry.queries.rates import unit_first_pass, unit_on_time
from registry.queries.summaries import unit_summaries
from registry.rules.rates import Rate
from tests.factories import complaint_record, create, make_uscc, project_record, review_record, unit_record


def test_a_hit_shown_before_its_firms_latest_finding_counts_its_on_time_rate_for_that_day(app, db):
    uscc = make_uscc("370200", 700)
    create(unit_record(uscc), project_record(uscc, "K-1"), project_record(uscc, "K-2"),
           review_record("K-1", 1, True), review_record("K-2", 1, False),
           complaint_record("K-1", status="substantiated"))  # verified 2026-10-20
    unit_id = db.session.scalar(select(Unit.id).where(Unit.uscc == uscc))
    kept = db.session.get(UnitFigures, unit_id)
    assert (kept.on_time, kept.on_time_total, kept.latest_finding_on) == (1, 1, date(2026, 10, 20))
    for day in ("2026-11-26", "2026-10-20", "2026-10-19", "2026-01-01"):  # after, on, and before the finding
        app.config["TODAY"] = day
        hit = unit_summaries([unit_id])[0]
        assert hit.on_time == unit_on_time(db.session, [unit_id], date.fromisoformat(day))[unit_id], day
        assert hit.on_time.total == (1 if day >= "2026-10-20" else 2), day
        assert hit.first_pass == unit_first_pass(db.session, [unit_id])[unit_id] and hit.first_pass.total == 2
        assert (hit.project_count, hit.finding_count) == (2, 1)


def test_the_figures_command_lists_a_hand_made_difference_and_counts_it_again(app, db, runner):
    uscc = make_uscc("370200", 701)
    create(unit_record(uscc), project_record(uscc, "K-3"), review_record("K-3", 1, True))
    assert runner.invoke(args=["registry", "figures", "--check"]).exit_code == 0
    db.session.execute(update(Project).where(Project.ref == "K-3").values(non_disclosure_reason="涉密"))  # by hand
    db.session.commit()
    unit_id = db.session.scalar(select(Unit.id).where(Unit.uscc == uscc))
    assert set(figures.mismatches()) == {unit_id}
    db.session.rollback()
    checked = runner.invoke(args=["registry", "figures", "--check"])
    assert checked.exit_code == 1 and f"unit {unit_id}: kept" in checked.output
    assert unit_summaries([unit_id])[0].project_count == 1  # the stale figure, until counted again
    db.session.rollback()
    counted = runner.invoke(args=["registry", "figures"])
    assert counted.exit_code == 0 and "1 had differed" in counted.output, counted.output
    db.session.rollback()
    assert figures.mismatches() == {}
    hit = unit_summaries([unit_id])[0]
    assert (hit.project_count, hit.first_pass.total) == (0, 0)


def test_a_profile_shows_its_firms_kept_figures_and_counts_its_on_time_rate_before_the_latest_finding(app, db):
    """A firm's profile reads its rates, their periods and its outcomes by year as kept (registry/figures.py):
    the same as its records count, on any day; on a day before its latest finding the on-time rate and its period
    are counted for that day."""
    uscc = make_uscc("370200", 702)
    create(unit_record(uscc),
           project_record(uscc, "K-4", completed_on="2024-05-01"),
           project_record(uscc, "K-5", completed_on="2025-03-01"),
           review_record("K-4", 1, True, reviewed_on="2023-12-20"), review_record("K-5", 1, False),
           review_record("K-5", 2, True, reviewed_on="2025-02-10"),
           complaint_record("K-5", status="substantiated"))  # verified 2026-10-20
    unit_id = db.session.scalar(select(Unit.id).where(Unit.uscc == uscc))
    for day in ("2026-11-26", "2026-10-20", "2026-10-19"):  # after, on, and before the finding
        app.config["TODAY"] = day
        profile = unit_profile(uscc)
        firm = {"subject_id": unit_id, "day": date.fromisoformat(day)}
        bars, first_pass, first_pass_period = review_years(firm)  # counted from the records
        _, on_time, total, low, high = db.session.execute(unit_statements().on_time, firm).one()
        assert (profile.reviews_by_year, profile.first_pass, profile.first_pass_period) == \
            (bars, first_pass, first_pass_period), day
        assert (profile.on_time, profile.on_time_period) == (Rate(on_time, total), Period(low, high)), day
        assert profile.on_time.total == (1 if day >= "2026-10-20" else 2), day
        assert profile.project_count == 2 and profile.reviews.total == 3
    assert [(bar.year, bar.passed, bar.failed) for bar in profile.reviews_by_year] == [(2023, 1, 0), (2024, 0, 1),
                                                                                        (2025, 1, 0)]
    assert profile.first_pass_period == Period(date(2023, 12, 20), date(2024, 7, 1))
