"""SQL idioms the reads share, written once: text matched literally (LIKE with `%` and `_` escaped), and the
projects the trigram index says may hold a text; the filters on a project's parcel; and statements built once
with their values as parameters."""
from decimal import Decimal

from flask import current_app
from sqlalchemy import ARRAY, Integer, and_, bindparam, func, literal_column, or_, select, table, union_all
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import iterate

from registry.database import ESCAPE, escape_like, pattern, plan_with_values, prefix_range
from registry.extensions import db
from registry.models import Project, Unit
from registry.rules.industries import is_industry_class
from registry.visibility import (firm_publishes_projects, project_public, project_public_of_basic_public_firm,
                                 publicity_rules, unit_basic_withheld)


def read(statement, params: dict | None = None):
    """The rows of a SELECT of plain columns (no ORM entity), run on the session's connection: in the session's
    transaction, after its pending changes are flushed, as `session.execute` runs it, without the ORM's handling
    of the statement and its result, which plain columns do not need. A firm profile's eight such statements:
    0.73 ms through the session, 0.46 ms this way (national SQLite)."""
    session = db.session()
    session.flush()
    return session.connection().execute(statement, params or {})


def joined_text(expression):
    """An aggregate: `expression`'s values joined with commas in one text (string_agg, group_concat). The comma is
    written into the statement: `aggregate_strings` given a string makes it a value rendered into the statement's
    text at every execution."""
    return func.aggregate_strings(expression, literal_column("','"))


def prepared(name: str, build):
    """`build(rules)`, once for the app's table of publicity rules (a test may set another): statements a page
    runs with its values as parameters, whose visibility clauses cost more to build than to run."""
    rules = publicity_rules()
    cache = current_app.extensions.setdefault("prepared_statements", {})
    held = cache.get(name)
    if held is None or held[0] is not rules:  # the rules are held, so their id is never another table's
        held = cache[name] = (rules, build(rules))
    return held[1]



def public_projects_per_firm(conditions: list, within_place: bool = False, among: list[int] | None = None):
    """Per firm (`unit_id`): its public projects meeting `conditions` (on the project alone): `n`, never 0; of the
    firms `among` only, when given.

    The projects are counted from an index before any firm is read. A firm whose basic information is public
    publishes exactly its projects not withheld themselves, and the others are few (`unit_basic_withheld`, an
    index of their own): the counts of those few are set aside by key, and the withheld firms that publish (rarer
    still) count their projects again one by one through `project_public`. Reading each project's firm was most of
    a parcel search across the country (39,090 projects of 26,741 firms, national SQLite: 93 ms, 51 reading each
    counting firm once); reading each counting firm was most of what remained (national PostgreSQL: a pass over
    every firm, C2631 47 -> 22 ms, C3360 in Guangdong 12 -> 3.3).

    `within_place`: the conditions hold a parcel's place (`parcel_conditions`' province). Its projects are then
    read through the index on the industry and the place, and only then counted by firm: the index in firm order
    reads the whole class across the country (C3360 in Guangdong, national SQLite: 59,384 index entries read for
    5,340 projects, 5.4 -> 2.0 ms). Fenced (OFFSET 0), as SQLite otherwise keeps the index in firm order, which
    spares the count a sort."""
    if among is not None:
        conditions = [*conditions, Project.unit_id.in_(among)]
    # of a few firms, their own rows, not the whole index of the firms set aside (a comparison: 0.9 -> 0.1 ms)
    of_firms = [] if among is None else [Unit.id.in_(among)]
    as_they_stand = projects_per_basic_public_firm(conditions, within_place, of_firms)
    withheld = (select(func.count()).select_from(Project)
                .where(Project.unit_id == Unit.id, project_public(), *conditions).correlate(Unit).scalar_subquery())
    withheld_firms = (select(Unit.id.label("unit_id"), withheld.label("n"))
                      .where(Unit.non_disclosure_reason.is_not(None), firm_publishes_projects(), *of_firms)
                      .subquery("withheld_firms"))
    return union_all(as_they_stand, select(withheld_firms).where(withheld_firms.c.n > 0))


