"""`row_url` builds the address `url_for` builds, for every value a row may hold and under a prefix."""
import pytest
from flask import url_for

from public_portal.links import row_url

VALUES = ["91320500MA1XYZ1234", "D-BIG-0000596", "SU-1", "a b/c?d#e%f&g=h", "原苏州农药厂", "x'y\"z<>", "+~!*()"]
ROWS = [("portal.unit", "uscc"), ("portal.project", "ref"), ("portal.person", "public_id")]


@pytest.mark.parametrize("script_root", ["", "/registry"])
@pytest.mark.parametrize("endpoint, argument", ROWS)
def test_a_row_link_is_the_address_url_for_builds(app, endpoint, argument, script_root):
    with app.test_request_context("/search", base_url=f"http://localhost{script_root}/"):
        assert url_for("portal.search").startswith(f"{script_root}/search")
        for value in VALUES:
            assert row_url(endpoint, value) == url_for(endpoint, **{argument: value})


def test_the_path_held_for_one_root_is_not_given_under_another(app):
    with app.test_request_context("/search"):
        assert row_url("portal.unit", "X") == "/units/X"
    with app.test_request_context("/search", base_url="http://localhost/registry/"):
        assert row_url("portal.unit", "X") == "/registry/units/X"


def test_a_rule_whose_argument_is_not_last_or_not_plain_is_refused(app):
    with app.test_request_context("/search"), pytest.raises(ValueError, match="ending with a plain argument"):
        row_url("portal.file_project_complaint", "SU-1")
