"""Each firm's public figures, kept in `unit_figures` by the transaction that changes them: its first rounds
passed and in all (the first-pass rate), its projects completed on time and counted (the on-time rate), its
public projects and its public false-performance findings, with the latest day one was verified; the first and
last day each rate counts; its public review outcomes by year (`unit_review_year`), which its profile charts;
and the persons who held a role on its public projects, with how many (`unit_role_holder`), whom its key-staff
list names.

A firm's profile read the same from them. Counted there, a firm of 2,000 projects walked its 2,000 projects and
2,700 reviews twice, for the chart and its rates (13 ms of its page on PostgreSQL, national scale).

Its key-staff list found the persons with a role by reading every role on every public project of the firm
(4,000 for a firm of 2,000 projects: 5 to 6 ms of its page on PostgreSQL, national scale); kept, it reads a row
a person.

A search page shows them for 20 firms. Counted there, a firm of 2,000 projects cost a page 3 ms on PostgreSQL
for its first-pass rate alone, and such a firm is among the hits of most common words. Kept, the page reads one
row a firm, beside its name.

Every write that may change what the public sees of a firm already names the firm in the search outbox
(`enqueue_for_index`, and the import's `enqueue_touched`); both call `touch`. Just before the transaction
commits, the figures of the firms it touched are counted again from the records, by the same aggregates the
pages used (`first_pass_counts`, `on_time_counts`, `project_public`, `complaint_public`), and written.
`mismatches` counts every firm afresh and names those whose kept figures differ: the tests run it after each
test, and `flask registry figures --check` does on a live database.

Only the on-time rate depends on the day: a project found false leaves it from the day of the finding. The
kept rate leaves out every project with a finding, whatever its day, which is the rate of any day from the
latest finding's on (`latest_finding_on`; a finding is never dated after the day it is recorded). A page
showing a firm on a day before its latest finding counts that firm's rate itself.

On PostgreSQL two transactions may touch one firm at once. Each locks the firm's row before counting, so the
last to commit counts after the other committed (READ COMMITTED: each statement sees what was committed when it
began), and neither count is lost.
"""
from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import bindparam, case, delete, event, extract, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from registry.extensions import db
from registry.models import Complaint, Project, ProjectRole, Review, Unit, UnitFigures, UnitReviewYear, UnitRoleHolder
from registry.visibility import complaint_public, on_time_counted, project_public, review_public

TOUCHED = "registry_figures_touched"  # in a session's info: the firms this transaction may have changed
CHUNK = 500  # firms counted a statement (two IN lists of this many parameters on SQLite)
FIGURES = UnitFigures.__table__
YEARS = UnitReviewYear.__table__
HOLDERS = UnitRoleHolder.__table__
# what a search hit shows; and the first and last day each rate counts, which a profile shows beside them
COUNTS = ("first_pass_passed", "first_pass_total", "on_time", "on_time_total", "projects", "findings",
          "latest_finding_on")
RATE_DAYS = ("first_pass_from", "first_pass_to", "on_time_from", "on_time_to")
COLUMNS = COUNTS + RATE_DAYS
DATES = RATE_DAYS + ("latest_finding_on",)
REVIEW_YEARS = "review_years"  # beside the columns: ((year, passed, in all), ...), oldest first
ROLE_HOLDERS = "role_holders"  # and ((person id, public projects with a role), ...), by person id
ZERO = {**dict.fromkeys(COLUMNS, 0), **dict.fromkeys(DATES), REVIEW_YEARS: (), ROLE_HOLDERS: ()}


def first_round():
    """A SQL clause: the review outcome a first-pass rate counts, the report's first round (DESIGN §3)."""
    return Review.round == 1


def first_pass_counts():
    """Per firm (`unit_id`): first rounds passed (`passed`) and first rounds in all (`total`), over its public
    review outcomes."""
    return (
        select(Project.unit_id.label("unit_id"), func.sum(case((Review.passed, 1), else_=0)).label("passed"),
               func.count().label("total"))
        .select_from(Review).join(Project, Project.id == Review.project_id).join(Unit, Unit.id == Project.unit_id)
        .where(first_round(), review_public())
        .group_by(Project.unit_id)
    )


