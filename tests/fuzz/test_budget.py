"""The count: the fuzz tests of this folder plan at least 10,000 generated inputs per run (each
test asserts it generated its plan, and the terminal summary prints what each one generated and the total).
PostgreSQL runs a quarter of each plan (tests/fuzz/conftest.py `budget`)."""
from tests.fuzz.test_form_fuzz import FORMS
from tests.fuzz.test_import_fuzz import MUTATED_LINE_EXAMPLES, RAW_TEXT_EXAMPLES
from tests.fuzz.test_query_fuzz import EXAMPLES_PER_PAGE, get_pages


def test_the_plans_add_up_to_ten_thousand_generated_inputs(app):
    """Import lines, form submissions and query strings together."""
    forms = sum(form.examples for form in FORMS.values())
    queries = EXAMPLES_PER_PAGE * len(get_pages(app))
    assert MUTATED_LINE_EXAMPLES + RAW_TEXT_EXAMPLES + forms + queries >= 10_000
