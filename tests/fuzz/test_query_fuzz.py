"""Query strings fuzzed: every page of the URL map reached by GET without a path argument (the
public search and similar-parcel search, the firm's and the regulators' lists, the API's lists, the login page's
`next`...) gets generated query strings from the role it belongs to. No answer is a 5xx, and a read changes no
table (only the audit log records a refused access)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import GENERATED, budget, fuzzing, generated, row_counts
from tests.fuzz.test_form_fuzz import HOSTILE, SPECIAL_NUMBERS, TEXT, WRITTEN_ON_REFUSAL, Cast, logged_errors
from tests.regulator.conftest import world  # noqa: F401 (the `world` fixture)

EXAMPLES_PER_PAGE = 25

# GET rules without path arguments that are not worth fuzzing, and why.
EXCLUDED = {
    "static": "files, not a view (and it takes a path argument)",
}

# The parameters the views read, so that generated strings reach the code behind them.
PARAMETERS = ["q", "page", "per_page", "sort", "status", "find", "category", "province", "industry", "min_area",
              "max_area", "has_penalty", "banned", "min_first_pass", "unit", "lang", "next", "uscc", "compare",
              "staff_page", "roles_page", "projects_page", "reviews_page", "kind", "authority", "since", "until",
              "severity", "number"]
NUMERIC = ["page", "per_page", "min_area", "max_area", "min_first_pass", "staff_page", "roles_page"]
QUERY = st.one_of(
    st.dictionaries(st.one_of(st.sampled_from(PARAMETERS), st.text(TEXT, min_size=1, max_size=8)),
                    st.one_of(HOSTILE, st.lists(HOSTILE, min_size=2, max_size=3)), max_size=4),
    st.dictionaries(st.sampled_from(NUMERIC), SPECIAL_NUMBERS, min_size=1, max_size=3))


def role_of(path: str) -> str:
    """Who a page belongs to, by its place in the URL map."""
    if path.startswith(("/regulator/accounts", "/regulator/import")):
        return "admin"
    if path.startswith("/regulator"):
        return "regulator"
    if path.startswith("/practitioner/me"):
        return "person"
    if path.startswith(("/practitioner/register", "/practitioner/invitation")):
        return "anonymous"
    if path.startswith(("/practitioner", "/account")):
        return "firm"
    return "anonymous"


def get_pages(app) -> list[str]:
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments and rule.endpoint not in EXCLUDED)


@pytest.fixture
def fuzz_config(app_config):
    # The fuzzer searches far faster than a person: the per-address search limit would answer everything with 429.
    app_config.update(SEARCH_REQUESTS_PER_ADDRESS_PER_MINUTE=10**6)
    return app_config


def test_generated_query_strings_on_every_page_never_fail_and_write_nothing(fuzz_config, app, world, caplog):
    """Each GET page, from its own role, with EXAMPLES_PER_PAGE generated query strings."""
    cast = Cast(app, world)
    cast.prepare("practitioner.")
    pages = get_pages(app)
    assert "/search" in pages and "/similar" in pages and "/regulator/projects" in pages
    # The first search finds the index behind the records just made and brings it in step (its outbox emptied):
    # that happens once, before the reads whose tables must not change.
    assert cast.client("anonymous").get("/search?q=青岛").status_code == 200
    examples = budget(EXAMPLES_PER_PAGE)
    for path in pages:
        client = cast.client(role_of(path))
        name = f"query: {path}"

        @fuzzing(examples)
        @given(query=QUERY)
        def check(query):
            generated(name)
            before = row_counts()
            caplog.clear()
            response = client.get(path, query_string=query)
            assert response.status_code < 500, (path, query, logged_errors(caplog))
            after = row_counts()
            assert {t for t in before if before[t] != after[t]} - WRITTEN_ON_REFUSAL == set(), (path, query)

        check()
        assert GENERATED[name] >= examples
