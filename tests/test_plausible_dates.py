"""Plausible dates. Each refusal of a form's service is enumerated here, and the import is
shown to refuse the same record with the same field and message (DESIGN §3: one rule function, both paths)."""
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from registry.access import Actor
from registry.models import Complaint, Project, Review
from registry.rules.dates import check_project_dates, deadline_horizon
from registry.rules.errors import RuleViolation
from registry.services.complaints import advance_complaint
from registry.exchange import ExchangeError
from registry.services.projects import ProjectData, create_project
from registry.services.reviews import record_review
from tests.factories import complaint_record, create, make_uscc, project_record, review_record, unit_record

FIRM = make_uscc("370200", 401)
TODAY = date(2026, 11, 26)  # the suite's pinned date
REGULATOR = Actor(account_id=None, label="regulator-shandong", role="regulator", division_code="370000",
                  authority_name="山东省生态环境厅")
PROJECT = ProjectData(category="remediation_construction", name="日期测试地块修复工程", parcel_name=None,
                      division_code="370211", area_m2="20000", owner=None, owner_uscc=None, former_industry=None,
                      started_on=date(2024, 1, 1), contract_deadline=date(2024, 6, 30), completed_on=date(2024, 6, 1))

# (kind, dates, the field refused, the message): every date refusal of the project, review and complaint services
REFUSALS = [
    ("project", {"started_on": "1989-12-31"}, "started_on", "开始日期不能早于1990-01-01"),
    ("project", {"contract_deadline": "9999-12-31"}, "contract_deadline", "合同约定完成期限不能晚于开始日期后20年"),
    ("project", {"started_on": None, "contract_deadline": "2047-01-01"}, "contract_deadline",
     "合同约定完成期限不能晚于开始日期后20年"),
    ("project", {"contract_deadline": "2023-12-31"}, "contract_deadline", "合同约定完成期限不能早于开始日期"),
    ("project", {"completed_on": "2026-11-27"}, "completed_on", "实际完成日期不能晚于今天"),
    ("project", {"completed_on": "2023-12-31"}, "completed_on", "实际完成日期不能早于开始日期"),
    ("project", {"started_on": None, "completed_on": "1989-06-01"}, "completed_on", "实际完成日期不能早于1990-01-01"),
    ("review", {"reviewed_on": "2026-11-27"}, "reviewed_on", "评审日期不能晚于今天"),
    ("review", {"reviewed_on": "1989-12-31"}, "reviewed_on", "评审日期不能早于1990-01-01"),
    ("complaint", {"verified_on": "2026-11-27"}, "verified_on", "核查日期不能晚于今天"),
    ("complaint", {"verified_on": "2026-09-30"}, "verified_on", "核查日期不能早于受理日期"),
]


def day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@pytest.fixture
def registry(db):
    """A firm with one completed project and one complaint received about it on 2026-10-01."""
    create(unit_record(FIRM, division_code="370211"), project_record(FIRM, "DT-1"), complaint_record("DT-1", "C-DT"))
    return db


def refused_by_service(db, kind: str, dates: dict) -> RuleViolation:
    with pytest.raises(RuleViolation) as refusal:
        if kind == "project":
            firm = Actor(account_id=None, label=FIRM, role="unit",
                         unit_id=db.session.scalar(select(Project.unit_id).where(Project.ref == "DT-1")))
            create_project(firm, replace(PROJECT, **{k: day(v) for k, v in dates.items()}), [])
        elif kind == "review":
            project_id = db.session.scalar(select(Project.id).where(Project.ref == "DT-1"))
            record_review(REGULATOR, project_id, report_type="remediation_effect_report", round=1,
                          reviewed_on=day(dates["reviewed_on"]), passed=True)
        else:
            complaint = db.session.scalar(select(Complaint).where(Complaint.ref == "C-DT"))
            advance_complaint(REGULATOR, complaint.id, status="verifying")
            advance_complaint(REGULATOR, complaint.id, status="substantiated", finding="经核查，业绩信息与实际不符",
                              verified_on=day(dates["verified_on"]))
    return refusal.value


def imported_record(kind: str, dates: dict) -> dict:
    if kind == "project":
        return project_record(FIRM, "DT-2", **{"started_on": "2024-01-01", **dates})
    if kind == "review":
        return review_record("DT-1", **dates)
    return complaint_record("DT-1", "C-DT", status="substantiated", **dates)


def table_sizes(db) -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (Project, Review, Complaint))


@pytest.mark.parametrize(("kind", "dates", "field", "message"), REFUSALS)
def test_the_import_refuses_what_the_service_refuses_with_the_same_message(registry, kind, dates, field, message):
    service = refused_by_service(registry, kind, dates)
    assert (service.field, service.message_zh) == (field, message)
    registry.session.rollback()
    before = table_sizes(registry)
    with pytest.raises(ExchangeError) as refusal:
        create(imported_record(kind, dates))
    assert (refusal.value.field, refusal.value.message_zh, refusal.value.message_en) == (
        field, message, service.message_en)
    registry.session.rollback()
    assert table_sizes(registry) == before  # nothing written


def test_plausible_dates_pass_both_paths(registry):
    """The edges themselves are accepted: 1990-01-01, today, a deadline exactly 20 years after the start."""
    create(project_record(FIRM, "DT-3", started_on="1990-01-01", contract_deadline="2010-01-01",
                          completed_on=TODAY.isoformat()),
           review_record("DT-1", reviewed_on=TODAY.isoformat()))
    firm = Actor(account_id=None, label=FIRM, role="unit",
                 unit_id=registry.session.scalar(select(Project.unit_id).where(Project.ref == "DT-1")))
    project = create_project(firm, replace(PROJECT, started_on=date(2026, 1, 1), contract_deadline=date(2046, 1, 1),
                                           completed_on=None), [])
    assert project.contract_deadline == date(2046, 1, 1)


@pytest.mark.parametrize("started_on", [date(9985, 1, 1), date(9999, 12, 31)])
def test_a_start_near_the_last_representable_year_is_judged_not_crashed_on(started_on):
    """The horizon of a start in year 9985 or later is past 9999-12-31: it is the last day, not a crash
    (a fuzzed form found the 500)."""
    assert deadline_horizon(started_on, date(2026, 12, 3)) == date.max
    check_project_dates(started_on, date(9999, 12, 31), None, date(2026, 12, 3))
