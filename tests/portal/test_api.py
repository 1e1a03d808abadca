"""The public JSON API v1 (DESIGN §6): filters, errors that name the parameter, 404s, the page-size cap, no
lookup by full ID number, and an OpenAPI document that validates and describes the answers exactly."""
import copy
import re
from urllib.parse import quote

import pytest
from openapi_schema_validator import OAS30Validator, validate as validate_instance
from openapi_spec_validator import validate as validate_spec
from sqlalchemy import event, select, text, update

from registry.exchange.bulk import BULK_ROWS
from registry.models import Project
from registry.queries.sql import project_text_candidates
from tests.factories import create, make_uscc, person_record, project_record, unit_record
from tests.portal.conftest import JIAOHUA, LVYUAN, SUJING, WANG_ID, YUEQING


@pytest.mark.parametrize("query,parameter", [
    ("foo=1", "foo"),
    ("page=0", "page"),
    ("page=abc", "page"),
    ("page=100000", "page"),
    ("per_page=0", "per_page"),
    ("per_page=-5", "per_page"),
    ("category=forestry", "category"),
    ("province=99", "province"),
    ("province=3", "province"),
    ("industry=Z99", "industry"),
    ("min_area=-1", "min_area"),
    ("min_area=abc", "min_area"),
    ("min_area=NaN", "min_area"),
    ("max_area=Infinity", "max_area"),
    ("min_area=100&max_area=10", "max_area"),
    ("has_penalty=maybe", "has_penalty"),
    ("banned=yes", "banned"),
    ("sort=random", "sort"),
    ("q=", "q"),
    ("q=" + "x" * 101, "q"),
    ("q=%00abc", "q"),
    ("page=1&page=2", "page"),
    ("lang=en", "lang"),
])
def test_bad_unit_parameters_get_a_400_naming_the_parameter(client, registry_data, query, parameter):
    response = client.get(f"/api/v1/units?{query}")
    assert response.status_code == 400
    assert response.json["error"]["parameter"] == parameter
    assert response.json["error"]["status"] == 400


@pytest.mark.parametrize("url,parameter", [
    ("/api/v1/persons?unit=123", "unit"),
    ("/api/v1/persons?unit=" + SUJING[:-1] + "0", "unit"),
    ("/api/v1/persons?name=x", "name"),
    ("/api/v1/projects?sort=name", "sort"),
    ("/api/v1/projects?province=1", "province"),
    ("/api/v1/projects?industry=C9", "industry"),
])
def test_bad_person_and_project_parameters_get_a_400(client, registry_data, url, parameter):
    response = client.get(url)
    assert response.status_code == 400 and response.json["error"]["parameter"] == parameter


def test_missing_records_are_404_json(client, registry_data):
    for url in (f"/api/v1/units/{SUJING[:-1]}X", "/api/v1/persons/unknown", "/api/v1/nothing-here"):
        response = client.get(url)
        assert response.status_code == 404 and response.json["error"]["status"] == 404
    assert client.post("/api/v1/units").status_code in (400, 405)


def test_the_page_size_is_capped_at_100(client, registry_data):
    answer = client.get("/api/v1/units?per_page=500").json
    assert answer["per_page"] == 100 and answer["page"] == 1
    assert client.get("/api/v1/units?page=99").json["items"] == []


def test_a_full_id_number_finds_nobody(client, registry_data):
    assert client.get(f"/api/v1/persons?q={WANG_ID}").json == {"items": [], "total": 0, "total_relation": "eq",
                                                                  "page": 1, "per_page": 20}
    assert client.get(f"/api/v1/persons?q={WANG_ID.lower()}").json["total"] == 0
    assert client.get(f"/api/v1/units?q={WANG_ID}").json["total"] == 0
    assert client.get("/api/v1/persons?q=王建国").json["total"] == 1


