"""The regulator's desk: the header names the official and the authority once; the work queue."""
from datetime import date

from sqlalchemy import func, select

from registry.access import SYSTEM, Actor, authority_of, in_jurisdiction
from registry.models import Person, Project, Review, Unit
from registry.queries.desk import QUEUES, QueueItem, register_desk_queue
from registry.queries.regulator import desk_summary
from registry.rules.reports import REPORTS_FOR_CATEGORY
from registry.services.regulator_accounts import create_regulator
from registry.services.repair import record_repair_application
from registry.services.staff import end_employment
from registry.services.units import declare_ceased, update_unit_details
from tests import factories as f
from tests.factories import login
from tests.regulator.conftest import PASSWORD, actor_for


def header(client) -> str:
    page = client.get("/regulator/").get_data(as_text=True)
    start = page.index('<nav class="desk-nav')
    return page[start:page.index("</nav>", start)]


def test_the_header_does_not_repeat_an_authority_that_is_also_the_display_name(client, db, world):
    """Not "苏州市生态环境局 · 苏州市生态环境局"."""
    create_regulator(SYSTEM, username="suzhou-bureau", display_name="苏州市生态环境局", division_code="320500",
                     authority_name="苏州市生态环境局", password=PASSWORD)
    login(client, "suzhou-bureau", PASSWORD)
    shown = header(client)
    assert shown.count("苏州市生态环境局") == 1 and "320500" in shown


def test_the_header_names_an_official_and_the_authority(as_qingdao, world):
    shown = header(as_qingdao)
    assert "王监管 · 青岛市生态环境局" in shown


def test_the_work_queue_lists_complaints_by_days_left_unreviewed_projects_and_repair_applications(as_qingdao, db,
                                                                                                 world):
    """The desk says what waits, most urgent first, for the jurisdiction only."""
    qingdao_firm = db.session.get(Unit, world.qd.unit).uscc
    f.create(f.complaint_record("青岛-P1", "青岛-C0", received_on="2026-09-01", authority=None,
                                authority_division_code=None),
             f.complaint_record("青岛-P1", "青岛-C9", received_on="2026-10-20", authority=None,
                                authority_division_code=None),
             f.project_record(qingdao_firm, "青岛-P9", name="青岛焦化厂地块修复", division_code="370211",
                              completed_on="2026-08-01", contract_deadline="2026-09-30"),
             f.project_record(qingdao_firm, "青岛-P8", name="青岛监测项目", category="monitoring",
                              division_code="370211", completed_on="2026-08-01"))
    record_repair_application(actor_for(db, world, "qingdao"), world.qd.penalty, applied_on=date(2026, 11, 20),
                              grounds="已整改并缴纳罚款", materials=["application_letter"])
    page = as_qingdao.get("/regulator/").get_data(as_text=True)
    complaints = section(page, "queue-complaints")
    # 30 working days (the holiday calendar counted: 2026-09-25 and 10-01..07 off, 09-20 and 10-10 worked):
    # received 2026-09-01: due 2026-10-19, 28 working days overdue on 2026-11-26; received 2026-10-01: due
    # 2026-11-17, 7 overdue; received 2026-10-20: due 2026-12-01, 3 working days left
    assert "待答复的举报" in complaints and "(4)" in complaints
    assert complaints.index("青岛-C0") < complaints.index("青岛-C1") < complaints.index("青岛-C9")
    assert "已逾期28个工作日" in complaints and "已逾期7个工作日" in complaints and "剩余3个工作日" in complaints
    assert "合肥" not in complaints
    unreviewed = section(page, "queue-unreviewed")
    assert "青岛-P9" in unreviewed and "自2026-08-01起等待" in unreviewed
    assert "青岛-P1" not in unreviewed  # it has its review outcome
    assert "青岛-P8" not in unreviewed  # monitoring submits no reviewed report
    repairs = section(page, "queue-repairs")
    assert "青岛环罚〔2026〕1号" in repairs and "自2026-11-20起等待" in repairs
    assert f"/regulator/penalties/{world.qd.penalty}" in repairs


def test_the_unreviewed_queue_shows_its_first_ten_oldest_first_and_counts_them_all(as_qingdao, db, world):
    """Twelve more completed projects without a review outcome: the queue lists ten, longest waiting first, and
    its count is every such project of the jurisdiction (read with the first ten, in one statement)."""
    qingdao_firm = db.session.get(Unit, world.qd.unit).uscc
    f.create(*[f.project_record(qingdao_firm, f"青岛-W{n:02d}", division_code="370211",
                                completed_on=f"2025-01-{n + 1:02d}", contract_deadline="2025-12-31")
               for n in range(12)])
    reviewed = set(db.session.scalars(select(Review.project_id)))
    waiting = sorted((project.completed_on, project.id, project.ref) for project in db.session.scalars(
        select(Project).where(Project.division_code.like("3702%"), Project.completed_on.is_not(None)))
        if project.category in REPORTS_FOR_CATEGORY and project.id not in reviewed)
    unreviewed = section(as_qingdao.get("/regulator/").get_data(as_text=True), "queue-unreviewed")
    assert len(waiting) >= 12 and f"({len(waiting)})" in unreviewed
    shown = [ref for _, _, ref in waiting[:10]]
    assert [unreviewed.index(ref) for ref in shown] == sorted(unreviewed.index(ref) for ref in shown)
    assert all(ref not in unreviewed for _, _, ref in waiting[10:])


