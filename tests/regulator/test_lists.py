"""The desk's lists: search, sorting, pagination and clear empty states."""
from registry.models import Unit
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