def test_persons_by_firm(client, registry_data):
    answer = client.get(f"/api/v1/persons?unit={SUJING}").json
    assert [item["name"] for item in answer["items"]] == ["王建国"]
    assert answer["items"][0]["unit"] == {"uscc": SUJING, "name": "江苏苏净环保科技有限公司"}
    assert client.get(f"/api/v1/persons?unit={JIAOHUA}").json["items"] == []  # 李四 has not consented


def test_project_filters(client, registry_data):
    def refs(query):
        response = client.get(f"/api/v1/projects?per_page=100&{query}")
        assert response.status_code == 200, response.json
        return sorted(item["ref"] for item in response.json["items"])

    assert refs("") == ["JH-1", "LY-1", "LY-2", "SU-1", "SU-2", "SU-3"]
    assert refs("q=焦化厂") == ["JH-1", "SU-2"]
    assert refs("q=无锡城投") == ["SU-2"]
    assert refs("q=SU-3") == ["SU-3"]
    assert refs("q=100%25") == []  # LIKE wildcards are literal
    assert refs("industry=C25") == ["JH-1", "SU-2"]
    assert refs("province=33") == ["LY-1", "LY-2"]
    assert refs("min_area=20000&max_area=70000") == ["SU-1", "SU-2"]
    assert refs("category=investigation") == ["LY-1", "LY-2", "SU-3"]
    answer = client.get("/api/v1/projects?q=杭州").json["items"][0]
    assert answer["unit"] == {"uscc": LVYUAN, "name": "浙江绿源环境检测有限公司"}
    assert answer["verified_false_performance"] is True


def test_the_project_list_finds_a_word_through_its_trigram_index_as_reading_every_project_would(
        client, registry_data, db, monkeypatch):
    """A text of three characters or more is looked up in the trigram index of references, names, parcels and
    owners (migration 0027), kept by the database on insert (one row or many a statement) and rename; the answer
    is the one every project read by LIKE gives (FEW_CANDIDATES at 1: the index then narrows nothing, and the list
    reads every project), on each database's own LIKE (SQLite's ignores the case of ASCII letters)."""
    create(project_record(SUJING, "TX-1", name="Alpha Site 修复", parcel_name="原Beta厂地块",
                          owner="Gamma储备中心"),
           project_record(SUJING, "TX-2", name="alpha site 调查", parcel_name="原旧厂地块", owner=None),
           project_record(SUJING, "TX-3", name="旧名称项目", parcel_name="原%厂_地块", owner="Gamma储备站"))
    db.session.execute(update(Project).where(Project.ref == "TX-3").values(name="新名称项目"))  # a rename
    db.session.commit()
    monkeypatch.setattr("registry.exchange.bulk.ROWS_PER_STATEMENT", 7)  # the bulk path: rows in several INSERTs
    create(*(project_record(SUJING, f"BK-{number}", name=f"批量导入项目{number:03d}号", parcel_name=None, owner=None)
             for number in range(BULK_ROWS)))

    def refs(query):
        response = client.get(f"/api/v1/projects?per_page=100&q={quote(query)}")
        assert response.status_code == 200, response.json
        return sorted(item["ref"] for item in response.json["items"]), response.json["total_relation"]

    queries = ["Alpha Site", "alpha", "ALPHA", "Beta厂", "Gamma储备", "储备中心", "储备站", "新名称", "旧名称", "%厂_",
               "焦化厂", "TX-1", "不存在的词", "厂地", "入项目09"]
    statements = []
    record = lambda _c, _cur, statement, *_a: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with_index = {query: refs(query) for query in queries}
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    for page, shown in ((2, 1), (5, 0)):  # through the index: counted beside the page, and apart from it past the end
        answer = client.get(f"/api/v1/projects?per_page=1&page={page}&q={quote('Gamma储备')}").json
        assert (len(answer["items"]), answer["total"], answer["total_relation"]) == (shown, 2, "eq")
    monkeypatch.setattr("registry.queries.sql.FEW_CANDIDATES", 1)
    assert {query: refs(query) for query in queries} == with_index
    sqlite = db.engine.dialect.name == "sqlite"
    assert any(("project_text MATCH" if sqlite else "chr(10)") in statement for statement in statements)
    assert with_index["Alpha Site"] == ((["TX-1", "TX-2"] if sqlite else ["TX-1"]), "eq")
    assert with_index["ALPHA"] == ((["TX-1", "TX-2"] if sqlite else []), "eq")
    assert with_index["Gamma储备"][0] == ["TX-1", "TX-3"]
    assert with_index["新名称"][0] == ["TX-3"] and with_index["旧名称"][0] == []  # renamed: the index follows
    assert with_index["%厂_"][0] == ["TX-3"]  # LIKE's wildcards are literal, in the index too
    assert with_index["焦化厂"][0] == ["JH-1", "SU-2"]
    assert with_index["TX-1"][0] == ["TX-1"]  # a reference, found whole (the list matches no part of one)
    assert with_index["不存在的词"][0] == []
    assert with_index["入项目09"][0] == [f"BK-{number}" for number in range(90, 100)]


