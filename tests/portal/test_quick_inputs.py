"""The quicker inputs of the public forms (`registry/form_fields.py`) write what WTForms writes: the same attributes
in the same order, each name and value escaped the same way."""
import pytest
from flask import request
from markupsafe import Markup
from wtforms import widgets
from wtforms.widgets.core import html_params as wtforms_html_params

from public_portal.forms import SearchForm
from registry.form_fields import html_params

ATTRIBUTES = [
    {"id": "q", "name": "q", "type": "text", "value": 'a"b<c>&\'d'},
    {"checked": True, "readonly": False, "name": "x", "aria_describedby": "q-hint", "data_x_y": "1"},
    {"value": Markup("<b>"), "min": 0, "step": "any", "required": True},
    {"class_": "wide", "for_": "f"},
    {"value": None},
    {"value": 3.5, "aria-invalid": "true"},
    {},
]


@pytest.mark.parametrize("attributes", ATTRIBUTES)
def test_attributes_are_written_as_wtforms_writes_them(attributes):
    ours, theirs = html_params(**attributes), wtforms_html_params(**attributes)
    assert ours == theirs
    assert isinstance(ours, Markup)


@pytest.mark.parametrize("query", ["", "q=%3Cscript%3E%22x&min_area=10&max_area=5&min_first_pass=80",
                                   "min_area=-1&max_area=abc&min_first_pass=101", "q=320500198704114312"])
def test_the_search_form_inputs_are_wtforms_inputs_written_quicker(app, query):
    with app.test_request_context(f"/search?{query}"):
        form = SearchForm(formdata=request.args)
        form.validate()
        for name, plain in (("q", widgets.TextInput()), ("min_area", widgets.NumberInput(step="any")),
                            ("max_area", widgets.NumberInput(step="any")), ("min_first_pass", widgets.NumberInput())):
            field = form[name]
            attributes = {"aria-describedby": f"{name}-hint", "aria-invalid": "true" if field.errors else "false"}
            assert field(**attributes) == plain(field, **attributes), (query, name)
            assert "320500198704114312" not in field(**attributes)
