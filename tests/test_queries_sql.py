"""The SQL idioms the reads share: text is matched literally on both databases, and the parcel filters select
by former industry, area and province; one page of a list knows its neighbours; a condition given its share of
rows selects what it selects bare, and steers SQLite's planner; a set of keys of any size selects its rows."""
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select, update

from registry import figures
from registry.database import ESCAPE, SQLITE_IN_KEYS, in_keys, likelihood, pattern
from registry.models import Project, Unit
from registry.queries.profiles import unit_profile
from registry.visibility import project_public
from registry.queries.summaries import unit_summaries
from registry.queries.paging import Page, page_count, paginate
from registry.queries.sql import (
    contains, contains_in_any, parcel_conditions, prefix_range, public_projects_per_firm, starts_with,
)
from tests import factories as f

NAMES = ["达标率100%的工程", "A_B地块", "C\\D地块", "普通地块", "100 工程"]


def names_where(db, *conditions) -> set[str]:
    return set(db.session.scalars(select(Project.name).where(*conditions)))


def statements_sent(db, run) -> tuple[list[tuple], object]:
    """The statements (with their parameters) `run()` sends to the database, and what it returns."""
    statements = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        result = run()
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    return statements, result


def sqlite_plan(db, statement: str, parameters) -> str:
    """SQLite's plan of a statement, its steps joined by " | "."""
    return " | ".join(row[-1] for row in db.session.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN " + statement, parameters))


def test_like_wildcards_and_the_escape_character_are_matched_as_typed(app, db):
    uscc = f.make_uscc()
    f.create(f.unit_record(uscc), *[f.project_record(uscc, name=name) for name in NAMES])
    assert names_where(db, contains(Project.name, "%")) == {"达标率100%的工程"}
    assert names_where(db, contains(Project.name, "100%")) == {"达标率100%的工程"}
    assert names_where(db, contains(Project.name, "_")) == {"A_B地块"}
    assert names_where(db, contains(Project.name, "\\")) == {"C\\D地块"}
    assert names_where(db, contains(Project.name, "地块")) == {"A_B地块", "C\\D地块", "普通地块"}
    assert names_where(db, starts_with(Project.name, "A_")) == {"A_B地块"}
    assert names_where(db, starts_with(Project.name, "_")) == set()
    assert names_where(db, contains_in_any((Project.name, Project.owner), "土地储备")) == set(NAMES)


def test_parcel_conditions_select_by_industry_prefix_area_range_and_province(app, db):
    uscc = f.make_uscc()
    f.create(f.unit_record(uscc),
             f.project_record(uscc, name="电镀", former_industry="C3360", area_m2=5000, division_code="370211"),
             f.project_record(uscc, name="化工", former_industry="C2614", area_m2=20000, division_code="370211"),
             f.project_record(uscc, name="苏州化工", former_industry="C2614", area_m2=90000, division_code="320506"))
    assert names_where(db, *parcel_conditions()) == {"电镀", "化工", "苏州化工"}
    assert names_where(db, *parcel_conditions(industry="c26")) == {"化工", "苏州化工"}
    assert names_where(db, *parcel_conditions(industry="C_")) == set()
    assert names_where(db, *parcel_conditions(min_area=Decimal(10000), max_area=Decimal(50000))) == {"化工"}
    assert names_where(db, *parcel_conditions(industry="C26", province="32")) == {"苏州化工"}
    assert names_where(db, *parcel_conditions(industry="c2614")) == {"化工", "苏州化工"}  # a class: equality


def test_a_parcel_search_by_class_counts_by_firm_from_the_index_without_a_sort(app, db):
    """A class is the finest industry code, so its projects are those of the code itself: the index on industry
    then firm hands them over in firm order (national SQLite, C2631: the count by firm 17.6 -> 8.6 ms). A division
    is a range of codes, which the count sorts by firm."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan of SQLite's planner (PostgreSQL's reads the table's statistics)")
    uscc = f.make_uscc()
    f.create(f.unit_record(uscc), f.project_record(uscc, name="化工", former_industry="C2614", area_m2=20000))
    unit_id = db.session.scalar(select(Unit.id))

    def plan(industry: str) -> str:
        counting = public_projects_per_firm(parcel_conditions(industry=industry, min_area=Decimal(10000)))
        statements, counted = statements_sent(db, lambda: db.session.execute(counting).all())
        assert counted == [(unit_id, 1)]
        return sqlite_plan(db, *statements[0])

    by_class = plan("C2614")
    assert "ix_project_parcel (former_industry=?)" in by_class and "B-TREE FOR GROUP BY" not in by_class, by_class
    assert "B-TREE FOR GROUP BY" in plan("C26")


def test_a_parcel_search_within_a_province_reads_its_share_of_the_class_alone(app, db):
    """With a parcel's province, the projects come from the index on the industry and the place (a province's
    share of a class: 5,340 of C3360's 59,384 at national scale), then are counted by firm; the same counts as
    without it, the withheld firm's own projects recounted one by one."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan of SQLite's planner (PostgreSQL's reads the table's statistics)")
    kept, withheld = f.make_uscc(), f.make_uscc()
    f.create(f.unit_record(kept), f.unit_record(withheld),
             *(f.project_record(kept, name=f"化工{n}", former_industry="C2614", division_code=division)
               for n, division in enumerate(["370211", "370212", "320506"])),
             f.project_record(withheld, name="苏州化工", former_industry="C2614", division_code="320506"),
             f.project_record(withheld, name="青岛化工", former_industry="C2614", division_code="370211"))
    ids = {uscc: unit_id for uscc, unit_id in db.session.execute(select(Unit.uscc, Unit.id))}
    db.session.execute(update(Unit).where(Unit.uscc == withheld).values(
        non_disclosure_reason="依法不予公开", non_disclosure_scope="32"))
    conditions = parcel_conditions(industry="C2614", province="37")
    counting = public_projects_per_firm(conditions, within_place=True)
    statements, counted = statements_sent(db, lambda: db.session.execute(counting).all())
    assert sorted(counted) == sorted([(ids[kept], 2), (ids[withheld], 1)])
    assert sorted(db.session.execute(public_projects_per_firm(conditions)).all()) == sorted(counted)
    plan = sqlite_plan(db, *statements[0])
    assert "ix_project_parcel_place (former_industry=? AND division_code>? AND division_code<?)" in plan, plan


def test_a_parcel_search_counts_each_firm_as_project_public_does_and_reads_only_the_few_firms_set_aside(app, db):
    """Plain firms' projects are counted as they stand; the firms `unit_basic_withheld` selects (unsigned,
    suspended, withheld) are set aside by key, and a withheld firm that publishes is recounted through
    `project_public`: per firm, the counts `project_public` gives project by project, across the country and
    within a province, and among a comparison's firms. SQLite reads the firms set aside from their partial index,
    not every firm's row."""
    plain, unsigned, suspended, scoped, whole = (f.make_uscc() for _ in range(5))
    f.create(f.unit_record(plain), f.unit_record(unsigned, signed=False), f.unit_record(suspended),
             f.unit_record(scoped), f.unit_record(whole),
             *(f.project_record(uscc, name=f"化工{uscc[-4:]}{n}", former_industry="C2614", division_code=division)
               for uscc in (plain, unsigned, suspended, scoped, whole)
               for n, division in enumerate(["370211", "320506", "320507"])))
    db.session.execute(update(Unit).where(Unit.uscc == suspended).values(registration_suspended_at=func.now()))
    db.session.execute(update(Unit).where(Unit.uscc == scoped).values(non_disclosure_reason="依法不予公开",
                                                                       non_disclosure_scope="32"))
    db.session.execute(update(Unit).where(Unit.uscc == whole).values(non_disclosure_reason="依法不予公开"))
    ids = {uscc: unit_id for uscc, unit_id in db.session.execute(select(Unit.uscc, Unit.id))}
    for province, expected in ((None, {ids[plain]: 3, ids[scoped]: 1}), ("32", {ids[plain]: 2})):
        conditions = parcel_conditions(industry="C2614", province=province)
        one_by_one = dict(db.session.execute(
            select(Project.unit_id, func.count()).join(Unit, Unit.id == Project.unit_id)
            .where(project_public(), *conditions).group_by(Project.unit_id)).all())
        statements, counted = statements_sent(db, lambda: db.session.execute(
            public_projects_per_firm(conditions, within_place=province is not None)).all())
        assert dict(counted) == one_by_one == expected
        among = [ids[scoped], ids[unsigned]]  # a comparison's firms: the same counts, of these alone
        assert dict(db.session.execute(public_projects_per_firm(conditions, within_place=province is not None,
                                                                among=among)).all()) == \
            {unit_id: n for unit_id, n in expected.items() if unit_id in among}
        if db.engine.dialect.name == "sqlite":
            plan = sqlite_plan(db, *statements[0])
            assert "ix_unit_basic_withheld" in plan and "ix_unit_withheld" in plan, plan


def test_the_prefix_range_holds_every_value_the_prefix_test_holds_and_no_other(app, db):
    """The range beside the LIKE lets an index answer; it must never drop a value the LIKE keeps."""
    uscc = f.make_uscc()
    codes = ["C", "C26", "C261", "C2614", "C2619", "C27", "C33", "B", "D"]
    f.create(f.unit_record(uscc), *[f.project_record(uscc, f"PR-{n}", name=code, former_industry=code)
                                   for n, code in enumerate(codes)])
    for prefix in ["C", "C2", "C26", "C261", "C2614", "C27", "B", "D", "Z"]:
        expected = {code for code in codes if code.startswith(prefix)}
        assert names_where(db, *prefix_range(Project.former_industry, prefix)) == expected, prefix
        assert names_where(db, starts_with(Project.former_industry, prefix)) == expected, prefix
    assert prefix_range(Project.former_industry, "C_") == []  # not letters and digits: the LIKE alone decides


def test_a_page_knows_its_neighbours_and_a_page_past_the_end_is_empty(app, db):
    uscc = f.make_uscc()
    f.create(f.unit_record(uscc), *[f.project_record(uscc, f"PG-{n:02d}") for n in range(45)])
    statement = select(Project).order_by(Project.ref)
    first, last, beyond = (paginate(statement, number, 20) for number in (1, 3, 9))
    assert [p.ref for p in first.items][:2] == ["PG-00", "PG-01"] and first.total == 45 and first.pages == 3
    assert first.has_next and not first.has_prev
    assert len(last.items) == 5 and last.has_prev and not last.has_next
    assert beyond.items == [] and beyond.total == 45 and beyond.page == 9
    assert paginate(statement, 0, 20).page == 1
    assert page_count(0, 20) == 1 and page_count(40, 20) == 2 and page_count(41, 20) == 3
    assert not Page([], 0, 1, 20).has_next and Page([], 21, 1, 20).has_next


def test_a_like_pattern_given_as_a_value_selects_what_the_bare_pattern_selects_and_sqlite_casts_it(app, db):
    """SQLite prepares a statement again on each run whose LIKE pattern is a bare parameter: `pattern` hands it
    a CAST, which it plans once. The patterns select the same rows, wildcards and escapes as typed."""
    uscc = f.make_uscc()
    f.create(f.unit_record(uscc), *[f.project_record(uscc, name=name) for name in NAMES])
    for typed in ("%地块", "A\\_%", "%100\\%%", "C\\\\D%", "%"):
        assert names_where(db, Project.name.like(pattern(typed), escape=ESCAPE)) == \
            names_where(db, Project.name.like(typed, escape=ESCAPE)), typed
    assert names_where(db, Project.name.like(pattern("%地块"), escape=ESCAPE)) == {"A_B地块", "C\\D地块", "普通地块"}
    assert names_where(db, Project.name.like(pattern("A\\_%"), escape=ESCAPE)) == {"A_B地块"}
    sent, _ = statements_sent(db, lambda: names_where(db, contains(Project.name, "地块")))
    [(statement, _parameters)] = sent
    cast = "LIKE CAST(? AS TEXT)" in statement
    assert cast if db.engine.dialect.name == "sqlite" else not cast and "CAST" not in statement, statement


def test_a_condition_given_its_share_of_rows_selects_what_it_selects_bare(app, db):
    uscc = f.make_uscc()
    f.create(f.unit_record(uscc), *[f.project_record(uscc, name=name) for name in NAMES])
    assert names_where(db, likelihood(Project.name == "普通地块", 0.25)) == {"普通地块"}
    assert names_where(db, ~likelihood(Project.name == "普通地块", 0.25)) == set(NAMES) - {"普通地块"}
    assert names_where(db, likelihood(contains(Project.name, "地块"), 0.9), Project.name != "A_B地块") == \
        {"C\\D地块", "普通地块"}
    with pytest.raises(ValueError, match="between 0 and 1"):
        likelihood(Project.name == "普通地块", 1.5)


def test_sqlite_reads_a_firms_findings_through_its_projects_not_every_finding_of_the_country(app, db):
    """The finding counts a write keeps for the search hits (`figures.refresh`) and the profile's findings: by
    the firm's projects and each project's complaints (ix_complaint_project_id), never every substantiated
    complaint by status and then its project (1.6-1.9 ms a page at national scale, against 0.1-0.2). SQLite keeps
    no statistics, so its plan depends on the schema alone, and an empty database shows it."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan of SQLite's planner (PostgreSQL's reads the table's statistics)")
    uscc = f.make_uscc()
    f.create(f.unit_record(uscc), f.project_record(uscc, "PR-F1"), f.complaint_record("PR-F1", status="substantiated"))
    unit_id = db.session.scalar(select(Unit.id).where(Unit.uscc == uscc))

    def read_findings():
        figures.refresh([unit_id])  # counted again as a write does, then rolled back
        assert unit_summaries([unit_id])[0].finding_count == 1
        assert len(unit_profile(uscc, 1, 1, 1).findings) == 1
        db.session.rollback()

    statements, _ = statements_sent(db, read_findings)
    counted = [s for s in statements if "count(" in s[0] and "JOIN complaint ON complaint.project_id" in s[0]]
    listed = [s for s in statements if s[0].lstrip().startswith("SELECT complaint.id")]
    assert counted and listed
    for statement, parameters in counted + listed:
        plan = sqlite_plan(db, statement, parameters)
        assert "ix_complaint_project_id" in plan and "ix_complaint_status" not in plan, plan


def test_a_set_of_keys_of_any_size_selects_exactly_its_rows_in_few_statements(app, db):
    """`in_keys`, the importer's lookups: PostgreSQL takes any number of keys as one array, SQLite IN lists of at
    most SQLITE_IN_KEYS; the rows selected are those whose column holds one of the keys, whatever their type."""
    usccs = [f.make_uscc() for _ in range(3)]
    f.create(*[f.unit_record(uscc) for uscc in usccs])
    ids = dict(db.session.execute(select(Unit.uscc, Unit.id)).all())
    dialect = db.engine.dialect.name
    for column, wanted in ((Unit.uscc, usccs[:2]), (Unit.id, [ids[usccs[2]]])):
        keys = wanted + [f"absent-{n}" if column is Unit.uscc else -n for n in range(1, 2 * SQLITE_IN_KEYS + 1)]
        conditions = list(in_keys(dialect, column, keys))
        assert len(conditions) == (1 if dialect == "postgresql" else 3)
        found = {row for condition in conditions for row in db.session.scalars(select(column).where(condition))}
        assert found == set(wanted)
    assert list(in_keys(dialect, Unit.id, [])) == []