def test_postgresql_reads_the_trigram_index_for_the_project_lists_text(registry_data, db):
    """PostgreSQL uses an index on an expression for that expression alone: the list's must be the index's (on
    these few rows the planner would rather read the table, so it is told not to). A search through it plans
    with its values, and hands the candidates on as their ids (so that the list's statement is planned for their
    number)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's index on an expression (SQLite's FTS5 table is queried by name)")
    statements = []
    record = lambda _c, _cur, statement, parameters, *_a: statements.append((statement, parameters))  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        candidates = project_text_candidates("焦化厂")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    # and the rest of the transaction is planned with its values: planned once for any text (psycopg prepares a
    # statement run five times), a regulator's search read a whole province for a few candidates
    assert db.session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
    assert sorted(db.session.scalars(select(Project.ref).where(Project.id.in_(candidates)))) == ["JH-1", "SU-2"]
    statement, parameters = next((s, p) for s, p in statements if "chr(10)" in s)
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    cursor = db.session.connection().connection.driver_connection.cursor()
    cursor.execute("EXPLAIN " + statement, parameters)
    plan = "\n".join(row[0] for row in cursor.fetchall())
    db.session.rollback()
    assert "ix_project_text_trgm" in plan, plan


def test_the_project_list_counts_no_further_than_it_must_and_orders_alike_either_way(client, registry_data,
                                                                                     monkeypatch):
    """Past the projects it counts (PROJECTS_COUNTED, at least one past the page asked for), the list's total is a
    lower bound (`gte`) and the page walks the list's order; below it, the total is exact and the matches are
    sorted. Both give the same order: newest completion first, ongoing projects last, then the latest id."""
    def answer(query):
        response = client.get(f"/api/v1/projects?{query}")
        assert response.status_code == 200, response.json
        return [item["ref"] for item in response.json["items"]], response.json["total"], response.json[
            "total_relation"]

    everything, total, relation = answer("per_page=100")
    assert (total, relation) == (6, "eq")
    completed = [item["completed_on"] for item in client.get("/api/v1/projects?per_page=100").json["items"]]
    assert completed == sorted(completed, key=lambda day: day or "", reverse=True)  # ongoing (null) last
    monkeypatch.setattr("registry.queries.projects.PROJECTS_COUNTED", 3)
    assert answer("per_page=2") == (everything[:2], 3, "gte")  # counted 3 of 6: at least 3, and a next page
    assert answer("per_page=2&page=2") == (everything[2:4], 5, "gte")  # to one past page 2
    assert answer("per_page=2&page=3") == (everything[4:], 6, "eq")  # all counted: exact, and sorted
    assert answer("per_page=2&page=4") == ([], 6, "eq")  # past the end: empty, with the total
    assert answer("per_page=2&category=investigation") == (
        [ref for ref in everything if ref in {"LY-1", "LY-2", "SU-3"}][:2], 3, "gte")


def two_visits(client, db, url: str) -> tuple[list, list[str]]:
    """Two GETs of `url` in a row: the two answers' (ids, total), and the statements the first read alone."""
    def answer():
        response = client.get(url)
        assert response.status_code == 200, response.json
        return [item.get("uscc") or item.get("public_id") for item in response.json["items"]], response.json["total"]

    runs = []
    record = lambda _c, _cur, statement, *_a: runs[-1].append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        answers = [runs.append([]) or answer() for _ in range(2)]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return answers, [statement for statement in runs[0] if statement not in runs[1] + ["BEGIN"]]


