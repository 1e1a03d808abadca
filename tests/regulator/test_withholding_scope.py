"""A withheld firm is named nowhere, not even through its staff; a firm's withhold covers
its basic information and the withholding authority's own records, never another authority's; a withhold can be
lifted, with a reason, audited. Each attack of the issue, replayed."""
import pytest
from sqlalchemy import func, select

from registry.access import SYSTEM, AccessDenied, Actor
from registry.models import AuditEvent, Person, Project, Review, Unit
from registry.queries.sql import public_projects_per_firm
from registry.visibility import project_public, review_public, unit_basic_public
from registry.rules.disclosure import firm_withhold_covers, project_is_public
from registry.rules.errors import RuleViolation
from registry.services.disclosure import lift_non_disclosure, mark_non_disclosed
from registry.services.regulator_accounts import create_regulator
from tests import factories as f
from tests.factories import login
from tests.regulator.conftest import PASSWORD, actor_for

WITHHOLD = {"ground": "third_party", "explanation": "涉及地块权利人的商业秘密"}


@pytest.fixture
def district(db, world) -> Actor:
    """The regulator of Qingdao's Huangdao district (370211), where the Qingdao firm is registered."""
    account = create_regulator(SYSTEM, username="hd-official", display_name="黄岛监管", division_code="370211",
                               authority_name="青岛市黄岛区生态环境分局", password=PASSWORD)
    return Actor.of(account, "127.0.0.1")


@pytest.fixture
def city_project(db, world) -> str:
    """A project of the Qingdao firm in another district (370212), reviewed by the city: the city's records."""
    unit = db.session.get(Unit, world.qd.unit)
    f.create(f.project_record(unit.uscc, "青岛-P3", division_code="370212", name="崂山化工厂地块修复"),
             f.review_record("青岛-P3", 1, passed=True, authority="青岛市生态环境局", authority_division_code="370200"))
    return "青岛-P3"


def public(db, model, ref_or_id) -> bool:
    statement = select(model.id)
    if model is Review:
        statement = statement.join(Project, Project.id == Review.project_id).where(Project.ref == ref_or_id)
    else:
        statement = statement.where(Project.ref == ref_or_id) if model is Project else statement.where(
            Unit.id == ref_or_id)
    clause = {Unit: unit_basic_public, Project: project_public, Review: review_public}[model]()
    if model is not Unit:
        statement = statement.join(Unit, Unit.id == Project.unit_id)
    return db.session.scalar(statement.where(clause)) is not None


# ---- the rule, with plain values ---------------------------------------------------------------------------

def test_a_withhold_covers_the_records_within_the_withholding_jurisdiction_only():
    assert firm_withhold_covers(firm_withheld=True, scope="370211", division_code="370211")
    assert not firm_withhold_covers(firm_withheld=True, scope="370211", division_code="370212")
    assert not firm_withhold_covers(firm_withheld=True, scope="370211", division_code="370200")
    assert firm_withhold_covers(firm_withheld=True, scope="3702", division_code="370212")
    assert firm_withhold_covers(firm_withheld=True, scope=None, division_code="110108")  # an import's: all
    assert not firm_withhold_covers(firm_withheld=False, scope=None, division_code="370211")
    assert project_is_public(commitment_in_force=True, non_disclosed=False, covered_by_firm_withhold=False)
    assert not project_is_public(commitment_in_force=True, non_disclosed=False, covered_by_firm_withhold=True)


def test_the_sql_clauses_agree_with_the_rule_record_by_record(db, world, district, city_project):
    mark_non_disclosed(district, "unit", world.qd.unit, **WITHHOLD)
    rows = db.session.execute(
        select(Project, Unit, project_public().label("shown")).join(Unit, Unit.id == Project.unit_id)).all()
    assert len(rows) == 3  # Qingdao's two projects (one covered, one not) and Hefei's
    for project, unit, shown in rows:
        covered = firm_withhold_covers(firm_withheld=unit.non_disclosure_reason is not None,
                                       scope=unit.non_disclosure_scope, division_code=project.division_code)
        assert bool(shown) == project_is_public(commitment_in_force=unit.commitment_signed_at is not None,
                                                non_disclosed=project.non_disclosure_reason is not None,
                                                covered_by_firm_withhold=covered), project.ref


# ---- a neighbour's withhold hides only its own records -----------------------------------------------

def test_a_district_withholding_the_firm_leaves_the_citys_project_and_review_public(client, db, world, district,
                                                                                   city_project):
    """Attack: the district, refused every route to the city's review and project, withheld the firm, and the
    city's review, the project page and the review.csv row disappeared."""
    assert client.get(f"/regulator/projects/{db.session.scalar(select(Project.id).where(Project.ref == city_project))}"
                      ).status_code in (302, 401, 403)  # (anonymous here; the district's refusal is the matrix's)
    mark_non_disclosed(district, "unit", world.qd.unit, **WITHHOLD)
    unit = db.session.get(Unit, world.qd.unit)
    assert unit.non_disclosure_scope == "370211"
    assert not public(db, Unit, unit.id)  # the firm's basic information: the district is its registration
    assert not public(db, Project, "青岛-P1") and not public(db, Review, "青岛-P1")  # the district's own
    assert public(db, Project, city_project) and public(db, Review, city_project)  # the city's stay

    page = client.get(f"/projects/{city_project}")
    assert page.status_code == 200 and "崂山化工厂地块修复" in page.get_data(as_text=True)
    assert city_project in client.get("/open-data/review.csv").get_data(as_text=True)
    profile = client.get(f"/api/v1/units/{unit.uscc}").get_json()
    assert profile["basic_information_public"] is False and profile["address"] is None
    assert [r["project_ref"] for r in profile["reviews"]] == [city_project]
    assert client.get("/projects/青岛-P1").status_code == 404


