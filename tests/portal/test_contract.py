"""The worked example of the contract (contract/README.md): the public API answers exactly these figures."""
import json

from tests.portal.conftest import GAO_ID, HEFEI, LIN_ID, QINGDAO

NEVER_PUBLIC = [LIN_ID, GAO_ID, "0532-80000001", "13600000000", "市民甲", "经核查，举报内容不属实", "合肥市瑶海区长江东路2号", "高远"]


def names(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/units?{query}")
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["items"]]


def test_the_qingdao_firm_answers_with_its_address_rates_and_no_complaint(client, contract):
    firm = client.get(f"/api/v1/units/{QINGDAO}").json
    assert firm["name"] == "青岛海岸带土壤修复有限公司"
    assert firm["address"] == "青岛市市南区香港中路1号"
    assert len(firm["projects"]) == 2
    assert firm["first_pass"] == {"passed": 1, "total": 2, "rate": 0.5}
    assert firm["on_time"] == {"on_time": 1, "total": 2, "rate": 0.5}
    assert firm["penalties"] == []
    assert firm["verified_false_performance"] == []
    assert firm["ban"]["active"] is False
    late = {project["ref"]: project["days_late"] for project in firm["projects"]}
    assert late == {"S-1": 20, "S-2": -29}


def test_the_hefei_firm_is_listed_by_name_and_code_only_because_of_its_penalty(client, contract):
    firm = client.get(f"/api/v1/units/{HEFEI}").json
    assert firm["name"] == "合肥庐州环境检测有限公司"
    assert firm["address"] is None and firm["legal_representative"] is None
    assert firm["projects"] == []
    assert firm["first_pass"] == {"passed": 0, "total": 0, "rate": None}
    assert len(firm["penalties"]) == 1
    penalty = firm["penalties"][0]
    assert penalty["decision_number"] == "合环罚〔2026〕21号"
    assert penalty["severity"] == "ordinary" and penalty["decided_on"] == "2026-09-01"
    assert penalty["publicity_ends_on"] == "2027-09-01"
    assert firm["ban"] == {"active": False, "until": None, "lifetime": False}


def test_lin_haiyan_is_listed_masked_with_her_roles_and_gao_yuan_is_not(client, contract):
    listed = client.get("/api/v1/persons").json
    assert [item["name"] for item in listed["items"]] == ["林海燕"]
    lin = listed["items"][0]
    assert lin["id_number_masked"] == "370202********0458"
    detail = client.get(f"/api/v1/persons/{lin['public_id']}").json
    assert detail["first_pass"] == {"passed": 1, "total": 2, "rate": 0.5}
    assert sorted(role["project_ref"] for role in detail["roles"]) == ["S-1", "S-2"]
    assert client.get("/api/v1/persons?q=高远").json["items"] == []


def test_searches_and_filters_of_the_example(client, contract):
    assert names(client, "q=海岸带") == ["青岛海岸带土壤修复有限公司"]
    assert names(client, "q=庐州") == ["合肥庐州环境检测有限公司"]
    assert names(client, "q=电镀") == ["青岛海岸带土壤修复有限公司"]
    assert names(client, "q=长江东路") == []
    assert names(client, "industry=C25&min_area=50000&max_area=100000") == ["青岛海岸带土壤修复有限公司"]
    assert names(client, "industry=C26&min_area=50000&max_area=70000") == []
    assert names(client, "has_penalty=true") == ["合肥庐州环境检测有限公司"]
    assert names(client, "banned=true") == []


def test_the_example_holds_on_every_day_until_the_penalty_publicity_ends(app, client, contract):
    app.config["TODAY"] = "2027-09-01"
    assert names(client, "has_penalty=true") == ["合肥庐州环境检测有限公司"]
    app.config["TODAY"] = "2027-09-02"
    assert names(client, "has_penalty=true") == []
    assert client.get(f"/api/v1/units/{HEFEI}").status_code == 404


def test_nothing_secret_of_the_example_appears_on_any_public_surface(client, contract):
    answers = [json.dumps(client.get(url).json, ensure_ascii=False) for url in (
        "/api/v1/units", f"/api/v1/units/{QINGDAO}", f"/api/v1/units/{HEFEI}", "/api/v1/persons", "/api/v1/projects")]
    pages = [client.get(url).get_data(as_text=True) for url in (
        "/", "/search?q=青岛", f"/units/{QINGDAO}", f"/units/{HEFEI}", "/projects/S-1", "/projects/S-2",
        "/open-data/registry-public.jsonl", "/open-data/unit.csv", "/open-data/complaint.csv")]
    for text in answers + pages:
        for secret in NEVER_PUBLIC:
            assert secret not in text