@pytest.mark.parametrize("query", ["sort=relevance", "sort=name", "sort=projects", "sort=first_pass", "sort=on_time",
                                   "province=33&sort=name", "category=remediation_construction",
                                   "province=33&category=remediation_construction&sort=on_time"])
def test_the_whole_firm_list_is_ranked_once_a_data_generation(client, registry_data, db, query):
    """Without a text query or a parcel filter, every listed firm is ranked once a data generation (each one's
    projects counted, at national scale); a page is then a slice of that ranking, or of the firms in it that the
    filters keep, and the next write shows in it."""
    url = f"/api/v1/units?per_page=100&{query}"
    (first, again), first_alone = two_visits(client, db, url)
    assert again == first
    assert len(first_alone) == 1 and first_alone[0].startswith("SELECT unit.id"), first_alone  # the ranking
    uscc = make_uscc("330100", 904)
    create(unit_record(uscc, name="阿尔法排序测试环保有限公司", division_code="330106"))
    usccs, total = two_visits(client, db, url)[0][0]
    assert total == first[1] + 1 and sorted(usccs) == sorted(first[0] + [uscc])


def test_the_whole_person_list_is_counted_once_a_data_generation(client, registry_data, db):
    (first, again), first_alone = two_visits(client, db, "/api/v1/persons?per_page=100")
    assert again == first
    assert len(first_alone) == 1 and first_alone[0].startswith("SELECT count(*)"), first_alone
    create(person_record(SUJING, name="计数测试人"))
    assert two_visits(client, db, "/api/v1/persons?per_page=100")[0][0][1] == first[1] + 1


def test_unit_list_items_carry_rates_penalties_and_bans(client, registry_data):
    items = {item["uscc"]: item for item in client.get("/api/v1/units?per_page=100").json["items"]}
    assert items[SUJING]["first_pass"] == {"passed": 1, "total": 2, "rate": 0.5}
    assert items[SUJING]["province"] == "32" and items[SUJING]["project_count"] == 3
    assert items[JIAOHUA]["ban"] == {"active": True, "until": "2027-12-31", "lifetime": False}
    assert items[YUEQING]["has_penalty"] is True and items[YUEQING]["division_code"] is None


# -- the OpenAPI document --------------------------------------------------------------------------

