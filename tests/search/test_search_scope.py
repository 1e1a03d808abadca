"""A firm search within a province or a practice category, on both backends: the firm's document holds its scope
(`scope_words`), and the index restricted to a scope answers exactly what it answers given the firms the filters
allow, which SQL lists; after an import changes a firm's province, categories or publicity too. On PostgreSQL,
migration 0035 adds the scopes to the documents there as a fresh write does; a Whoosh index built before its
documents held their scope still answers, through the allowed firms, until a reindex."""
import pytest
from sqlalchemy import select

from registry.access import SYSTEM
from registry.clock import today
from registry.exchange import import_records
from registry.extensions import db
from registry.models import SearchEntry, Unit
from registry.queries.search import UnitFilters, _allowed_firms, search_units
from registry.search import Scope, backend, rebuild_index
from registry.search import whoosh_backend
from registry.search.postgres_backend import PLANS, STATEMENTS, PostgresBackend, fresh_frequencies
from registry.services.demo import generate_records
from tests.factories import unit_record
from tests.search.test_postgres_backend import QUERIES, held_frequencies, held_terms

SCOPES = [Scope("32"), Scope(None, "investigation"), Scope("32", "investigation"), Scope("11", "monitoring"),
          Scope("44", "remediation_construction"), Scope("65")]


def allowed(scope: Scope) -> set[int]:
    """The firms the filters of this scope allow, listed by SQL."""
    return _allowed_firms(UnitFilters(province=scope.province, category=scope.category), today())


def compare(index, queries: list[str]) -> int:
    """Each query within each scope, against the same query given the allowed firms; how many found any."""
    found = 0
    for query in queries:
        for scope in SCOPES:
            among = allowed(scope)
            for limit in (20, 5, 1):
                expected = index.query(query, "unit", allowed=among, limit=limit) if among else []
                assert index.query(query, "unit", scope=scope, limit=limit) == expected, (query, scope, limit)
                found += bool(expected)
    return found


def test_a_search_within_a_scope_finds_the_firms_the_allowed_firms_give_in_the_same_order(app):
    import_records(SYSTEM, list(generate_records(80, seed=7)))
    names = list(db.session.scalars(select(Unit.name).order_by(Unit.id).limit(10)))
    rebuild_index(only_if_missing=True)  # Whoosh: as the first search builds it
    assert backend().scopes
    assert compare(backend(), QUERIES + names) > 60
    assert not backend().query("环保", "unit", scope=Scope("99"))  # a province of no firm
    assert not backend().query("环保", "unit", scope=Scope("32", "no_such_category"))


@pytest.mark.postgres_only
@pytest.mark.parametrize("plan", PLANS)
def test_each_postgresql_plan_within_a_scope_finds_what_the_allowed_firms_give(app, plan):
    import_records(SYSTEM, list(generate_records(80, seed=7)))
    names = list(db.session.scalars(select(Unit.name).order_by(Unit.id).limit(10)))
    assert compare(PostgresBackend(db.session, plan=plan), QUERIES + names) > 60


def test_a_firms_scope_follows_an_import_of_its_province_categories_and_withholding(app, search_backend):
    import_records(SYSTEM, list(generate_records(30, seed=11)))
    firm = unit_record(name="江苏范围测试环保有限公司", division_code="320506", categories=["investigation"])
    import_records(SYSTEM, [firm])
    rebuild_index(only_if_missing=True)
    index = backend()
    name = firm["name"]

    def finds(scope: Scope) -> bool:
        return name in [db.session.get(Unit, i).name for i in index.query(name, "unit", scope=scope)]

    assert finds(Scope("32", "investigation")) and not finds(Scope("37")) and not finds(Scope(None, "monitoring"))
    import_records(SYSTEM, [{**firm, "division_code": "370202", "categories": ["monitoring", "risk_assessment"]}])
    assert finds(Scope("37", "monitoring")) and finds(Scope(None, "risk_assessment"))
    assert not finds(Scope("32")) and not finds(Scope(None, "investigation"))
    assert compare(index, [name, "范围测试", "环保"]) > 0
    import_records(SYSTEM, [{**firm, "division_code": "370202", "categories": ["monitoring"],
                             "non_disclosed": {"reason": "依法不予公开"}}])
    assert not any(finds(scope) for scope in (Scope("37"), Scope(None, "monitoring"), Scope("37", "monitoring")))
    compare(index, [name, "环保"])
    if search_backend == "postgresql":
        assert held_frequencies() == fresh_frequencies(db.session)
    else:
        assert backend().check_against_database(db.session, repair=False).consistent