def on_time_counts(today: date | None):
    """Per firm (`unit_id`): projects completed by their contract deadline (`on_time`) and projects counted
    (`total`) on `today`: public, completed, with a deadline, not found false by then (None: on any day, as
    kept)."""
    return (
        select(Project.unit_id.label("unit_id"),
               func.sum(case((Project.completed_on <= Project.contract_deadline, 1), else_=0)).label("on_time"),
               func.count().label("total"))
        .join(Unit, Unit.id == Project.unit_id)
        .where(on_time_counted(today))
        .group_by(Project.unit_id)
    )


def review_years():
    """Per firm and year (`unit_id`, `year`): public review outcomes of every round passed (`passed`) and in all
    (`total`), oldest year first."""
    year = extract("year", Review.reviewed_on)
    return (
        select(Project.unit_id.label("unit_id"), year.label("year"),
               func.sum(case((Review.passed, 1), else_=0)).label("passed"), func.count().label("total"))
        .select_from(Review).join(Project, Project.id == Review.project_id).join(Unit, Unit.id == Project.unit_id)
        .where(review_public())
        .group_by(Project.unit_id, year).order_by(Project.unit_id, year)
    )


def role_holders():
    """Per firm and person (`unit_id`, `person_id`): the firm's public projects the person held any role on
    (`projects`), by firm and person."""
    return (
        select(Project.unit_id.label("unit_id"), ProjectRole.person_id.label("person_id"),
               func.count(func.distinct(ProjectRole.project_id)).label("projects"))
        .select_from(ProjectRole).join(Project, Project.id == ProjectRole.project_id)
        .join(Unit, Unit.id == Project.unit_id).where(project_public())
        .group_by(Project.unit_id, ProjectRole.person_id).order_by(Project.unit_id, ProjectRole.person_id)
    )


# the firm's figures kept as rows of their own, each key's table and the statement counting its rows, whose columns
# are the table's, in its order: its outcomes by year, oldest first, and its role holders, by person id
KEPT_ROWS = {REVIEW_YEARS: (YEARS, review_years), ROLE_HOLDERS: (HOLDERS, role_holders)}


def kept_on_time_holds(latest_finding_on: date | None, day: date) -> bool:
    """True when a firm's kept on-time rate (and its period) is its rate on `day`: the day is not before its
    latest finding's. Before it, the rate is counted for the day (`on_time_counts(day)`)."""
    return latest_finding_on is None or latest_finding_on <= day


def kept_first_pass():
    """`first_pass_counts` as kept: per firm with a public first round (`unit_id`, `passed`, `total`), one row
    each, read by key rather than counted from every review of the registry."""
    return (select(UnitFigures.unit_id.label("unit_id"), UnitFigures.first_pass_passed.label("passed"),
                   UnitFigures.first_pass_total.label("total")).where(UnitFigures.first_pass_total > 0))


def kept_projects(unit_id_column):
    """A SQL expression: the number of public projects kept for the firm whose id is `unit_id_column`."""
    return func.coalesce(select(UnitFigures.projects).where(UnitFigures.unit_id == unit_id_column)
                         .scalar_subquery(), 0)


def touch(session, unit_ids: Iterable[int]) -> None:
    """Count these firms' figures again before this transaction commits."""
    session.info.setdefault(TOUCHED, set()).update(unit_ids)


def counted(firms: list[int] | None = None, years: bool = True) -> dict[int, dict[str, int]]:
    """The figures counted from the records: of these firms, or of every firm with any (None), with their review
    outcomes by year and their role holders unless `years` is False. A firm with none is left out (its figures are zero)."""
    def of(statement, *columns):
        if firms is None:
            return statement
        return statement.where(*(column.in_(firms) for column in columns))

    found: dict[int, dict[str, int]] = {}

    def keep(rows, *names):
        for unit_id, *values in rows:
            found.setdefault(unit_id, dict(ZERO)).update(
                {name: value if name in DATES else int(value or 0) for name, value in zip(names, values)})

    session = db.session
    keep(session.execute(of(first_pass_counts().add_columns(func.min(Review.reviewed_on), func.max(Review.reviewed_on)),
                            Project.unit_id, Unit.id)),
         "first_pass_passed", "first_pass_total", "first_pass_from", "first_pass_to")
    keep(session.execute(of(on_time_counts(None).add_columns(func.min(Project.completed_on),
                                                             func.max(Project.completed_on)),
                            Project.unit_id, Unit.id)),
         "on_time", "on_time_total", "on_time_from", "on_time_to")
    keep(session.execute(of(select(Project.unit_id, func.count()).join(Unit, Unit.id == Project.unit_id)
                            .where(project_public()).group_by(Project.unit_id), Project.unit_id, Unit.id)), "projects")
    keep(session.execute(of(select(Project.unit_id, func.count(), func.max(Complaint.verified_on))
                            .join(Complaint, Complaint.project_id == Project.id)
                            .where(complaint_public()).group_by(Project.unit_id), Project.unit_id)),
         "findings", "latest_finding_on")
    if years:
        for key, (_table, rows) in KEPT_ROWS.items():
            _add_rows(found, key, session.execute(of(rows(), Project.unit_id, Unit.id)))
    return found


