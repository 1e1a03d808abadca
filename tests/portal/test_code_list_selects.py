"""The code-list selects of the public forms (categories, provinces, industries, yes or no, orders) are written
once for each language, field and chosen value, then kept: what is kept is what writing them afresh gives, in
the language of the page, and a value that is not in the list is never kept."""
import pytest
from flask import request

from public_portal.forms import BanListForm, SearchForm, SimilarForm
from registry.form_fields import CodeListSelectField, Select

QUERIES = ["", "province=32", "province=32&industry=C2614&sort=name&banned=true", "industry=C26", "industry=c2614",
           "province=99", "industry=Z99&category=nothing", "has_penalty=maybe"]


def written(field) -> tuple[str, str]:
    """The field's select written by its own widget (kept or not) and by the plain widget, afresh."""
    return str(field(**{"aria-invalid": "false"})), str(Select()(field, **{"aria-invalid": "false"}))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("form_class,path", [(SearchForm, "/search"), (SimilarForm, "/similar"),
                                             (BanListForm, "/bans")])
def test_a_kept_select_is_the_select_written_afresh_in_the_language_of_the_page(app, lang, form_class, path):
    for query in QUERIES:
        for _ in range(2):  # the second time from what the first one kept
            with app.test_request_context(f"{path}?{query}&lang={lang}"):
                form = form_class(formdata=request.args)
                form.validate()
                selects = [field for field in form if isinstance(field, CodeListSelectField)]
                assert selects
                for field in selects:
                    kept, afresh = written(field)
                    assert kept == afresh, (query, field.name)
                    assert ('江苏省' in kept) == (field.name == "province" and lang == "zh")


def test_a_value_not_in_the_list_is_written_each_time_and_never_kept(app):
    widget = CodeListSelectField.widget
    with app.test_request_context("/search?province=32"):
        form = SearchForm(formdata=request.args)
        form.province()
        kept = len(widget.written)
    for n in range(50):
        with app.test_request_context(f"/search?province=x{n}&industry=Q{n:03d}"):
            form = SearchForm(formdata=request.args)
            assert not form.validate()
            assert 'selected' not in str(form.province())
            form.industry()
    assert len(widget.written) <= kept + 2  # the industry's empty choice and division list, at most
