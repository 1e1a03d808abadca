"""Non-disclosure: a regulator withholds a record it owns, citing the legal ground; it leaves every public
surface at once (query clauses, open-data export, search index) and public rates follow."""
from datetime import date

import pytest
from sqlalchemy import select

from registry.extensions import db as _db
from registry.models import AuditEvent, Complaint, Penalty, Project, Review, Unit
from registry.queries.rates import unit_first_pass
from registry.visibility import complaint_public, penalty_public, project_public, review_public, unit_basic_public
from registry.rules.errors import RuleViolation
from registry.rules.publicity import DEFAULT_PUBLICITY_RULES
from registry.search import search_ids
from registry.services.complaints import advance_complaint
from registry.services.disclosure import mark_non_disclosed
from registry.exchange import export_jsonl
from tests.regulator.conftest import actor_for

TODAY = date(2026, 11, 26)
WITHHOLD = {"ground": "third_party", "explanation": "涉及地块权利人的商业秘密"}


def visible(model, record_id, clause) -> bool:
    statement = select(model.id).where(model.id == record_id, clause)
    if model in (Review, Complaint):
        statement = statement.join(Project, Project.id == model.project_id)
    if model in (Project, Review, Complaint):
        statement = statement.join(Unit, Unit.id == Project.unit_id)
    return _db.session.scalar(statement) is not None


def test_withholding_a_project_takes_it_and_its_reviews_off_every_public_surface(as_qingdao, db, world):
    qd = world.qd
    assert visible(Project, qd.project, project_public()) and visible(Review, qd.review, review_public())
    assert unit_first_pass(db.session, [qd.unit])[qd.unit].total == 1
    assert qd.unit in search_ids("青岛化工厂地块修复", "unit")
    page = as_qingdao.post(f"/regulator/withhold/project/{qd.project}", data=WITHHOLD,
                           follow_redirects=True).get_data(as_text=True)
    assert "该记录已不予公开" in page and "《政府信息公开条例》第十五条" in page
    _db.session.expire_all()
    project = _db.session.get(Project, qd.project)
    assert project.non_disclosure_reason.endswith("涉及地块权利人的商业秘密") and project.non_disclosed_at is not None
    assert not visible(Project, qd.project, project_public())
    assert not visible(Review, qd.review, review_public())
    assert unit_first_pass(db.session, [qd.unit])[qd.unit].total == 0  # public rates use public records only
    assert "青岛化工厂地块修复" not in "\n".join(export_jsonl(public=True))
    assert qd.unit not in search_ids("青岛化工厂地块修复", "unit")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "marked_non_disclosed"))
    assert (event.record_type, event.record_id, event.before) == ("project", qd.project, {"non_disclosure_reason": None})


@pytest.mark.parametrize("record_type, model, clause", [
    ("review", Review, review_public()),
    ("penalty", Penalty, penalty_public(TODAY, DEFAULT_PUBLICITY_RULES)),  # built before any app exists
])
def test_withholding_a_review_or_a_penalty(db, world, record_type, model, clause):
    record_id = getattr(world.qd, record_type)
    assert visible(model, record_id, clause)
    mark_non_disclosed(actor_for(db, world, "qingdao"), record_type, record_id, **WITHHOLD)
    assert not visible(model, record_id, clause)


def test_withholding_a_substantiated_complaint(db, world):
    actor = actor_for(db, world, "qingdao")
    advance_complaint(actor, world.qd.verifying, status="substantiated", finding="经核查，业绩材料系伪造，举报属实。")
    assert visible(Complaint, world.qd.verifying, complaint_public())
    mark_non_disclosed(actor, "complaint", world.qd.verifying, **WITHHOLD)
    assert not visible(Complaint, world.qd.verifying, complaint_public())


def test_withholding_a_firm_takes_its_basic_information_and_reviews_off_the_public_record(db, world):
    assert visible(Unit, world.qd.unit, unit_basic_public())
    mark_non_disclosed(actor_for(db, world, "qingdao"), "unit", world.qd.unit, ground="state_secret",
                       explanation="涉密地块的承担单位")
    assert not visible(Unit, world.qd.unit, unit_basic_public())
    assert not visible(Project, world.qd.project, project_public())
    assert not visible(Review, world.qd.review, review_public())
    assert "测试市测试路" not in "\n".join(line for line in export_jsonl(public=True) if "青岛环境修复" in line)


def test_the_legal_ground_and_an_explanation_are_required_and_nothing_is_saved_without(as_qingdao, db, world):
    response = as_qingdao.post(f"/regulator/withhold/review/{world.qd.review}", data={"ground": "", "explanation": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="ground-errors"' in page and 'id="explanation-errors"' in page
    _db.session.expire_all()
    assert _db.session.get(Review, world.qd.review).non_disclosure_reason is None


def test_a_record_is_withheld_once(db, world):
    actor = actor_for(db, world, "qingdao")
    mark_non_disclosed(actor, "penalty", world.qd.penalty, **WITHHOLD)
    with pytest.raises(RuleViolation, match="already withheld"):
        mark_non_disclosed(actor, "penalty", world.qd.penalty, **WITHHOLD)


def test_the_regulator_still_sees_a_withheld_record_marked_as_such(as_qingdao, db, world):
    mark_non_disclosed(actor_for(db, world, "qingdao"), "penalty", world.qd.penalty, **WITHHOLD)
    page = as_qingdao.get(f"/regulator/penalties/{world.qd.penalty}").get_data(as_text=True)
    assert "不予公开" in page and "涉及地块权利人的商业秘密" in page