def strict_schema(document: dict, name: str) -> dict:
    """A component schema with its references inlined and no undocumented properties allowed."""
    components = document["components"]["schemas"]

    def resolve(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(copy.deepcopy(components[node["$ref"].rsplit("/", 1)[1]]))
            node = {key: resolve(value) for key, value in node.items()}
            if node.get("type") == "object" and "properties" in node:
                node["additionalProperties"] = False
            return node
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(components[name])


def response_schema_name(document: dict, path: str) -> str:
    ref = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


def test_the_openapi_document_validates(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    validate_spec(document)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/units", "/units/{uscc}", "/persons", "/persons/{public_id}", "/projects",
                                      "/penalties", "/bans"}


def test_the_document_describes_every_route_of_the_api_and_no_other(app, client):
    routes = {re.sub(r"<(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert routes - {"/openapi.json"} == set(client.get("/api/v1/openapi.json").json["paths"])


def test_every_answer_matches_its_documented_schema(client, registry_data, contract):
    document = client.get("/api/v1/openapi.json").json
    wang = client.get("/api/v1/persons?q=王建国").json["items"][0]["public_id"]
    li = client.get("/api/v1/persons?q=李四").json["items"][0]["public_id"]
    examples = {
        "/units": ["/api/v1/units", "/api/v1/units?q=焦化&sort=first_pass", "/api/v1/units?banned=true"],
        "/units/{uscc}": [f"/api/v1/units/{code}" for code in (SUJING, JIAOHUA, LVYUAN, YUEQING)]
        + ["/api/v1/units/9134010024681357NB"],
        "/persons": ["/api/v1/persons", f"/api/v1/persons?unit={SUJING}"],
        "/persons/{public_id}": [f"/api/v1/persons/{wang}", f"/api/v1/persons/{li}"],
        "/projects": ["/api/v1/projects", "/api/v1/projects?industry=C25"],
        "/penalties": ["/api/v1/penalties", "/api/v1/penalties?severity=serious"],
        "/bans": ["/api/v1/bans", "/api/v1/bans?kind=person"],
    }
    for path, urls in examples.items():
        schema = strict_schema(document, response_schema_name(document, path))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            validate_instance(response.json, schema, cls=OAS30Validator)
    error_schema = strict_schema(document, "Error")
    validate_instance(client.get("/api/v1/units?foo=1").json, error_schema, cls=OAS30Validator)


def test_every_documented_parameter_is_accepted(client, registry_data):
    document = client.get("/api/v1/openapi.json").json
    samples = {"page": "1", "per_page": "5", "q": "苏净", "category": "investigation", "province": "32",
               "industry": "C26", "min_area": "1", "max_area": "100000", "has_penalty": "false", "banned": "false",
               "sort": "name", "unit": SUJING, "authority": "山西", "since": "2026-01-01", "until": "2026-12-31",
               "severity": "serious", "kind": "person"}
    for path in ("/units", "/persons", "/projects", "/penalties", "/bans"):
        for parameter in document["paths"][path]["get"]["parameters"]:
            name = parameter["name"]
            response = client.get(f"/api/v1{path}?{name}={samples[name]}")
            assert response.status_code == 200, (path, name, response.json)


def test_the_api_never_answers_500_on_odd_input(client, registry_data):
    odd = ["q=%E2%80%8B", "q=%27%3B+DROP+TABLE+unit%3B--", "q=*", "q=%25", "q=_", "industry=c26", "min_area=1e308",
           "max_area=0", "per_page=100&page=10000", "q=" + "苏" * 100, "q=a+b+c+d+e+f+g"]
    for query in odd:
        for path in ("units", "projects", "persons"):
            response = client.get(f"/api/v1/{path}?{query}")
            assert response.status_code in (200, 400), (path, query, response.status_code)


def test_nul_characters_are_refused_everywhere(client, registry_data):
    for url in ("/api/v1/units?q=a%00b", "/api/v1/projects?q=%00", "/search?q=%00", "/units/%00", "/persons/a%00",
                "/projects/S%00-1", "/similar?industry=%00"):
        assert client.get(url).status_code in (400, 404), url
    assert client.get("/api/v1/units?q=a%00b").json["error"]["parameter"] == "q"
    response = client.post("/projects/SU-1/complaints", data={"description": "x\x00" * 20})
    assert response.status_code == 400


def test_every_api_answer_allows_any_origin_and_the_pages_do_not(client, registry_data):
    """The API is public and read-only (DESIGN §6): a 200, a 400, a 404 and a 304 all carry the header."""
    client.get("/api/v1/units?q=苏净")  # the first search builds the index from the database: a write
    found = client.get("/api/v1/units?q=苏净")
    answers = [found, client.get("/api/v1/units?bogus=1"), client.get("/api/v1/units/913200000000000000"),
               client.get("/api/v1/openapi.json"),
               client.get("/api/v1/units?q=苏净", headers={"If-None-Match": found.headers["ETag"]})]
    assert [a.status_code for a in answers] == [200, 400, 404, 200, 304]
    assert all(a.headers.get("Access-Control-Allow-Origin") == "*" for a in answers)
    assert "Access-Control-Allow-Origin" not in client.get("/search?q=苏净").headers