def test_the_citys_withhold_covers_the_whole_city_and_the_district_cannot_lift_it(db, world, district, city_project):
    mark_non_disclosed(actor_for(db, world, "qingdao"), "unit", world.qd.unit, **WITHHOLD)
    assert not public(db, Project, city_project) and not public(db, Review, city_project)
    with pytest.raises(AccessDenied):
        lift_non_disclosure(district, "unit", world.qd.unit, reason="已核实不涉及商业秘密")
    db.session.expire_all()
    assert db.session.get(Unit, world.qd.unit).non_disclosure_reason is not None


def test_a_withhold_is_lifted_with_a_reason_and_audited(client, db, world):
    qingdao = actor_for(db, world, "qingdao")
    mark_non_disclosed(qingdao, "unit", world.qd.unit, **WITHHOLD)
    with pytest.raises(RuleViolation) as refused:
        lift_non_disclosure(qingdao, "unit", world.qd.unit, reason="")
    assert refused.value.field == "reason"
    login(client, "qd-official", PASSWORD)
    page = client.get(f"/regulator/withhold/unit/{world.qd.unit}").get_data(as_text=True)
    assert "恢复公开的理由" in page
    response = client.post(f"/regulator/withhold/unit/{world.qd.unit}/lift", data={"reason": "权利人同意公开，理由消失"})
    assert response.status_code == 302
    db.session.expire_all()
    unit = db.session.get(Unit, world.qd.unit)
    assert (unit.non_disclosure_reason, unit.non_disclosure_scope, unit.non_disclosed_at) == (None, None, None)
    assert public(db, Unit, unit.id) and public(db, Project, "青岛-P1")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "non_disclosure_lifted"))
    assert event.before["non_disclosure_scope"] == "3702" and event.after["reason"] == "权利人同意公开，理由消失"
    again = client.post(f"/regulator/withhold/unit/{world.qd.unit}/lift", data={"reason": "再次恢复公开"})
    assert again.status_code == 400 and "该记录没有标记为不予公开" in again.get_data(as_text=True)


# ---- a withheld firm is named nowhere, not even through its staff -----------------------------------

@pytest.fixture
def withheld_firm(db, world, district):
    """A firm of the district with one signed staff member and no government record: withheld, it is unlisted."""
    unit = f.unit_record(division_code="370211", name="青岛隐匿环境有限公司")
    f.create(unit, f.person_record(unit["uscc"], name="隐匿工程师"))
    unit_id = db.session.scalar(select(Unit.id).where(Unit.uscc == unit["uscc"]))
    person = db.session.scalar(select(Person).where(Person.name == "隐匿工程师"))
    return unit_id, unit["uscc"], person.public_id


def test_a_withheld_firm_is_named_by_no_page_of_its_staff(client, db, district, withheld_firm):
    """Attack: after the withhold, the person page and API, /api/v1/persons?unit= and a search by a staff name
    still showed the firm's name and credit code."""
    unit_id, uscc, public_id = withheld_firm
    surfaces = (f"/persons/{public_id}", f"/api/v1/persons/{public_id}", f"/api/v1/persons?unit={uscc}",
                "/search?q=隐匿工程师", "/api/v1/persons?q=隐匿工程师")
    before = [client.get(url).get_data(as_text=True) for url in surfaces]
    assert [url for url, text in zip(surfaces, before) 
             if uscc not in text and "青岛隐匿环境有限公司" not in text] == [], "named while it is public"
    mark_non_disclosed(district, "unit", unit_id, **WITHHOLD)
    for url in surfaces:
        response = client.get(url)
        text = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert uscc not in text and "青岛隐匿环境有限公司" not in text, url
    assert client.get(f"/api/v1/persons?unit={uscc}").get_json()["total"] == 0
    assert "隐匿工程师" in client.get(f"/persons/{public_id}").get_data(as_text=True)  # the person stays listed
    assert client.get(f"/units/{uscc}").status_code == 404


def public_projects_counted_both_ways(db) -> tuple[dict, dict]:
    """Each firm's public projects: as the parcel searches count them (`public_projects_per_firm`: from the index,
    a withheld firm's one by one), and one by one through `project_public` for every firm."""
    per_firm = dict(db.session.execute(public_projects_per_firm([])).all())
    one_by_one = dict(db.session.execute(
        select(Project.unit_id, func.count()).join(Unit, Unit.id == Project.unit_id).where(project_public())
        .group_by(Project.unit_id)).all())
    return per_firm, one_by_one


def test_the_parcel_searches_count_a_withheld_firms_projects_as_project_public_does(db, world, district, city_project):
    per_firm, one_by_one = public_projects_counted_both_ways(db)
    assert per_firm == one_by_one and per_firm[world.qd.unit] >= 2
    mark_non_disclosed(district, "unit", world.qd.unit, **WITHHOLD)  # the district's: the city's project stays
    per_firm, one_by_one = public_projects_counted_both_ways(db)
    assert per_firm == one_by_one and per_firm[world.qd.unit] == 1


def test_a_firm_whose_every_project_a_withhold_covers_is_counted_by_no_parcel_search(db, world, city_project):
    mark_non_disclosed(actor_for(db, world, "qingdao"), "unit", world.qd.unit, **WITHHOLD)  # the whole city
    per_firm, one_by_one = public_projects_counted_both_ways(db)
    assert per_firm == one_by_one and world.qd.unit not in per_firm and per_firm
