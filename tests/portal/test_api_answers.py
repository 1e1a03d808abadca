"""The API's answers, byte for byte, on the contract example and on the small registry of tests/portal/conftest.py.

The expected answers are in tests/data/api_answers_*.txt: for each request its status, its redirect target and
its exact body. A change of a field name, of null handling or of a number's format (`0.5`, `500000.0`) fails
here, as does any change of the OpenAPI document. When an answer is meant to change, rewrite the files with
`REGISTRY_WRITE_API_ANSWERS=1 pytest tests/portal/test_api_answers.py` and read the diff before committing it.
"""
import itertools
import os
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.models import Person, Unit
from tests import factories
from tests.factories import DOUBLE_PUBLICITY, create, penalty_record
from tests.portal.conftest import HEFEI, HUAXIA, JIAOHUA, JINGHUA, LVYUAN, QINGDAO, SUJING, YUEQING, registry_records

ANSWERS = Path(__file__).resolve().parents[1] / "data"

EVERY_LIST = [
    "/api/v1/units", "/api/v1/units?per_page=1&page=2", "/api/v1/units?per_page=500",
    *(f"/api/v1/units?sort={key}" for key in ("relevance", "first_pass", "on_time", "projects", "name")),
    "/api/v1/units?has_penalty=true", "/api/v1/units?has_penalty=false", "/api/v1/units?banned=true",
    "/api/v1/persons", "/api/v1/projects", "/api/v1/projects?per_page=2&page=2",
    "/api/v1/units?foo=1", "/api/v1/units?sort=random", "/api/v1/units?page=1&page=2", "/api/v1/persons/unknown",
    "/api/v1/openapi.json",
]

CONTRACT_REQUESTS = EVERY_LIST + [
    f"/api/v1/units/{QINGDAO}", f"/api/v1/units/{HEFEI}", f"/api/v1/units/{QINGDAO.lower()}?lang=en",
    "/api/v1/units?q=海岸带", "/api/v1/units?q=庐州", "/api/v1/units?q=电镀", "/api/v1/units?q=长江东路",
    "/api/v1/units?industry=C25&min_area=50000&max_area=100000", "/api/v1/units?industry=C26&min_area=50000&max_area=70000",
    "/api/v1/persons?q=林海燕", f"/api/v1/persons?unit={QINGDAO}", "/api/v1/persons?q=高远",
    "/api/v1/projects?q=S-1", "/api/v1/projects?industry=C25", "/api/v1/projects?province=37",
]

REGISTRY_REQUESTS = EVERY_LIST + [
    *(f"/api/v1/units/{code}" for code in (SUJING, JIAOHUA, LVYUAN, YUEQING, JINGHUA, HUAXIA)),
    "/api/v1/units?q=焦化&sort=first_pass", "/api/v1/units?category=investigation", "/api/v1/units?province=32",
    "/api/v1/units?industry=C25&min_area=1&max_area=100000.5",
    "/api/v1/persons?q=王建国", f"/api/v1/persons?unit={SUJING}", f"/api/v1/persons?unit={JIAOHUA}",
    "/api/v1/projects?q=焦化厂", "/api/v1/projects?q=杭州", "/api/v1/projects?industry=C25",
    "/api/v1/projects?category=investigation&province=33", "/api/v1/projects?min_area=20000&max_area=70000",
    "/api/v1/penalties", "/api/v1/penalties?severity=serious", "/api/v1/penalties?banned=false&province=37",
    "/api/v1/penalties?per_page=1&page=2", "/api/v1/penalties?since=2026-09-01&until=2026-08-01",
    "/api/v1/bans", "/api/v1/bans?kind=person", "/api/v1/bans?kind=firm",
]


def person_urls(db) -> list[str]:
    """The detail URL of every person, listed or not (an unlisted one answers 404)."""
    return [f"/api/v1/persons/{public_id}" for public_id in db.session.scalars(select(Person.public_id)
                                                                               .order_by(Person.id))]


def answers(client, db, urls: list[str]) -> str:
    """Each request and its answer as text; the random public ids are written as `<public id N>`."""
    public_ids = dict(db.session.execute(select(Person.public_id, Person.id)).all())
    lines = []
    for url in urls:
        response = client.get(url)
        lines.append(f"GET {url}")
        lines.append(f"{response.status_code} {response.headers.get('Location', '')}".rstrip())
        if response.is_json:
            lines.append(response.get_data(as_text=True).rstrip("\n"))
    text = "\n".join(lines) + "\n"
    for public_id, person_id in public_ids.items():
        text = text.replace(public_id, f"<public id {person_id}>")
    return text


def check(name: str, text: str) -> None:
    """Compare with the recorded answers (or record them, when asked to)."""
    path = ANSWERS / f"api_answers_{name}.txt"
    if os.environ.get("REGISTRY_WRITE_API_ANSWERS"):
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8").splitlines()
    actual = text.splitlines()
    for number, (want, got) in enumerate(zip(expected, actual), 1):
        assert got == want, f"{path.name} line {number} differs"
    assert len(actual) == len(expected)


def test_the_contract_example_answers_as_recorded(client, db, contract):
    check("contract", answers(client, db, CONTRACT_REQUESTS + person_urls(db)))


@pytest.mark.parametrize("day", ["2026-11-26", "2028-01-15"])
def test_the_small_registry_answers_as_recorded(app, client, db, monkeypatch, day):
    # the factories number what a record leaves out (a firm's address): from 1, whichever tests ran before
    monkeypatch.setattr(factories, "_serial", itertools.count(1))
    create(*registry_records())
    # a decision with every double-publicity field, a confiscation and a licence action
    create(penalty_record({"uscc": SUJING}, "苏环罚〔2026〕11号", decided_on="2026-08-01", kinds=["fine", "confiscation_of_illegal_gains"],
                          fine_yuan="25000.5", confiscated_yuan="12345.67", licence_action="暂扣许可证三个月",
                          legal_representative="张三", **DOUBLE_PUBLICITY))
    # states the exchange format does not set: a self-registration not yet checked, a firm and a person a penalty
    # decision brought in, a firm that ceased business
    units = {unit.uscc: unit for unit in db.session.scalars(select(Unit))}
    units[LVYUAN].registration_confirmed_at = None
    units[YUEQING].registered = False
    units[JIAOHUA].ceased_on = date(2026, 10, 31)
    db.session.scalar(select(Person).where(Person.name == "李四")).registered = False
    db.session.commit()
    app.config["TODAY"] = day
    check(f"registry_{day}", answers(client, db, REGISTRY_REQUESTS + person_urls(db)))
