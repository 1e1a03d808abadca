"""Project performance: recorded with the firm's own staff, validated field by field, corrected with history."""
import re

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import AuditEvent, Project, ProjectRole, ProjectVersion
from tests.practitioner.conftest import LIN, WANG, add_staff, count, errors_of, hire, person_by_name

PROJECT = {
    "category": "risk_assessment", "name": "青岛某电镀厂地块土壤污染风险评估", "parcel_name": "原青岛电镀厂地块",
    "division_code": "370202", "area_m2": "88000", "owner": "青岛市土地储备中心", "owner_uscc": "",
    "former_industry": "C3360", "started_on": "2025-03-01", "contract_deadline": "2025-10-31",
    "completed_on": "2025-11-20",
}


def project_form(people=(), **overrides) -> dict:
    data = {**PROJECT, **overrides}
    for index, (person_id, role) in enumerate(people):
        data[f"people-{index}-person_id"] = str(person_id)
        data[f"people-{index}-role"] = role
    return data


@pytest.fixture
def lin(firm):
    hire(firm, "林海燕", LIN)
    return person_by_name("林海燕")


def test_a_firm_records_a_project_with_its_staff_and_their_roles(firm, lin):
    form_page = firm.get("/practitioner/projects/new").get_data(as_text=True)
    assert "林海燕" in form_page and "370202********0458" in form_page and LIN not in form_page
    assert '<datalist id="industry-list">' in form_page and "金属表面处理及热处理加工" in form_page

    response = firm.post("/practitioner/projects/new",
                         data=project_form([(lin.id, "responsible_manager")],
                                           former_industry="C3360 金属表面处理及热处理加工"))
    assert response.status_code == 302
    project = db.session.scalar(select(Project))
    assert re.fullmatch(r"P-[0-9A-F]{12}", project.ref)
    assert project.area_m2 == 88000 and project.former_industry == "C3360"
    assert [(r.person_id, r.role) for r in project.roles] == [(lin.id, "responsible_manager")]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "project_created")) is not None

    page = firm.get(response.headers["Location"]).get_data(as_text=True)
    assert "青岛某电镀厂地块土壤污染风险评估" in page and "直接负责的主管人员" in page
    assert "88,000.00" in page and "金属表面处理及热处理加工" in page
    listing = firm.get("/practitioner/projects").get_data(as_text=True)
    assert "青岛某电镀厂地块土壤污染风险评估" in listing and "共1个项目" in listing


def test_a_project_without_optional_fields_is_flagged_as_incomplete(firm):
    response = firm.post("/practitioner/projects/new", data=project_form(
        parcel_name="", owner="", former_industry="", contract_deadline="", completed_on="", started_on=""))
    assert response.status_code == 302
    dashboard = firm.get("/practitioner/").get_data(as_text=True)
    assert "信息不完整的业绩" in dashboard
    for missing in ("地块名称", "业主单位", "原行业类别", "合同完成期限", "人员及角色"):
        assert missing in dashboard


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"category": ""}, "category", "必填"),
    ({"name": ""}, "name", "必填"),
    ({"division_code": "abc"}, "division_code", "6位数字"),
    ({"area_m2": "0"}, "area_m2", "必须大于0"),
    ({"area_m2": "-5"}, "area_m2", "必须大于0"),
    ({"area_m2": "lots"}, "area_m2", "请填写地块面积"),
    ({"owner_uscc": "9137020035791357M1"}, "owner_uscc", "校验位错误"),
    ({"former_industry": "Z9999"}, "former_industry", "国民经济行业分类代码不存在"),
    ({"completed_on": "2025-02-01"}, "completed_on", "不能早于开始日期"),
    ({"completed_on": "2026-12-01"}, "completed_on", "不能晚于今天"),
    ({"contract_deadline": "2025-01-01"}, "contract_deadline", "不能早于开始日期"),
    ({"started_on": "2025-02-30"}, "started_on", "YYYY-MM-DD"),
])
def test_each_project_error_shows_beside_its_field_and_nothing_is_saved(firm, overrides, field, message):
    page = firm.post("/practitioner/projects/new", data=project_form(**overrides)).get_data(as_text=True)
    assert any(message in e for e in errors_of(page, field)), (field, errors_of(page, field))
    assert "未保存任何内容" in page
    assert count(Project) == 0 and count(ProjectRole) == 0


def test_a_correction_keeps_the_earlier_version_with_its_people(firm, lin):
    hire(firm, "王明", WANG)
    wang = person_by_name("王明")
    # a project still in progress: its roles are the firm's to change (those of a completed one are locked)
    firm.post("/practitioner/projects/new", data=project_form([(lin.id, "responsible_manager")], completed_on=""))
    project = db.session.scalar(select(Project))

    edit_page = firm.get(f"/practitioner/projects/{project.ref}/edit").get_data(as_text=True)
    assert 'value="青岛某电镀厂地块土壤污染风险评估"' in edit_page and 'value="88000.00"' in edit_page
    response = firm.post(f"/practitioner/projects/{project.ref}/edit", data=project_form(
        [(lin.id, "other_responsible"), (wang.id, "responsible_manager")], area_m2="90000", completed_on=""))
    assert response.status_code == 302
    db.session.expire_all()
    project = db.session.scalar(select(Project))
    assert project.version == 2 and project.area_m2 == 90000
    assert sorted((r.person_id, r.role) for r in project.roles) == sorted(
        [(lin.id, "other_responsible"), (wang.id, "responsible_manager")])
    earlier = db.session.scalar(select(ProjectVersion))
    assert earlier.version == 1 and earlier.data["area_m2"] == "88000.00"
    assert earlier.data["people"] == [{"person_id": lin.id, "role": "responsible_manager"}]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "project_updated"))
    assert event.before["area_m2"] == "88000.00" and event.after["area_m2"] == "90000.00"

    page = firm.get(f"/practitioner/projects/{project.ref}").get_data(as_text=True)
    assert "历史版本" in page and "第1版" in page and "90,000.00" in page


