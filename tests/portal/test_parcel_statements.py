"""A parcel search's statements are built once for each shape of criteria and run with the values of every later
search of that shape (`similar_parcels`, and the API's parcel search `_parcel_page`): each answer equals the one
built for that search alone."""
from decimal import Decimal
from itertools import product

import pytest
from flask import current_app
from sqlalchemy import select

from registry.models import Project
from registry.queries.search import UnitFilters, search_units
from registry.queries.similar import similar_parcels
from registry.queries.sql import named_values, parcel_conditions
from tests.factories import create, make_uscc, project_record, unit_record

# (industry, area, division, category) of each firm's projects: firms in three provinces, projects of two
# classes of one group, another division, small and large parcels, two services
PARCELS = [("C2521", 3000, "320506", "investigation"), ("C2521", 80000, "320506", "risk_assessment"),
           ("C2522", 12000, "140105", "investigation"), ("C2614", 40000, "320211", "remediation_construction"),
           ("C2614", 900, "330106", "investigation"), ("C1713", 60000, "330106", "risk_assessment")]
SEARCHES = [dict(zip(("industry", "min_area", "max_area", "province", "category"), values)) for values in product(
    ("C2521", "C252", "C26", None), (None, Decimal(1000)), (None, Decimal(50000)), (None, "32", "33"),
    (None, "investigation"))]


@pytest.fixture
def parcels(app):
    """Twelve firms, each with two to four projects of PARCELS, so that rankings have ties and pages of two."""
    records = []
    for n in range(12):
        province = ("320500", "140100", "330100")[n % 3]
        uscc = make_uscc(province)
        records.append(unit_record(uscc, division_code=province[:4] + "06"))
        for k in range(2 + n % 3):
            industry, area, division, category = PARCELS[(n + k * 5) % len(PARCELS)]
            records.append(project_record(uscc, former_industry=industry, area_m2=area + n * 100,
                                          division_code=division, category=category))
    create(*records)


def answers(search, kept_as: str) -> list:
    """Each search's answer, page 1 and page 2 of two firms: once with the statements of the searches of its
    shape before it (kept under names starting `kept_as`), once with statements built for it alone. Searches of
    one shape answer differently, so a value kept from an earlier search would show."""
    current_app.extensions.setdefault("prepared_statements", {}).clear()
    kept = [search(criteria, page) for criteria in SEARCHES for page in (1, 2)]
    shapes = {name for name in current_app.extensions["prepared_statements"] if name.startswith(kept_as)}
    assert len(shapes) >= 10
    by_shape: dict = {}
    for criteria, answer in zip([c for c in SEARCHES for _ in (1, 2)], kept):
        by_shape.setdefault(tuple(value is None for value in criteria.values()), set()).add(repr(answer))
    assert sum(len(differing) > 1 for differing in by_shape.values()) >= 10
    alone = []
    for criteria in SEARCHES:
        for page in (1, 2):
            current_app.extensions["prepared_statements"].clear()
            alone.append(search(criteria, page))
    assert kept == alone
    return kept


def test_the_similar_parcel_page_answers_each_search_as_one_built_for_it(client, parcels):
    def search(criteria, page):
        found = similar_parcels(**criteria, page=page, per_page=2)
        return found.total, [(m.unit.id, m.matching, [p.ref for p in m.projects]) for m in found.items]

    with client.application.test_request_context("/similar"):
        found = answers(search, "similar_parcels:")
    assert sum(1 for total, items in found if items) >= 40


def test_the_api_parcel_search_answers_each_search_as_one_built_for_it(client, parcels):
    def search(criteria, page):
        criteria = {k: v for k, v in criteria.items() if k != "category"}  # the firm's category: another path
        found = search_units(UnitFilters(**criteria), page, 2)
        return found.total, [s.id for s in found.items]

    with client.application.test_request_context("/api/v1/units"):
        found = answers(search, "parcel_search:")
    assert sum(1 for total, items in found if items) >= 40


def test_a_parcel_clause_with_an_unnamed_value_is_refused(app):
    with app.app_context():
        assert named_values(parcel_conditions("C252", Decimal(10), None, "32", "investigation")) == {
            "parcel_category": "investigation", "parcel_industry": "C252%", "parcel_industry_from": "C252",
            "parcel_industry_to": "C253", "parcel_min_area": Decimal(10),
            "parcel_place_from": "32", "parcel_place_to": "33"}
        with pytest.raises(ValueError, match="unnamed value"):
            named_values([Project.area_m2 >= Decimal(10)])
        assert named_values([Project.id.in_(select(Project.id))]) == {}
