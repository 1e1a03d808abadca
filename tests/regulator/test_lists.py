"""The desk's lists: search, sorting, pagination and clear empty states."""
import re
from datetime import date

from sqlalchemy import select

from registry.access import Actor, unit_linked, units_linked
from registry.models import Project, Unit
from registry.services.corrections import request_correction
from registry.services.projects import ProjectData
from tests import factories as f
from tests.regulator.conftest import login_as


def test_projects_are_paginated_twenty_to_a_page_and_searchable(as_qingdao, db, world):
    uscc = db.session.get(Unit, world.qd.unit).uscc
    f.create(*[f.project_record(uscc, f"QD-LIST-{n:02d}", name=f"列表测试地块{n:02d}", division_code="370203")
               for n in range(1, 25)])
    first = as_qingdao.get("/regulator/projects").get_data(as_text=True)
    assert "第1页，共2页" in first and "共25条" in first and "下一页" in first
    second = as_qingdao.get("/regulator/projects?page=2").get_data(as_text=True)
    assert "第2页，共2页" in second and "上一页" in second
    by_name = as_qingdao.get("/regulator/projects?sort=ref&q=QD-LIST").get_data(as_text=True)
    assert by_name.index("QD-LIST-01") < by_name.index("QD-LIST-02")
    assert "QD-LIST-21" not in by_name and "共24条" in by_name
    assert as_qingdao.get("/regulator/projects?page=abc&sort=nonsense").status_code == 200
    empty = as_qingdao.get("/regulator/projects?q=没有这样的项目").get_data(as_text=True)
    assert "辖区内没有与“没有这样的项目”匹配的项目" in empty


def test_the_project_search_finds_by_reference_name_parcel_or_firm_as_reading_every_project_would(
        as_qingdao, db, world, monkeypatch):
    """A text of three characters or more reads the projects the trigram index finds and those of the firms whose
    name or code holds it; the answer is the one a test of every project gives (FEW_CANDIDATES at 1), and a
    project outside the jurisdiction stays out either way."""
    unit = db.session.get(Unit, world.qd.unit)
    f.create(f.project_record(unit.uscc, "QD-SRCH-01", name="崂山某电镀厂地块调查", parcel_name="原崂山电镀厂地块",
                              division_code="370212"),
             f.project_record(unit.uscc, "QD-SRCH-02", name="市北某化工厂地块调查", division_code="370203"),
             f.project_record(unit.uscc, "JN-SRCH-03", name="济南某电镀厂地块调查", division_code="370102"))

    def refs(text):
        page = as_qingdao.get("/regulator/projects", query_string={"q": text}).get_data(as_text=True)
        return sorted(set(re.findall(r"(?:QD|JN)-SRCH-\d\d", page)))

    texts = ["电镀厂", "崂山电镀", "SRCH-0", "H-02", unit.name[:4], unit.uscc[-6:], "没有这样的项目", "电镀"]
    with_index = {text: refs(text) for text in texts}
    monkeypatch.setattr("registry.queries.sql.FEW_CANDIDATES", 1)
    assert {text: refs(text) for text in texts} == with_index
    assert with_index["电镀厂"] == with_index["电镀"] == ["QD-SRCH-01"]  # Jinan's is not Qingdao's
    assert with_index["崂山电镀"] == ["QD-SRCH-01"]  # the parcel
    assert with_index["SRCH-0"] == ["QD-SRCH-01", "QD-SRCH-02"] and with_index["H-02"] == ["QD-SRCH-02"]
    assert with_index[unit.name[:4]] == with_index[unit.uscc[-6:]] == ["QD-SRCH-01", "QD-SRCH-02"]  # by firm
    assert with_index["没有这样的项目"] == []


def test_page_links_keep_every_other_parameter_and_take_odd_names_as_plain_parameters(as_qingdao, db, world):
    """A parameter named like one of url_for's own (`endpoint`, `_external`, `_scheme`) stays in the query string:
    handed to url_for as a keyword, it failed the page (500) or turned the link absolute, in another scheme."""
    uscc = db.session.get(Unit, world.qd.unit).uscc
    f.create(*[f.project_record(uscc, f"QD-LINK-{n:02d}", division_code="370203") for n in range(1, 25)])
    response = as_qingdao.get("/regulator/projects?q=QD-LINK&sort=ref&endpoint=x&_external=1&_scheme=javascript")
    assert response.status_code == 200
    assert ('href="/regulator/projects?q=QD-LINK&amp;sort=ref&amp;endpoint=x&amp;_external=1&amp;_scheme=javascript'
            '&amp;page=2" rel="next"') in response.get_data(as_text=True)