def test_an_invalid_correction_changes_nothing(firm):
    firm.post("/practitioner/projects/new", data=project_form())
    project = db.session.scalar(select(Project))
    page = firm.post(f"/practitioner/projects/{project.ref}/edit",
                     data=project_form(area_m2="0")).get_data(as_text=True)
    assert "必须大于0" in " ".join(errors_of(page, "area_m2"))
    db.session.expire_all()
    assert db.session.scalar(select(Project.version)) == 1 and count(ProjectVersion) == 0


def test_a_person_who_left_stays_on_old_projects_but_cannot_be_put_on_new_ones(firm, lin):
    firm.post("/practitioner/projects/new", data=project_form([(lin.id, "responsible_manager")]))
    project = db.session.scalar(select(Project))
    firm.post(f"/practitioner/staff/{lin.id}/end")
    # the old project keeps her role through a correction
    response = firm.post(f"/practitioner/projects/{project.ref}/edit",
                         data=project_form([(lin.id, "responsible_manager")], owner="青岛市自然资源局"))
    assert response.status_code == 302
    # a new project cannot name her
    assert "林海燕" not in firm.get("/practitioner/projects/new").get_data(as_text=True)
    response = firm.post("/practitioner/projects/new", data=project_form([(lin.id, "responsible_manager")]))
    assert response.status_code == 404
    assert count(Project) == 1


def test_the_project_list_pages_sorts_and_filters(firm):
    for index in range(23):
        firm.post("/practitioner/projects/new", data=project_form(name=f"项目{index:02d}",
                                                                  owner="甲方" if index == 7 else "乙方"))
    first = firm.get("/practitioner/projects?sort=name").get_data(as_text=True)
    assert "共23个项目" in first and "第1页，共2页" in first and "项目00" in first and "项目22" not in first
    second = firm.get("/practitioner/projects?sort=name&page=2").get_data(as_text=True)
    assert "项目22" in second and "项目00" not in second
    filtered = firm.get("/practitioner/projects?q=甲方").get_data(as_text=True)
    assert "共1个项目" in filtered and "项目07" in filtered
    assert "没有符合条件的项目" in firm.get("/practitioner/projects?q=不存在").get_data(as_text=True)


def test_the_project_search_finds_percent_and_underscore_as_typed_not_as_wildcards(firm):
    """`%` and `_` in the search box are characters to find: as LIKE wildcards they matched every project."""
    for name in ("达标率100%的修复工程", "A_B地块调查", "普通地块调查"):
        firm.post("/practitioner/projects/new", data=project_form(name=name))
    percent = firm.get("/practitioner/projects?q=%25").get_data(as_text=True)
    assert "共1个项目" in percent and "达标率100%的修复工程" in percent and "普通地块调查" not in percent
    underscore = firm.get("/practitioner/projects?q=_").get_data(as_text=True)
    assert "共1个项目" in underscore and "A_B地块调查" in underscore and "普通地块调查" not in underscore
    assert "共0个项目" in firm.get("/practitioner/projects?q=%5C").get_data(as_text=True)  # the escape character too


def test_a_completed_project_keeps_its_dates_location_and_roles_and_the_rest_stays_correctable(firm, lin):
    """Moving a completed project's deadline turned it from late to on time; clearing its roles
    raised a person's first-pass rate. Once completed, those are a correction the regulator accepts."""
    firm.post("/practitioner/projects/new", data=project_form([(lin.id, "responsible_manager")]))
    project = db.session.scalar(select(Project))
    edit = f"/practitioner/projects/{project.ref}/edit"
    for change, field in (({"contract_deadline": "2025-12-31"}, "contract_deadline"), ({}, "people"),
                          ({"division_code": "370203"}, "division_code")):
        people = [] if field == "people" else [(lin.id, "responsible_manager")]
        page = firm.post(edit, data=project_form(people, **change)).get_data(as_text=True)
        assert "项目已完成或已有评审结果" in page and "未保存任何内容" in page, field
    db.session.expire_all()
    project = db.session.scalar(select(Project))
    assert project.version == 1 and str(project.contract_deadline) == "2025-10-31" and len(project.roles) == 1
    assert firm.post(edit, data=project_form([(lin.id, "responsible_manager")], area_m2="90000")).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Project)).area_m2 == 90000


def test_a_locked_change_with_a_reason_becomes_a_correction_request_for_the_regulator(firm, lin):
    from registry.models import ProjectCorrection

    firm.post("/practitioner/projects/new", data=project_form([(lin.id, "responsible_manager")]))
    project = db.session.scalar(select(Project))
    response = firm.post(f"/practitioner/projects/{project.ref}/edit", data=project_form(
        [(lin.id, "responsible_manager")], contract_deadline="2025-12-31", correction_reason="合同补充协议延长了期限"))
    assert response.status_code == 302
    assert "更正申请已提交" in firm.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert str(db.session.scalar(select(Project)).contract_deadline) == "2025-10-31"
    correction = db.session.scalar(select(ProjectCorrection))
    assert correction.status == "pending" and correction.proposed["contract_deadline"] == "2025-12-31"