def test_a_filtered_text_search_answers_alike_through_the_scope_and_through_the_allowed_firms(app, monkeypatch):
    """`search_units` restricts a text query by a province or a category to the index's scope; the same search
    given the allowed firms, as a backend without scopes is, gives the same page."""
    import_records(SYSTEM, list(generate_records(60, seed=13)))
    searches = [UnitFilters(q=q, province=p, category=c, sort=sort) for q in ("环保", "苏州", "修复", "有限公司")
                for p, c in (("32", None), (None, "investigation"), ("32", "investigation"), ("37", "monitoring"))
                for sort in ("relevance", "name")]

    def pages() -> list:
        return [[(s.id, s.name) for s in search_units(filters, page, 5).items] + [search_units(filters, page, 5).total]
                for filters in searches for page in (1, 2)]

    rebuild_index(only_if_missing=True)
    assert backend().scopes
    scoped = pages()
    # this backend as one whose documents hold no scope: the allowed firms are listed
    monkeypatch.setattr(type(backend()), "scopes", False)
    STATEMENTS.clear()
    assert pages() == scoped
    assert sum(len(page) > 1 for page in scoped) > 20


@pytest.mark.whoosh_only
def test_a_whoosh_index_built_without_scopes_answers_through_the_allowed_firms_until_a_reindex(app, monkeypatch):
    """An index an earlier version built holds no scope: a filtered search lists the allowed firms, as before;
    a write adds its documents without one; a check finds every firm with a scope stale; a reindex adds them."""
    import_records(SYSTEM, list(generate_records(40, seed=17)))
    within = UnitFilters(q="环保", province="32", category="investigation")
    expected = [(s.id, s.name) for s in search_units(within, 1, 5).items]
    assert expected
    earlier, fields = whoosh_backend.make_schema(), whoosh_backend.document_fields
    earlier.remove("scope")
    monkeypatch.setattr(whoosh_backend, "make_schema", lambda: earlier)
    monkeypatch.setattr(whoosh_backend, "document_fields",
                        lambda document: {name: value for name, value in fields(document).items() if name != "scope"})
    rebuild_index()
    monkeypatch.undo()
    assert not backend().scopes
    with pytest.raises(ValueError):
        backend().query("环保", "unit", scope=Scope("32"))
    STATEMENTS.clear()
    assert [(s.id, s.name) for s in search_units(within, 1, 5).items] == expected
    firm = unit_record(name="江苏旧索引环保有限公司", division_code="320506", categories=["investigation"])
    import_records(SYSTEM, [firm])  # written into the earlier index, without the field it lacks
    found = [s.name for s in search_units(UnitFilters(q="旧索引", province="32"), 1, 5).items]
    assert found == [firm["name"]]
    through_allowed = [(s.id, s.name) for s in search_units(within, 1, 5).items]
    assert through_allowed[:len(expected)] == expected and firm["name"] in dict(through_allowed).values()
    check = backend().check_against_database(db.session, repair=False)
    assert check.stale > 20 and not check.missing and not check.extra
    rebuild_index()
    assert backend().scopes and backend().check_against_database(db.session, repair=False).consistent
    assert [(s.id, s.name) for s in search_units(within, 1, 5).items] == through_allowed


@pytest.mark.postgres_only
def test_the_migration_adds_the_scopes_to_the_documents_there_as_a_fresh_write_does(app):
    """Migration 0035 derives each firm's scope terms in SQL: the documents and the frequency table then equal
    those written afresh; its downgrade takes them away again."""
    from flask_migrate import downgrade, upgrade

    import_records(SYSTEM, list(generate_records(20, seed=29)))
    import_records(SYSTEM, [unit_record(division_code="320506", categories=["investigation", "monitoring"]),
                            unit_record(division_code="320506", non_disclosed={"reason": "依法不予公开"}),
                            unit_record(division_code="110105", signed=False)])
    written, frequencies = held_terms(), held_frequencies()
    assert sum(any(term.startswith("uf:") for term in terms) for terms in written.values()) >= 15
    db.session.commit()
    downgrade(revision="0034")
    assert not any(term.startswith("uf:") for terms in held_terms().values() for term in terms)
    assert held_frequencies() == fresh_frequencies(db.session)
    upgrade()
    assert held_terms() == written
    assert held_frequencies() == frequencies == fresh_frequencies(db.session)
    unsigned = db.session.scalar(select(SearchEntry.terms).join(Unit, Unit.id == SearchEntry.record_id)
                                 .where(SearchEntry.record_type == "unit", Unit.commitment_signed_at.is_(None)))
    assert unsigned is None or not any(term.startswith("uf:") for term in unsigned)