def _add_rows(figures: dict[int, dict], key: str, rows) -> None:
    """Each (unit id, *values) row, in order, added to its firm's `key` (`REVIEW_YEARS`, `ROLE_HOLDERS`)."""
    for unit_id, *values in rows:
        of_firm = figures.setdefault(unit_id, dict(ZERO))
        of_firm[key] += (tuple(int(value) for value in values),)


def refresh(unit_ids: Iterable[int]) -> None:
    """Count these firms' figures again and keep them (in the session's transaction)."""
    session = db.session
    ids = sorted(set(unit_ids))
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        # a row for each firm, then each row locked (PostgreSQL), before anything is counted
        session.execute(insert(FIGURES).from_select(["unit_id"], select(Unit.id).where(Unit.id.in_(chunk)))
                        .on_conflict_do_nothing())
        if dialect == "postgresql":
            session.execute(select(FIGURES.c.unit_id).where(FIGURES.c.unit_id.in_(chunk))
                            .order_by(FIGURES.c.unit_id).with_for_update())
        found = counted(chunk, years=False)
        session.connection().execute(
            update(FIGURES).where(FIGURES.c.unit_id == bindparam("firm"))
            .values({column: bindparam("new_" + column) for column in COLUMNS}),
            [{"firm": unit_id, **{"new_" + column: found.get(unit_id, ZERO)[column] for column in COLUMNS}}
             for unit_id in chunk])
        # the outcomes by year counted into their table by the database itself: the same rows as `counted` reads,
        # without sending them back (500 firms, national PostgreSQL: 40 ms as parameters)
        for table, rows in KEPT_ROWS.values():
            session.execute(delete(table).where(table.c.unit_id.in_(chunk)))
            session.execute(insert(table).from_select([column.name for column in table.columns],
                                                      rows().where(Project.unit_id.in_(chunk), Unit.id.in_(chunk))))


def refresh_all(progress: Callable[[int], None] = lambda done: None) -> int:
    """Every firm's figures counted again and kept: after a migration makes the table, or when `mismatches`
    finds any. Returns the number of firms."""
    ids = list(db.session.scalars(select(Unit.id).order_by(Unit.id)))
    for start in range(0, len(ids), CHUNK * 10):
        batch = ids[start:start + CHUNK * 10]
        refresh(batch)
        progress(len(batch))
    return len(ids)


def mismatches() -> dict[int, tuple[dict[str, int], dict[str, int]]]:
    """Each firm whose kept figures differ from its records: unit id -> (kept, counted)."""
    kept = {row.unit_id: {**{c: getattr(row, c) for c in COLUMNS}, REVIEW_YEARS: (), ROLE_HOLDERS: ()}
            for row in db.session.execute(select(FIGURES))}
    for key, (table, _rows) in KEPT_ROWS.items():
        _add_rows(kept, key, db.session.execute(select(table).order_by(*table.primary_key.columns)))
    live = counted()
    firms = set(kept) | set(live)
    return {unit_id: (kept.get(unit_id, ZERO), live.get(unit_id, ZERO)) for unit_id in sorted(firms)
            if kept.get(unit_id, ZERO) != live.get(unit_id, ZERO)}


def keep_figures() -> None:
    """Listen (once per process) for the commit of the app's sessions, to count what each transaction touched.
    Registered before the data generation's hook, which `keep_generation` then moves behind this one, so the
    generation row stays the last lock a writing transaction takes."""
    for name, listener in (("before_commit", _refresh_before_commit), ("after_rollback", _forget_touched)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _refresh_before_commit(session) -> None:
    touched = session.info.pop(TOUCHED, None)
    if touched:
        session.flush()
        refresh(touched)


def _forget_touched(session) -> None:
    session.info.pop(TOUCHED, None)
