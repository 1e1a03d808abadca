"""The import and the services refuse the same record with the same field and message, because both call the
same rule function (DESIGN §3 and §4). Dates are enumerated in test_plausible_dates.py; these are the other
invariants the import once restated in its own words or did not check at all: the parcel area, review rounds,
a verified complaint's finding, what a penalty's kinds require, and the texts of projects and decisions."""
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from registry.exchange import ExchangeError
from registry.models import Complaint, Penalty, Project, Review
from registry.rules.errors import RuleViolation
from registry.services.audit import Actor
from registry.services.complaints import advance_complaint
from registry.services.penalties import PenaltyInput, record_penalty
from registry.services.projects import ProjectData, create_project
from registry.services.reviews import record_review
from tests.factories import DOUBLE_PUBLICITY, complaint_record, create, make_uscc, penalty_record, project_record, review_record, unit_record

FIRM = make_uscc("370200", 402)
REGULATOR = Actor(account_id=None, label="regulator-shandong", role="regulator", division_code="370000",
                  authority_name="山东省生态环境厅")
PROJECT = ProjectData(category="remediation_construction", name="规则一致性地块修复工程", parcel_name=None,
                      division_code="370211", area_m2="20000", owner=None, owner_uscc=None, former_industry=None,
                      started_on=date(2024, 1, 1), contract_deadline=date(2024, 6, 30), completed_on=date(2024, 6, 1))
REPORT = "remediation_effect_report"
PENALTY = PenaltyInput(subject_kind="unit", subject_uscc=FIRM, decision_number="鲁环罚〔2026〕900号",
                       decided_on=date(2026, 9, 1), kinds=["fine"], severity="ordinary", fine_yuan=Decimal(100000),
                       **DOUBLE_PUBLICITY)


@pytest.fixture
def registry(db):
    """A firm with three completed projects: RA-1 failed its first review on 2024-07-01, RA-2 passed it, RA-3
    has none; and a complaint about RA-1 received on 2026-10-01."""
    create(unit_record(FIRM, division_code="370211"), *(project_record(FIRM, f"RA-{n}") for n in (1, 2, 3)),
           review_record("RA-1", 1, passed=False), review_record("RA-2", 1, passed=True),
           complaint_record("RA-1", "C-RA"))
    return db


def project_id(db, ref: str) -> int:
    return db.session.scalar(select(Project.id).where(Project.ref == ref))


def by_service(db, kind: str, change: dict) -> None:
    if kind == "project":
        firm = Actor(account_id=None, label=FIRM, role="unit",
                     unit_id=db.session.scalar(select(Project.unit_id).where(Project.ref == "RA-1")))
        create_project(firm, replace(PROJECT, **change), [])
    elif kind == "review":
        record_review(REGULATOR, project_id(db, change["ref"]), report_type=REPORT, round=change["round"],
                      reviewed_on=date.fromisoformat(change["reviewed_on"]), passed=True)
    elif kind == "complaint":
        complaint = db.session.scalar(select(Complaint).where(Complaint.ref == "C-RA"))
        advance_complaint(REGULATOR, complaint.id, status="verifying")
        advance_complaint(REGULATOR, complaint.id, status=change["status"], finding=change["finding"],
                          verified_on=date(2026, 10, 20))
    else:
        record_penalty(REGULATOR, replace(PENALTY, **change))


def by_import(kind: str, change: dict) -> None:
    if kind == "project":
        create(project_record(FIRM, "RA-9", **change))
    elif kind == "review":
        create(review_record(change["ref"], change["round"], reviewed_on=change["reviewed_on"]))
    elif kind == "complaint":
        create(complaint_record("RA-1", "C-RA", status=change["status"], finding=change["finding"]))
    else:
        create(penalty_record({"uscc": FIRM}, "鲁环罚〔2026〕900号", **{**DOUBLE_PUBLICITY, **change}))


