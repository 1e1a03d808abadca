"""Report-review outcomes (相关报告评审信息), recorded by the authority that organised the review.

A report is one report type for one project; its rounds are numbered 1, 2, ... Round N+1 may be recorded
only once round N exists, and each round has exactly one outcome, so the first-pass rate (which counts
round 1 only) can never be rewritten by a later round.
"""
from datetime import date

from sqlalchemy import func, select

from registry.access import Actor, require_jurisdiction
from registry.clock import today
from registry.extensions import db
from registry.models import Project, ProjectRole, Review
from registry.reference import REPORT_TYPES
from registry.rules.dates import check_event_date
from registry.rules.errors import RuleViolation
from registry.rules.reports import check_report_fits_category
from registry.rules.reviews import check_round
from registry.services import service
from registry.services.audit import enqueue_for_index, record_event, snapshot


def next_round(project_id: int, report_type: str) -> int:
    """The round number the next outcome of this report will carry."""
    last = db.session.scalar(
        select(func.max(Review.round)).where(Review.project_id == project_id, Review.report_type == report_type)
    )
    return (last or 0) + 1


def enqueue_project_subjects(project: Project) -> None:
    """Refresh the search documents of the project's firm and of everyone who held a role on it."""
    enqueue_for_index("unit", project.unit_id)
    for person_id in db.session.scalars(
        select(ProjectRole.person_id).where(ProjectRole.project_id == project.id).distinct()
    ):
        enqueue_for_index("person", person_id)


@service
def record_review(actor: Actor, project_id: int, *, report_type: str, round: int, reviewed_on: date | None,
                  passed: bool) -> Review:
    """Record the outcome of one review round of a project's report, organised by the actor's authority."""
    project = db.session.get(Project, project_id)
    if project is None:
        raise RuleViolation("project", "没有这个项目", "no such project")
    require_jurisdiction(actor, "record_review", project, project.division_code)
    if report_type not in REPORT_TYPES:
        raise RuleViolation("report_type", "请选择评审报告类型", "choose the type of report")
    check_report_fits_category(report_type, project.category)
    if reviewed_on is None:
        raise RuleViolation("reviewed_on", "请填写评审日期", "the review date is required")
    check_event_date(reviewed_on, "reviewed_on", today())
    earlier = {
        review.round: review
        for review in db.session.scalars(
            select(Review).where(Review.project_id == project.id, Review.report_type == report_type)
        )
    }
    if round is None or round < 1:
        raise RuleViolation("round", "评审轮次从1开始", "review rounds start at 1")
    if round in earlier:
        raise RuleViolation("round", f"第{round}轮评审结果已经登记，每轮只能登记一个结果",
                            f"round {round} already has its outcome; a round has one outcome only")
    previous = earlier.get(round - 1)
    check_round(round, reviewed_on, (previous.reviewed_on, previous.passed) if previous is not None else None)
    review = Review(project_id=project.id, unit_id=project.unit_id, report_type=report_type, round=round,
                    reviewed_on=reviewed_on, passed=bool(passed), authority=actor.authority_name,
                    authority_division_code=actor.division_code, recorded_by_account_id=actor.account_id)
    db.session.add(review)
    db.session.flush()
    record_event(actor, "review_recorded", review, after=snapshot(review), division_code=project.division_code)
    enqueue_project_subjects(project)
    return review


def correct_review(review: Review, *, reviewed_on: date | None, passed: bool) -> None:
    """Give a recorded outcome corrected values under the rules that recorded it: a date in range, not before
    round N-1 nor after round N+1, and no later round after a pass (the caller keeps the earlier version)."""
    if reviewed_on is None:
        raise RuleViolation("reviewed_on", "请填写评审日期", "the review date is required")
    check_event_date(reviewed_on, "reviewed_on", today())
    rounds = {other.round: other for other in db.session.scalars(
        select(Review).where(Review.project_id == review.project_id, Review.report_type == review.report_type))}
    previous, following = rounds.get(review.round - 1), rounds.get(review.round + 1)
    check_round(review.round, reviewed_on, (previous.reviewed_on, previous.passed) if previous is not None else None)
    if following is not None:
        check_round(following.round, following.reviewed_on, (reviewed_on, bool(passed)))
    review.reviewed_on, review.passed = reviewed_on, bool(passed)
    enqueue_project_subjects(review.project)
