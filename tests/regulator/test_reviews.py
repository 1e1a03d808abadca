"""Report-review outcomes: rounds in order, one outcome per round, rates that follow at once."""
from datetime import date

import pytest
from sqlalchemy import select

from registry.access import SYSTEM
from registry.extensions import db as _db
from registry.models import AuditEvent, Review
from registry.queries.rates import person_first_pass, unit_first_pass
from registry.rules.errors import RuleViolation
from registry.exchange import ExchangeError, import_records
from registry.services.reviews import record_review
from registry.models import Project, Unit
from tests import factories as f
from tests.regulator.conftest import QD_ID, actor_for


@pytest.fixture
def construction(db, world):
    """A completed remediation construction of the Qingdao firm, led by its engineer: judged by its remediation
    effect report (the world's own project is a risk assessment)."""
    uscc = db.session.get(Unit, world.qd.unit).uscc
    f.create(f.project_record(uscc, "青岛-P2", division_code="370211", category="remediation_construction",
                              people=[{"id_number": QD_ID, "role": "responsible_manager"}]))
    return db.session.scalar(select(Project.id).where(Project.ref == "青岛-P2"))


def rounds(db, project_id, report_type):
    return [(r.round, r.passed) for r in db.session.scalars(
        select(Review).where(Review.project_id == project_id, Review.report_type == report_type).order_by(Review.round))]


def post_review(client, project_id, **fields):
    data = {"report_type": "remediation_effect_report", "round": "1", "reviewed_on": "2026-11-20", "passed": "yes"}
    data.update(fields)
    return client.post(f"/regulator/projects/{project_id}/reviews", data=data, follow_redirects=True)


def test_the_regulator_records_round_one_and_the_firms_rate_follows_at_once(as_qingdao, db, world, construction):
    qd = world.qd
    assert unit_first_pass(db.session, [qd.unit])[qd.unit].total == 1  # the imported failed risk assessment
    page = post_review(as_qingdao, construction).get_data(as_text=True)
    assert "第1轮评审结果已登记" in page
    assert "修复效果评估报告" in page and "青岛市生态环境局" in page
    rate = unit_first_pass(db.session, [qd.unit])[qd.unit]
    assert (rate.part, rate.total) == (1, 2)
    assert "1/2 (50.0%)" in page  # the firm's public first-pass rate on the project page
    person_rate = person_first_pass(db.session, [qd.person])[qd.person]
    assert (person_rate.part, person_rate.total) == (1, 2)
    review = db.session.scalars(select(Review).order_by(Review.id.desc())).first()
    assert (review.authority, review.authority_division_code, review.reviewed_on) == ("青岛市生态环境局", "370200",
                                                                                     date(2026, 11, 20))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "review_recorded"))
    assert event.record_id == review.id and event.after["passed"] is True and event.division_code == "370211"


def test_the_form_offers_only_the_report_types_of_the_projects_category(as_qingdao, db, world, construction):
    """A remediation construction is judged by its effect report, never an investigation report."""
    page = as_qingdao.get(f"/regulator/projects/{construction}").get_data(as_text=True)
    assert 'value="remediation_effect_report"' in page
    assert 'value="investigation_report"' not in page and 'value="risk_assessment_report"' not in page
    assessment = as_qingdao.get(f"/regulator/projects/{world.qd.project}").get_data(as_text=True)
    assert 'value="risk_assessment_report"' in assessment and 'value="remediation_effect_report"' not in assessment


def test_a_report_type_that_does_not_fit_is_refused_by_form_service_and_import(as_qingdao, db, world, construction):
    """One rule (registry/rules/reports.py), one message, on every write path; nothing is written."""
    message = "该项目的从业类别不提交这类报告评审"
    response = post_review(as_qingdao, construction, report_type="investigation_report")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with pytest.raises(RuleViolation) as refused:
        record_review(actor_for(db, world, "qingdao"), construction, report_type="risk_assessment_report", round=1,
                      reviewed_on=date(2026, 11, 1), passed=True)
    assert message in refused.value.message_zh
    with pytest.raises(ExchangeError) as imported:
        import_records(SYSTEM, [f.review_record("青岛-P2", 1, report_type="investigation_report")])
    assert message in imported.value.message_zh
    assert rounds(db, construction, "investigation_report") == rounds(db, construction, "risk_assessment_report") == []


def test_round_two_only_after_round_one_and_nothing_saved_on_error(as_qingdao, db, world, construction):
    response = post_review(as_qingdao, construction, round="2")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请先登记第1轮评审结果" in page and "未保存任何内容" in page
    assert rounds(db, construction, "remediation_effect_report") == []


def test_one_outcome_per_round(as_qingdao, db, world):
    response = post_review(as_qingdao, world.qd.project, report_type="risk_assessment_report", round="1")
    assert response.status_code == 400
    assert "第1轮评审结果已经登记，每轮只能登记一个结果" in response.get_data(as_text=True)
    assert rounds(db, world.qd.project, "risk_assessment_report") == [(1, False)]


def test_a_failed_report_goes_to_round_two_without_changing_the_first_pass_rate(as_qingdao, db, world):
    page = as_qingdao.get(f"/regulator/projects/{world.qd.project}").get_data(as_text=True)
    assert "下一轮待登记：第2轮" in page
    post_review(as_qingdao, world.qd.project, report_type="risk_assessment_report", round="2")
    assert rounds(db, world.qd.project, "risk_assessment_report") == [(1, False), (2, True)]
    rate = unit_first_pass(db.session, [world.qd.unit])[world.qd.unit]
    assert (rate.part, rate.total) == (0, 1)
    # a passed report needs no further round
    with pytest.raises(RuleViolation, match="previous round passed"):
        record_review(actor_for(db, world, "qingdao"), world.qd.project, report_type="risk_assessment_report",
                      round=3, reviewed_on=date(2026, 11, 21), passed=True)


def test_form_errors_show_beside_their_fields_in_chinese_and_english(as_qingdao, db, world, construction):
    response = post_review(as_qingdao, construction, report_type="", reviewed_on="2026-13-45", passed="")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count('class="errors"') == 3
    future = post_review(as_qingdao, construction, reviewed_on="2026-11-27").get_data(as_text=True)
    assert "评审日期不能晚于今天" in future
    english = as_qingdao.post(f"/regulator/projects/{construction}/reviews?lang=en",
                              data={"report_type": "remediation_effect_report", "round": "3",
                                    "reviewed_on": "2026-11-20", "passed": "no"}).get_data(as_text=True)
    assert "record round 2 first" in english
    assert rounds(db, construction, "remediation_effect_report") == []


def test_review_service_refuses_unknown_projects_and_report_types(db, world):
    actor = actor_for(db, world, "qingdao")
    with pytest.raises(RuleViolation):
        record_review(actor, 999999, report_type="investigation_report", round=1, reviewed_on=date(2026, 11, 1), passed=True)
    with pytest.raises(RuleViolation):
        record_review(actor, world.qd.project, report_type="nonsense", round=1, reviewed_on=date(2026, 11, 1), passed=True)
    assert _db.session.scalar(select(Review).where(Review.report_type == "investigation_report")) is None
