"""The public API fuzzed by schemathesis from its own OpenAPI document: the app served by gunicorn
on 127.0.0.1 with a small registry covering every rule of publication, at least 200 generated requests per
operation (valid and invalid parameters, and the records the API itself lists), each answer checked for no server
error, a status the document lists, and a body that conforms to the document's schema."""
import json
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.live_server import LiveServer, flask_command
from tests.conftest import fresh_database
from tests.portal.conftest import CONTRACT, registry_records
from tests.fuzz.conftest import API_CASES as CASES, fuzzing

CASES_PER_OPERATION = 200
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_server(database_template, tmp_path_factory):
    """The app under gunicorn with the portal tests' registry (a firm for every rule of publication: bans for life
    and until a date, withheld and non-disclosed records, rates with no total) and the contract's worked example,
    imported by `flask registry import`. Its search limit is raised: schemathesis sends hundreds of searches a
    minute from one address, which the per-address limit would answer with 429."""
    workdir = tmp_path_factory.mktemp("schemathesis")
    data = workdir / "registry.jsonl"
    data.write_text(CONTRACT.read_text(encoding="utf-8") + "".join(
        json.dumps(record, ensure_ascii=False) + "\n" for record in registry_records()), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch, fresh_database(database_template, workdir, "registry_api") as url:
        patch.setenv("SEARCH_REQUESTS_PER_MINUTE", "1000000")
        server = LiveServer(url, workdir, demo=False)
        loaded = flask_command(server.env, "registry", "import", str(data))
        assert loaded.returncode == 0, loaded.stderr[-2000:]
        yield server
        server.stop()  # fails if the server logged a traceback


@pytest.fixture(scope="module")
def api(api_server):
    """The API's OpenAPI document as schemathesis reads it, and the ids of records that exist."""
    schema = schemathesis.openapi.from_url(f"{api_server.url}/api/v1/openapi.json")
    units = requests.get(f"{api_server.url}/api/v1/units", params={"per_page": 100}, timeout=30).json()["items"]
    persons = requests.get(f"{api_server.url}/api/v1/persons", params={"per_page": 100}, timeout=30).json()["items"]
    existing = {"uscc": [u["uscc"] for u in units][:20], "public_id": [p["public_id"] for p in persons][:20]}
    assert existing["uscc"] and existing["public_id"]
    return schema, existing


def operations(schema) -> dict:
    return {op.label: op for op in (result.ok() for result in schema.get_all_operations())}


OPERATIONS = ["GET /units", "GET /units/{uscc}", "GET /persons", "GET /persons/{public_id}", "GET /projects",
              "GET /penalties", "GET /bans"]


def test_the_document_lists_the_seven_operations(api):
    """The operations of DESIGN §6, each with its path and answers documented."""
    schema, _ = api
    assert set(operations(schema)) == set(OPERATIONS)


@pytest.mark.parametrize("label", OPERATIONS)
def test_generated_requests_get_documented_answers_and_no_server_error(api, label):
    """CASES_PER_OPERATION requests to one operation: valid and invalid parameters and, for one record's path,
    also the ids of records that exist (so that full answers are checked against the schema, not only 404s)."""
    schema, existing = api
    operation = operations(schema)[label]
    strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    for name, values in existing.items():
        if "{" + name + "}" in label:
            strategies.append(st.sampled_from(values).flatmap(
                lambda value, name=name: operation.as_strategy(path_parameters={name: value})))
    session = requests.Session()
    statuses = Counter()

    @fuzzing(CASES_PER_OPERATION)
    @given(case=st.one_of(strategies))
    def check(case):
        CASES[label] += 1
        statuses[case.call_and_validate(session=session, checks=CHECKS, timeout=30).status_code] += 1

    check()
    assert CASES[label] >= CASES_PER_OPERATION
    # Both full answers and refusals were generated and checked, not only one kind.
    assert statuses[200] and statuses[404 if "{" in label else 400], statuses

