"""A project that started during a ban, which the forms refuse, is kept when it arrives by import
and is listed on the desk of the regulator competent for the project's location, as an alert."""
from sqlalchemy import select

from registry.models import Project
from tests.factories import create, make_uscc, penalty_record, person_record, project_record, unit_record
from tests.regulator.conftest import login_as

BANNED = make_uscc("370200", 501)
SIGNED = make_uscc("370200", 502)
PERSON = "370202198403120458"


def test_an_imported_project_during_a_ban_is_kept_and_shown_to_the_competent_regulator(db, client, world):
    create(unit_record(BANNED, name="青岛禁业测试有限公司", division_code="370211"),
           unit_record(SIGNED, name="青岛守信测试有限公司", division_code="370211"),
           person_record(SIGNED, PERSON, name="林海燕"),
           penalty_record({"uscc": BANNED}, decision_number="青环罚〔2026〕77号", decided_on="2026-01-10",
                          kinds=["practice_ban"], severity="serious", ban={"until": "2028-01-09"}),
           penalty_record({"id_number": PERSON}, decision_number="青环罚〔2025〕5号", decided_on="2025-02-01",
                          kinds=["practice_ban"], severity="serious", ban={"lifetime": True}),
           project_record(BANNED, "BAN-1", name="禁业期间开工的地块修复工程", division_code="370211",
                          started_on="2026-03-01", contract_deadline="2026-12-31", completed_on=None),
           project_record(BANNED, "BAN-0", name="禁业之前开工的地块修复工程", division_code="370211",
                          started_on="2025-03-01", contract_deadline="2025-12-31", completed_on="2025-11-30"),
           project_record(SIGNED, "BAN-2", name="禁业人员参与的地块调查", division_code="370211",
                          started_on="2026-02-01", contract_deadline="2026-12-31", completed_on=None,
                          people=[{"id_number": PERSON, "role": "responsible_manager"}]))
    assert len(db.session.scalars(select(Project.id).where(Project.ref.like("BAN-%"))).all()) == 3  # all kept
    login_as(client, world, "qingdao")
    page = client.get("/regulator/").get_data(as_text=True)
    desk = page[page.index('class="ban-alerts"'):]
    desk = desk[:desk.index("</section>")]  # the alerts only: the work queue lists completed projects too
    assert "预警：在禁止从业期间开始的项目" in desk
    assert "禁业期间开工的地块修复工程" in desk and "青环罚〔2026〕77号" in desk and "2028-01-09" in desk
    assert "禁业人员参与的地块调查" in desk and "林海燕" in desk and "青环罚〔2025〕5号" in desk
    assert "禁业之前开工的地块修复工程" not in desk  # it started before the decision
    client.post("/logout")
    login_as(client, world, "hefei")
    assert "禁业期间开工的地块修复工程" not in client.get("/regulator/").get_data(as_text=True)