def test_another_room_registers_its_own_queue(as_qingdao, world):
    def alerts(actor, limit):
        return [QueueItem("ALERT-1", f"{actor.division_code} alert", ".home", days_left=3)], 1

    register_desk_queue("test-alerts", "Test alerts", alerts)
    try:
        page = as_qingdao.get("/regulator/").get_data(as_text=True)
    finally:
        QUEUES.pop("test-alerts")
    assert "Test alerts (1)" in page and "370200 alert" in section(page, "queue-test-alerts")


def section(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    return page[start:page.index("</section>", start)]


def test_a_change_of_basic_information_entered_late_shows_on_the_firms_regulators_desk(as_qingdao, db, world):
    """Entered more than twenty working days after it happened, by the holiday calendar."""
    unit = db.session.get(Unit, world.qd.unit)
    firm = Actor(account_id=None, label="firm", role="unit", unit_id=unit.id)

    def change(address: str, changed_on: date):
        update_unit_details(firm, unit.id, changed_on=changed_on, name=unit.name,
                            legal_representative=unit.legal_representative or "张三",
                            division_code=unit.division_code, address=address, established_on=None,
                            contact_phone=None, contact_email="office@example.cn",
                            categories=unit.category_codes or ["investigation"])

    # entered on the pinned today, 2026-11-26 (Thursday). From Wednesday 29 October: 30, 31 Oct (2), 3-7 (7),
    # 10-14 (12), 17-21 (17), 24, 25, 26 Nov (20): on time. From Tuesday 28 October the 20th is 25 November: late.
    change("青岛市市南区一号", date(2026, 10, 29))
    assert "queue-late_updates" in (page := as_qingdao.get("/regulator/").get_data(as_text=True))
    assert unit.name not in section(page, "queue-late_updates")
    change("青岛市市南区二号", date(2026, 10, 28))
    late = section(as_qingdao.get("/regulator/").get_data(as_text=True), "queue-late_updates")
    assert "发生后超过二十个工作日才录入的信息变化 (1)" in late
    assert "基本信息 · 2026-10-28发生变化，应于2026-11-25前更新，2026-11-26录入" in late
    assert f"/regulator/units/{unit.id}" in late

    person = db.session.get(Person, world.qd.person)
    person.current_employment.started_on = date(2026, 1, 5)  # imported with no start: joined "today"
    db.session.commit()
    end_employment(firm, person.id, ended_on=date(2026, 10, 28))  # left on the 28th, entered on the 26th: late
    late = section(as_qingdao.get("/regulator/").get_data(as_text=True), "queue-late_updates")
    assert f"{person.name}离职" in late and "(2)" in late
    assert "合肥" not in late  # the jurisdiction's firms only


def test_the_regulator_sees_a_firms_cessation_on_its_page_and_in_its_audit_trail(as_qingdao, db, world):
    """The declaration is audited and the firm's regulator sees it, with the date."""
    unit = db.session.get(Unit, world.qd.unit)
    declare_ceased(Actor(account_id=None, label="firm", role="unit", unit_id=unit.id), unit.id, date(2026, 11, 20))
    page = as_qingdao.get(f"/regulator/units/{unit.id}").get_data(as_text=True)
    assert "已于2026-11-20注销（单位自行声明）" in page
    trail = as_qingdao.get(f"/regulator/audit/unit/{unit.id}").get_data(as_text=True)
    assert "单位声明注销" in trail


def test_the_desk_counts_the_reviews_held_in_the_jurisdiction_by_authority_or_by_project(db, world):
    """The reviews held in a jurisdiction (`authority_of`: the review's authority, else its project's division) are
    counted in two parts, each through its index: the count is the rule's, whichever way a review is held."""
    firm = f.unit_record(division_code="340102")
    f.create(firm, f.project_record(firm["uscc"], "HELD-1", division_code="370211"),
             f.project_record(firm["uscc"], "HELD-2", division_code="340102"),
             f.review_record("HELD-1", passed=False, authority="合肥市生态环境局",
                             authority_division_code="340100"),  # held away
             f.review_record("HELD-1", 2, reviewed_on="2024-08-01", authority=None,
                             authority_division_code=None),  # held by the project's division
             f.review_record("HELD-2", authority="青岛市生态环境局",
                             authority_division_code="370200"))  # held here
    for code in ("370000", "370200", "370211", "340000", "340100", "110000"):
        actor = Actor(account_id=None, label="test", role="regulator", division_code=code)
        by_rule = db.session.scalar(select(func.count(Review.id)).join(Project, Project.id == Review.project_id)
                                    .where(in_jurisdiction(authority_of(Review), actor)))
        assert desk_summary(actor)["reviews"] == by_rule, code
    assert desk_summary(Actor(account_id=None, label="test", role="regulator", division_code="370200"))["reviews"] >= 3