def test_correction_requests_are_paginated_like_every_list(as_qingdao, db, world):
    """More than a page of pending correction requests: the list links to its second page (it failed with a 500)."""
    uscc = db.session.get(Unit, world.qd.unit).uscc
    f.create(*[f.project_record(uscc, f"QD-FIX-{n:02d}", division_code="370203") for n in range(1, 22)])
    firm = Actor(account_id=None, label="firm", role="unit", unit_id=world.qd.unit)
    for project in db.session.scalars(select(Project).where(Project.ref.like("QD-FIX-%"))).all():
        fields = {name: getattr(project, name) for name in ProjectData.__dataclass_fields__}
        request_correction(firm, project.ref, ProjectData(**{**fields, "contract_deadline": date(2024, 8, 31)}), [],
                           "合同补充协议将完成期限延长")
    first = as_qingdao.get("/regulator/corrections")
    assert first.status_code == 200
    text = first.get_data(as_text=True)
    assert "第1页，共2页" in text and "共21条" in text and 'href="/regulator/corrections?page=2"' in text
    second = as_qingdao.get("/regulator/corrections?page=2").get_data(as_text=True)
    assert "第2页，共2页" in second and text.count("QD-FIX-") + second.count("QD-FIX-") == 21


def test_penalties_sort_by_decision_date_or_publicity_end(as_qingdao, db, world):
    uscc = db.session.get(Unit, world.qd.unit).uscc
    f.create(f.penalty_record({"uscc": uscc}, "青环罚〔2025〕7号", decided_on="2025-06-01", severity="serious"))
    newest = as_qingdao.get("/regulator/penalties").get_data(as_text=True)
    assert newest.index("青岛环罚〔2026〕1号") < newest.index("青环罚〔2025〕7号")
    oldest = as_qingdao.get("/regulator/penalties?sort=decided_on").get_data(as_text=True)
    assert oldest.index("青环罚〔2025〕7号") < oldest.index("青岛环罚〔2026〕1号")
    found = as_qingdao.get("/regulator/penalties?q=2025").get_data(as_text=True)
    assert "青环罚〔2025〕7号" in found and "青岛环罚〔2026〕1号" not in found


def test_a_new_jurisdiction_starts_with_clear_empty_states(client, world):
    login_as(client, world, "jinan")
    assert "辖区内尚无项目" in client.get("/regulator/projects").get_data(as_text=True)
    assert "辖区内的机关尚未登记行政处罚" in client.get("/regulator/penalties").get_data(as_text=True)
    assert "此列表中没有举报" in client.get("/regulator/complaints").get_data(as_text=True)
    assert "辖区内尚无登记的单位" in client.get("/regulator/units").get_data(as_text=True)


def test_the_list_of_a_jurisdictions_firms_reads_the_same_firms_as_the_test_of_one(db, world):
    """`units_linked` (the firms list's select, each way read through its index) and `unit_linked` (the test of
    one firm) are one rule: registered there, registered there before a move, a project there, a review or a
    complaint held there (with an authority of its own, or by its project's division)."""
    here, away = "370211", "340102"
    registered = f.unit_record(division_code=here)
    moved = f.unit_record(division_code=here)
    project_here = f.unit_record(division_code=away)
    reviewed_here = f.unit_record(division_code=away)
    complained_here = f.unit_record(division_code=away)
    elsewhere = f.unit_record(division_code=away)
    f.create(registered, moved, project_here, reviewed_here, complained_here, elsewhere,
             f.project_record(project_here["uscc"], "LINK-1", division_code=here),
             f.project_record(reviewed_here["uscc"], "LINK-2", division_code=away),
             f.review_record("LINK-2", authority="青岛市生态环境局", authority_division_code="370200"),
             f.project_record(complained_here["uscc"], "LINK-3", division_code=away),
             f.complaint_record("LINK-3", "LINK-C", authority="青岛市生态环境局", authority_division_code="370200"),
             f.project_record(elsewhere["uscc"], "LINK-4", division_code=away),
             f.review_record("LINK-4", authority="合肥市生态环境局", authority_division_code="340100"))
    f.create({**moved, "division_code": away})  # the firm moves: its earlier division stays in its history
    ids = {record["uscc"]: db.session.scalar(select(Unit.id).where(Unit.uscc == record["uscc"]))
           for record in (registered, moved, project_here, reviewed_here, complained_here, elsewhere)}
    for code in ("370000", "370200", "370211", "370202", "340000", "340100", "110000"):
        one_by_one = set(db.session.scalars(select(Unit.id).where(unit_linked(code))))
        assert set(db.session.scalars(units_linked(code))) == one_by_one, code
    qingdao = set(db.session.scalars(units_linked("370200")))
    assert {ids[r["uscc"]] for r in (registered, moved, project_here, reviewed_here, complained_here)} <= qingdao
    assert ids[elsewhere["uscc"]] not in qingdao
    assert ids[elsewhere["uscc"]] in set(db.session.scalars(units_linked("340100")))


def test_a_page_past_the_end_of_a_list_says_so_and_links_to_the_last(as_qingdao, world):
    """Each back-office list with records says that page 99 is past its end and links to its last page, rather
    than that the jurisdiction has no firms, penalties or complaints."""
    for path in ("/regulator/units", "/regulator/projects", "/regulator/penalties", "/regulator/complaints?status=all",
                 f"/regulator/audit/penalty/{world.qd.penalty}"):
        page = as_qingdao.get(f"{path}{'&' if '?' in path else '?'}page=99").get_data(as_text=True)
        assert "第99页超出结果范围：共1页。" in page, path
        assert "page=1" in page and 'class="empty">辖区内' not in page, path
