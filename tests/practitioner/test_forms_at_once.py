"""One submit shows every error, typed codes are kept, numbers and
codes are accepted as people write them, the division is picked without JavaScript, and names refuse
invisible characters."""
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Account, Project, Unit
from tests.practitioner.conftest import QINGDAO, count, errors_of, firm_data, register, unit_by
from tests.practitioner.test_projects import project_form


def test_one_submit_shows_the_industry_completion_and_deadline_errors_together(firm):
    page = firm.post("/practitioner/projects/new", data=project_form(
        former_industry="Z9999", started_on="2025-03-01", contract_deadline="2025-01-31",
        completed_on="2099-01-01", owner_uscc="9137020035791357M1")).get_data(as_text=True)
    assert "不存在" in " ".join(errors_of(page, "former_industry"))
    assert "晚于今天" in " ".join(errors_of(page, "completed_on"))
    assert "不能早于开始日期" in " ".join(errors_of(page, "contract_deadline"))
    assert "校验位错误" in " ".join(errors_of(page, "owner_uscc"))
    assert 'value="9137020035791357M1"' in page  # the credit code typed is kept, to be corrected
    assert count(Project) == 0


def test_form_errors_and_service_errors_show_on_the_same_submit(firm):
    page = firm.post("/practitioner/projects/new", data=project_form(
        name="", former_industry="Z9999", division_code="320000")).get_data(as_text=True)
    assert errors_of(page, "name") and errors_of(page, "former_industry")
    assert "县级行政区划" in " ".join(errors_of(page, "division_code"))
    assert count(Project) == 0


@pytest.mark.parametrize(("typed", "stored"), [
    ("45,000", Decimal("45000")), ("４５０００", Decimal("45000")), ("  1,234,567.5 ", Decimal("1234567.5")),
    ("４５，０００", Decimal("45000")),
])
def test_an_area_is_accepted_as_people_write_it(firm, typed, stored):
    response = firm.post("/practitioner/projects/new", data=project_form(area_m2=typed))
    assert response.status_code == 302, errors_of(response.get_data(as_text=True), "area_m2")
    assert db.session.scalar(select(Project.area_m2)) == stored


@pytest.mark.parametrize("typed", ["45,00", "4,5000", "1,2,3"])
def test_misplaced_thousands_separators_are_refused(firm, typed):
    page = firm.post("/practitioner/projects/new", data=project_form(area_m2=typed)).get_data(as_text=True)
    assert errors_of(page, "area_m2") and count(Project) == 0


def test_codes_are_accepted_in_full_width_and_with_spaces(app):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in QINGDAO)  # ９１３７…
    client = app.test_client()
    response = register(client, uscc=f" {full_width[:6]} {full_width[6:]} ", division_code="３７０２０２")
    assert response.status_code == 302
    unit = unit_by(QINGDAO)
    assert unit.division_code == "370202"
    assert db.session.scalar(select(Account.username).where(Account.unit_id == unit.id)) == QINGDAO


def test_a_refused_registration_keeps_the_credit_code_and_shows_every_error(app):
    page = register(app.test_client(), name="", contact_email="no-at-sign",
                    division_code="329999").get_data(as_text=True)
    assert errors_of(page, "name") and errors_of(page, "contact_email") and errors_of(page, "division_code")
    assert f'value="{QINGDAO}"' in page
    assert count(Unit) == 0


def test_the_division_picker_is_a_grouped_select_prefilled_from_the_credit_code(app, firm):
    page = app.test_client().get("/practitioner/register").get_data(as_text=True)
    picker = re.search(r'<select name="division_code".*?</select>', page, re.S).group(0)
    assert '<optgroup label="山东省 青岛市">' in picker and '<option value="370202">市南区 370202</option>' in picker
    assert '<option value="370200">青岛市（全市） 370200</option>' in picker  # a firm may be a city's
    # a refused registration with no division chosen comes back with characters 3–8 of the code chosen
    page = register(app.test_client(), uscc="91370202MA3C4DKX1Y", division_code="",
                    name="").get_data(as_text=True)
    assert '<option value="370202" selected>' in page
    details = firm.get("/practitioner/details").get_data(as_text=True)
    assert '<option value="370202" selected>' in details
    new_project = firm.get("/practitioner/projects/new").get_data(as_text=True)
    assert '<option value="370202" selected>' in new_project
    assert '<option value="370200"' not in new_project  # a parcel lies in a county, never a whole city


def test_a_project_location_must_be_an_existing_county(firm):
    for code in ("329999", "320000", "320500", "320501"):
        page = firm.post("/practitioner/projects/new", data=project_form(division_code=code)).get_data(as_text=True)
        assert errors_of(page, "division_code"), code
    assert count(Project) == 0


@pytest.mark.parametrize("invisible", ["\u202e", "\u200b", "\u2066", "\ufeff"])
def test_names_refuse_direction_controls_and_zero_width_characters(app, invisible):
    page = register(app.test_client(), name=f"青岛海岸带{invisible}土壤修复有限公司").get_data(as_text=True)
    assert "不可见的控制字符" in " ".join(errors_of(page, "name"))
    assert count(Unit) == 0


def test_names_are_stored_in_nfkc(app):
    assert register(app.test_client(), name="青岛海岸带土壤修复有限公司（ＡＢＣ）").status_code == 302
    assert unit_by(QINGDAO).name == "青岛海岸带土壤修复有限公司(ABC)"


def test_the_firm_details_form_shows_every_error_at_once(firm):
    data = {**{k: v for k, v in firm_data().items() if k in ("name", "legal_representative", "contact_email")},
            "division_code": "329999", "established_on": "2099-01-01", "address": "", "contact_phone": "",
            "categories": "risk_assessment", "legal_representative": ""}
    page = firm.post("/practitioner/details", data=data).get_data(as_text=True)
    assert errors_of(page, "division_code") and errors_of(page, "established_on")
    assert errors_of(page, "legal_representative")
    assert unit_by(QINGDAO).division_code == "370202"