def projects_per_basic_public_firm(conditions: list, within_place: bool = False, of_firms: list = ()):
    """Per firm whose basic information is public (`unit_id`): its projects not withheld meeting `conditions`, which
    are all its public ones (`project_public_of_basic_public_firm`): `n`, never 0. Counted from an index before any
    firm is read; the few other firms are set aside by their own index (`unit_basic_withheld`), of the firms
    `of_firms` when given. `within_place`: as `public_projects_per_firm`."""
    matching = select(Project.unit_id).where(project_public_of_basic_public_firm(), *conditions)
    if within_place:
        matching = matching.offset(0)
    matching = matching.subquery("matching_projects")
    projects = (select(matching.c.unit_id.label("unit_id"), func.count().label("n"))
                .group_by(matching.c.unit_id).subquery("projects"))
    set_aside = select(Unit.id).where(unit_basic_withheld(), *of_firms)
    return select(projects.c.unit_id, projects.c.n).where(projects.c.unit_id.not_in(set_aside))


def contains(column, text: str):
    """A SQL clause: the column holds the text, literally, anywhere."""
    return column.like(pattern("%" + escape_like(text) + "%"), escape=ESCAPE)


def starts_with(column, text: str, name: str | None = None):
    """A SQL clause: the column begins with the text, literally (a code and its subdivisions); `name`: the
    pattern is the parameter of that name."""
    value = escape_like(text) + "%"
    return column.like(pattern(value if name is None else bindparam(name, value)), escape=ESCAPE)


def starts_with_code(column, code: str, name: str | None = None):
    """A SQL clause: a column of digit codes (divisions) begins with these digits, written as a range, which an
    index on the column can answer (SQLite uses no index for LIKE on a case-sensitive column). `name`: the
    bounds are the parameters `{name}_from` and `{name}_to`."""
    if not (code.isascii() and code.isdigit()):
        raise ValueError(f"not a digit code: {code!r}")
    return and_(*prefix_range(column, code, name))


def contains_in_any(columns, text: str):
    """A SQL clause: one of the columns holds the text, literally."""
    return or_(*(contains(column, text) for column in columns))


PROJECT_TEXT_COLUMNS = (Project.name, Project.parcel_name, Project.owner)
# The text of the trigram index (migration 0027): those columns and the reference. The PostgreSQL index's
# expression, written as the index writes it (the planner uses the index for this expression only); on SQLite,
# an FTS5 table of it.
PROJECT_TEXT = literal_column("project.ref || chr(10) || project.name || chr(10) || "
                              "coalesce(project.parcel_name, '') || chr(10) || coalesce(project.owner, '')")
TRIGRAM = 3
ALL_TRIGRAMS_UP_TO = 8  # characters: a text this long or shorter is looked up by each of its trigrams
# Candidates the trigram index may propose before a list rather walks its own order (a common word's first page)
FEW_CANDIDATES = 10_000