# (kind, the service's input, the import's line, the field refused, the message)
REFUSALS = {
    "area of zero": ("project", {"area_m2": "0"}, {"area_m2": 0}, "area_m2", "地块面积必须大于0"),
    "negative area": ("project", {"area_m2": "-5"}, {"area_m2": -5}, "area_m2", "地块面积必须大于0"),
    "area beyond the column": ("project", {"area_m2": "1000000000000"}, {"area_m2": 1000000000000}, "area_m2",
                               "地块面积过大"),
    "a project name too long": ("project", {"name": "工" * 301}, None, "name", "项目名称不能超过300个字符"),
    "a blank project name": ("project", {"name": "  "}, None, "name", "请填写项目名称"),
    "a parcel name too long": ("project", {"parcel_name": "地" * 301}, None, "parcel_name", "地块名称不能超过300个字符"),
    "an owner too long": ("project", {"owner": "业" * 201}, None, "owner", "业主单位不能超过200个字符"),
    "round 2 before round 1": ("review", {"ref": "RA-3", "round": 2, "reviewed_on": "2024-08-01"}, None, "round",
                               "请先登记第1轮评审结果"),
    "round dated before the previous one": ("review", {"ref": "RA-1", "round": 2, "reviewed_on": "2024-06-30"}, None,
                                            "reviewed_on", "评审日期不能早于上一轮评审日期"),
    "a round after a passed one": ("review", {"ref": "RA-2", "round": 2, "reviewed_on": "2024-08-01"}, None, "round",
                                   "上一轮评审已经通过，无需再次评审"),
    "substantiated without a finding": ("complaint", {"status": "substantiated", "finding": None}, None, "finding",
                                        "请写明核查结论（至少10个字）"),
    "unsubstantiated with a short finding": ("complaint", {"status": "unsubstantiated", "finding": "不属实"}, None,
                                             "finding", "请写明核查结论（至少10个字）"),
    "a finding too long": ("complaint", {"status": "substantiated", "finding": "经" * 5001}, None, "finding",
                           "核查结论不能超过5000个字"),
    "a fine without its amount": ("penalty", {"fine_yuan": None}, None, "fine_yuan", "处罚类别含罚款时请填写罚款金额"),
    "a ban without the kind 禁止从业": ("penalty", {"severity": "serious", "ban": "until", "ban_until": date(2030, 1, 1)},
                                   {"severity": "serious", "kinds": ["fine"], "ban": {"until": "2030-01-01"}}, "kinds",
                                   "设定禁止从业期限时，处罚类别应包括“禁止从业”"),
    "the kind 禁止从业 without a ban": ("penalty", {"severity": "serious", "kinds": ["fine", "practice_ban"]},
                                   {"severity": "serious", "kinds": ["fine", "practice_ban"], "ban": None}, "ban",
                                   "处罚类别含禁止从业时，请选择期限（至某日或终身）"),
    "a violation too long": ("penalty", {"violation": "违" * 5001}, None, "violation", "不能超过5000个字符"),
    "a licence action too long": ("penalty", {"licence_action": "暂" * 201}, None, "licence_action", "不能超过200个字符"),
    "a data source too long": ("penalty", {"data_source": "源" * 201}, None, "data_source", "不能超过200个字符"),
}


def table_sizes(db) -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Project, Review, Complaint, Penalty))


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_the_import_refuses_what_the_service_refuses_in_the_same_words(registry, case):
    kind, service_input, line, field, message = REFUSALS[case]
    with pytest.raises(RuleViolation) as service:
        by_service(registry, kind, service_input)
    assert (service.value.field, service.value.message_zh) == (field, message)
    registry.session.rollback()
    before = table_sizes(registry)
    with pytest.raises(ExchangeError) as imported:
        by_import(kind, service_input if line is None else line)
    assert (imported.value.field, imported.value.message_zh, imported.value.message_en) == (
        field, message, service.value.message_en)
    registry.session.rollback()
    assert table_sizes(registry) == before  # nothing written


def test_what_the_rules_allow_passes_both_paths(registry):
    """A second round after a failed one, on the same day; a finding of exactly ten characters; a fine with its
    amount and a ban with its kind."""
    record_review(REGULATOR, project_id(registry, "RA-1"), report_type=REPORT, round=2, reviewed_on=date(2024, 7, 1),
                  passed=True)
    create(review_record("RA-1", 2, reviewed_on="2024-07-01"),
           complaint_record("RA-2", "C-RA-2", status="unsubstantiated", finding="经核查举报内容不属实"),
           penalty_record({"uscc": FIRM}, "鲁环罚〔2026〕901号", ban={"until": "2030-01-01"}))
    assert len("经核查举报内容不属实") == 10
    penalty = registry.session.scalar(select(Penalty).where(Penalty.decision_number == "鲁环罚〔2026〕901号"))
    assert penalty.kinds == ["fine", "practice_ban"]
