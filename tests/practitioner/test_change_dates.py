"""The commitment letter's twenty working days: each change of basic information records the day it happened
and the day it was entered; a firm that ceased business says so, keeps its records and adds no projects."""
from datetime import date

from sqlalchemy import select

from registry.extensions import db
from registry.models import AuditEvent, Project, UnitVersion
from tests.practitioner.conftest import QINGDAO, count, errors_of, sign, unit_by
from tests.practitioner.test_details import DETAILS, post_details
from tests.practitioner.test_projects import project_form


def test_the_form_proposes_today_as_the_day_of_the_change(firm):
    page = firm.get("/practitioner/details").get_data(as_text=True)
    assert 'name="changed_on"' in page and 'value="2026-11-26"' in page  # the suite's pinned today


def test_a_change_keeps_the_day_it_happened_beside_the_day_it_was_entered(firm):
    assert post_details(firm, changed_on="2026-10-09").status_code == 302
    version = db.session.scalar(select(UnitVersion))
    assert version.changed_on == date(2026, 10, 9) and version.entered_on == date(2026, 11, 26)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "unit_updated"))
    assert event.detail == "changed on 2026-10-09"


def test_a_change_without_a_day_happened_today(firm):
    assert post_details(firm, changed_on="").status_code == 302
    assert db.session.scalar(select(UnitVersion)).changed_on == date(2026, 11, 26)


def test_a_change_dated_in_the_future_is_refused_and_nothing_changes(firm):
    page = post_details(firm, changed_on="2026-11-27").get_data(as_text=True)
    assert errors_of(page, "changed_on") == ["信息变化日期不能晚于今天"]
    assert count(UnitVersion) == 0 and unit_by(QINGDAO).version == 1


def test_a_firm_declares_it_ceased_business_keeps_its_records_and_adds_no_project(app, firm):
    sign(firm)
    assert firm.post("/practitioner/details", data=DETAILS).status_code == 302
    assert firm.post("/practitioner/projects/new", data=project_form()).status_code == 302

    refused = firm.post("/practitioner/cease", data={"ceased_on": "2026-11-20"}).get_data(as_text=True)
    assert "请勾选确认" in refused and unit_by(QINGDAO).ceased_on is None
    too_early = firm.post("/practitioner/cease", data={"ceased_on": "2015-05-31", "confirm": "y"})
    assert errors_of(too_early.get_data(as_text=True), "ceased_on") == ["注销日期不能早于成立日期"]
    assert unit_by(QINGDAO).ceased_on is None

    assert firm.post("/practitioner/cease", data={"ceased_on": "2026-11-20", "confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert unit_by(QINGDAO).ceased_on == date(2026, 11, 20)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "unit_ceased"))
    assert event.before["ceased_on"] is None and event.after["ceased_on"] == "2026-11-20"

    page = firm.post("/practitioner/projects/new", data=project_form(name="注销后的项目")).get_data(as_text=True)
    assert "本单位已于2026-11-20注销，不能再添加项目" in page
    assert count(Project) == 1

    profile = app.test_client().get(f"/units/{QINGDAO}").get_data(as_text=True)
    assert "已于2026-11-20注销（单位自行声明）" in profile and "青岛某电镀厂地块土壤污染风险评估" in profile
    again = firm.get("/practitioner/cease").get_data(as_text=True)
    assert "本单位已声明于2026-11-20注销" in again and 'name="ceased_on"' not in again


def test_the_dashboard_lists_a_project_whose_completion_is_overdue_by_twenty_working_days(firm):
    firm.post("/practitioner/projects/new", data=project_form(name="逾期未录入完成", completed_on=""))
    # deadline 2026-11-20 (Friday): 20 working days end on 2026-12-18, after the pinned today
    firm.post("/practitioner/projects/new", data=project_form(name="尚在期限内", completed_on="",
                                                              contract_deadline="2026-11-20"))
    page = firm.get("/practitioner/").get_data(as_text=True)
    assert "已超过合同约定完成期限二十个工作日仍无实际完成日期的项目" in page
    # deadline 2025-10-31 (Friday): 3-7 (5), 10-14 (10), 17-21 (15), 24-28 November 2025 (20)
    assert "逾期未录入完成" in page and "合同约定完成期限2025-10-31，二十个工作日已于2025-11-28届满" in page
    assert "合同约定完成期限2026-11-20" not in page