def project_text_candidates(text: str):
    """A select of the ids of the projects whose reference, name, parcel or owner may hold `text`, from the
    trigram index: every project that holds it, and the few that hold its trigrams apart (`contains_in_any` keeps
    only the first). None where the index does not narrow the search: a text shorter
    than a trigram, or one that FEW_CANDIDATES projects or more may hold (a common word, whose first page a walk of
    the list's order finds sooner)."""
    if len(text) < TRIGRAM:
        return None
    if db.engine.dialect.name == "postgresql":
        plan_with_values(db.session)  # planned for any text, the candidates were thought many (10 times slower)
        found = list(db.session.scalars(select(Project.id).where(PROJECT_TEXT.like("%" + escape_like(text) + "%"))
                                        .limit(FEW_CANDIDATES)))
        # the ids themselves, as one array, so that the statements reading them are planned for their number: as
        # a subquery, PostgreSQL once judged the list's own LIKEs rarer (81 rows for 2,628) and tested every
        # project with them, then each against the index (a fresh national build: 346 ms for 21)
        return select(func.unnest(bindparam("candidates", found, type_=ARRAY(Integer)))) \
            if len(found) < FEW_CANDIDATES else None
    # FTS5: the text's trigrams (a phrase needs positions, which the table does not keep); of a longer text, those
    # that cover it end to end (all of them found the same candidates 3 to 5 times slower, 12 characters: 16.7 ->
    # 5.5 ms), of a shorter one all (its cover found too many: a reference's D-B4200, 10,000 or more)
    starts = range(len(text) - TRIGRAM + 1) if len(text) <= ALL_TRIGRAMS_UP_TO else \
        [*range(0, len(text) - TRIGRAM, TRIGRAM), len(text) - TRIGRAM]
    trigrams = {text[start:start + TRIGRAM] for start in starts}
    query = " ".join('"' + trigram.replace('"', '""') + '"' for trigram in sorted(trigrams))
    candidates = select(literal_column("rowid")).select_from(table("project_text")) \
        .where(literal_column("project_text").match(query))
    held = db.session.scalar(select(func.count()).select_from(candidates.limit(FEW_CANDIDATES).subquery()))
    return candidates if held < FEW_CANDIDATES else None


def parcel_conditions(industry: str | None = None, min_area: Decimal | None = None,
                      max_area: Decimal | None = None, province: str | None = None, category: str | None = None,
                      place_as_range: bool = True) -> list:
    """SQL clauses on a project's parcel: its former industry (a national-economy code of any level, section to
    class, matching it and every finer code), its area range in m², the province (or any division prefix) where
    it lies; and the project's service category. Unset filters add nothing. `place_as_range` False: the place is
    tested on each project read, not looked up as a range of the index.

    Each value is a parameter named for its filter (`parcel_*`), so that a statement built once from one parcel's
    clauses runs with the values of another's of the same filters (`named_values`, `similar_parcels`)."""
    conditions = [Project.category == bindparam("parcel_category", category)] if category else []
    if industry:
        code = industry.upper()
        # a class has no finer code, so its projects are those of the code itself: an index on the industry then
        # the firm hands them over in firm order, and a count by firm needs no sort
        conditions += ([Project.former_industry == bindparam("parcel_industry", code)] if is_industry_class(code)
                       else [starts_with(Project.former_industry, code, "parcel_industry"),
                             *prefix_range(Project.former_industry, code, "parcel_industry")])
    if min_area is not None:
        conditions.append(Project.area_m2 >= bindparam("parcel_min_area", min_area))
    if max_area is not None:
        conditions.append(Project.area_m2 <= bindparam("parcel_max_area", max_area))
    if province:
        # as a range, which the index on the industry and the place answers, and which alone is the exact test of a
        # digit prefix (a LIKE beside it tested each entry again: C2521 in Jiangsu, national SQLite, 7,913 entries,
        # 5.2 -> 4.4 ms); else a LIKE, which no index answers
        conditions.append(starts_with_code(Project.division_code, province, "parcel_place") if place_as_range
                          else starts_with(Project.division_code, province, "parcel_place"))
    return conditions


def prepared_for_shape(name: str, values: dict, build):
    """`prepared`, once for each shape of `values` (their names, as `named_values` reads them): the statement
    built for one search's clauses runs with the values of any other of that shape."""
    return prepared(f"{name}:{','.join(sorted(values))}", build)


def named_values(clauses: list) -> dict:
    """The values of these clauses' parameters by name (`parcel_conditions`'); their names, sorted, are the
    clauses' shape. A statement built once from one parcel's clauses runs with another's values of the same
    shape. An unnamed value would stay what it was when the statement was built, whatever was asked later: a
    clause holding one is refused."""
    values = {}
    for clause in clauses:
        for element in iterate(clause):
            if isinstance(element, BindParameter):
                if element.unique:
                    raise ValueError(f"a clause with an unnamed value: {clause}")
                values[element.key] = element.value
    return values
