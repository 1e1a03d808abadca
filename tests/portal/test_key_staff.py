"""Key staff, as a landowner reads them: the firm profile lists its responsible persons, current and former,
with their roles on which of its projects; a person's page shows title, employers from and to, and projects by
role; the project page says whether each listed person is still with the firm. Only public records: a person
who never consented is not named, a firm that is not listed is not named through its former staff, and no birth
date, age or gender stands beside a masked number. The API answers the same."""
import re

import pytest

from tests.factories import create, make_id_number, make_uscc, person_record, project_record, unit_record
from tests.portal.conftest import JINGTU, SUJING, WANG_ID, ZHAO_ID, LVYUAN, registry_records

MOVER_ID = make_id_number("110105", "19790214", 301)  # 陈立新: worked at SUJING, then moved to MINGDE
HIDDEN_PAST_ID = make_id_number("110105", "19880101", 302)  # 冯静: earlier at JINGTU (a firm listed nowhere)
MINGDE = make_uscc("320500", 303)


@pytest.fixture
def staff_data(app):
    records = registry_records() + [
        unit_record(MINGDE, name="苏州明德环境有限公司", division_code="320506"),
        person_record(MINGDE, MOVER_ID, name="陈立新", title="高级工程师", employed_since="2025-03-01",
                      earlier_employments=[{"unit_uscc": SUJING, "title": "工程师", "started_on": "2019-05-01",
                                            "ended_on": "2025-02-28"}]),
        person_record(SUJING, HIDDEN_PAST_ID, name="冯静", employed_since="2022-01-01",
                      earlier_employments=[{"unit_uscc": JINGTU, "started_on": "2018-01-01",
                                            "ended_on": "2021-12-31"}]),
        project_record(SUJING, "SU-9", name="常州某化工厂地块修复工程", completed_on="2024-11-30",
                       contract_deadline="2024-12-31",
                       people=[{"id_number": MOVER_ID, "role": "responsible_manager"},
                               {"id_number": WANG_ID, "role": "other_responsible"}]),
    ]
    create(*records)


def staff_section(client, uscc: str, query: str = "") -> str:
    text = client.get(f"/units/{uscc}{query}").get_data(as_text=True)
    return text[text.index('<section id="staff">'):text.index('<section id="projects">')]


def test_the_firm_profile_lists_current_and_former_staff_with_their_roles_on_its_projects(staff_data, client):
    section = staff_section(client, SUJING)
    assert "主要从业人员" in section and "共3人" in section
    names = re.findall(r'<td[^>]*><a href="/persons/[^"]+">([^<]+)</a></td>', section)
    assert names == ["王建国", "冯静", "陈立新"]  # current first, by number of projects; then former
    wang = section[section.index("王建国"):section.index("冯静")]
    assert "现任" in wang and "直接负责的主管人员: 1个项目" in wang and "其他直接责任人员: 2个项目" in wang
    assert "苏州某农药厂地块修复工程" in wang and "常州某化工厂地块修复工程" in wang
    mover = section[section.index("陈立新"):]
    assert "曾任" in mover and "2019-05-01至2025-02-28" in mover and "直接负责的主管人员: 1个项目" in mover
    assert "110105********" in section and WANG_ID not in section
    # never a birth date, age or gender beside a masked number
    assert not re.search(r"出生|年龄|性别|19800101|1980-01-01", section)


def test_a_person_who_never_consented_is_not_named_among_a_firms_staff(staff_data, client):
    section = staff_section(client, LVYUAN)  # 赵六 holds a role on its public project LY-2, never signed
    assert "赵六" not in section and ZHAO_ID[:6] not in section
    assert "本单位暂无信息公开的从业人员。" in section
    assert client.get(f"/api/v1/units/{LVYUAN}").json["staff"] == []


def test_the_staff_list_is_paged_and_a_page_past_its_end_says_so(staff_data, client):
    assert "王建国" in staff_section(client, SUJING, "?staff_page=1")
    past = staff_section(client, SUJING, "?staff_page=5")
    assert "王建国" not in past and "第5页超出了列表的范围（共1页）。" in past
    answer = client.get(f"/api/v1/units/{SUJING}?staff_page=5").json
    assert answer["staff"] == [] and answer["staff_total"] == 3 and answer["staff_page"] == 5


def test_the_person_page_shows_title_employers_from_and_to_and_projects_by_role(staff_data, client):
    mover = client.get("/api/v1/persons?q=陈立新").json["items"][0]["public_id"]
    text = client.get(f"/persons/{mover}").get_data(as_text=True)
    assert "高级工程师" in text
    history = text[text.index('<section id="employment">'):text.index('<section id="roles">')]
    rows = re.findall(r"<tr><td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td></tr>",
                      history, re.S)
    assert [(re.sub("<[^>]+>", "", firm), title, start, end) for firm, title, start, end in rows] == [
        ("苏州明德环境有限公司", "高级工程师", "2025-03-01", "至今"),
        ("江苏苏净环保科技有限公司", "工程师", "2019-05-01", "2025-02-28")]
    roles = text[text.index('<section id="roles">'):]
    assert "直接负责的主管人员: 1个项目" in roles and "常州某化工厂地块修复工程" in roles
    answer = client.get(f"/api/v1/persons/{mover}").json
    assert answer["title"] == "高级工程师"
    assert [(e["unit"]["name"], e["from"], e["to"]) for e in answer["employments"]] == [
        ("苏州明德环境有限公司", "2025-03-01", None), ("江苏苏净环保科技有限公司", "2019-05-01", "2025-02-28")]
    assert answer["roles_by_role"] == [{"role": "responsible_manager", "project_count": 1}]
    assert answer["roles_total"] == 1 and answer["roles_page"] == 1


def test_a_firm_that_is_not_listed_is_not_named_in_an_employment_history(staff_data, client):
    person = client.get("/api/v1/persons?q=冯静").json["items"][0]["public_id"]
    text = client.get(f"/persons/{person}").get_data(as_text=True)
    assert "上海净土修复工程有限公司" not in text and JINGTU not in text
    assert "（信息未公开的单位）" in text and "2018-01-01" in text
    answer = client.get(f"/api/v1/persons/{person}").json
    assert [e["unit"] for e in answer["employments"]][1] is None
    assert JINGTU not in str(answer)


def test_the_project_page_says_whether_each_person_is_still_with_the_firm(staff_data, client):
    text = client.get("/projects/SU-9").get_data(as_text=True)
    people = text[text.index("<h2>直接责任人员</h2>"):]
    mover = people[people.index("陈立新"):]
    wang = people[people.index("王建国"):]
    assert mover.index("已于2025-02-28离开本单位") < mover.index("</li>")
    assert wang.index("仍在本单位任职") < wang.index("</li>")
    english = client.get("/projects/SU-9?lang=en").get_data(as_text=True)
    assert "Left the firm on 2025-02-28" in english and "Still with the firm" in english


def test_bad_staff_and_role_pages_are_a_400_in_the_api(staff_data, client):
    for url in (f"/api/v1/units/{SUJING}?staff_page=0", f"/api/v1/units/{SUJING}?staff_page=x",
                "/api/v1/persons/whoever?roles_page=-1"):
        response = client.get(url)
        assert response.status_code == 400 and response.json["error"]["parameter"] in ("staff_page", "roles_page")
