"""The public lists and their feeds: `/bans` (practice bans active today), `/penalties` (penalties public today),
`/findings` (substantiated findings of false performance), each a page with its filters in a plain GET form.

Views are thin: they read the filter form, call one query of `registry.queries.lists` and render."""
from flask import Blueprint, render_template, request

from public_portal.forms import BanListForm, FindingListForm, PenaltyListForm
from public_portal.views import PER_PAGE, portal_helpers, requested_page
from registry.queries.lists import list_bans, list_findings, list_penalties

bp = Blueprint("lists", __name__)
bp.context_processor(portal_helpers)


def render_list(template: str, form, query):
    """A list page: its filters, and the page of results they select (none while the filters are invalid)."""
    results = query(form.filters(), requested_page(), PER_PAGE) if form.validate() else None
    return render_template(template, form=form, results=results), 200 if results is not None else 400


@bp.route("/bans")
def bans():
    """Practice bans active today, firms and persons, newest decision first."""
    return render_list("lists/bans.html", BanListForm(formdata=request.args), list_bans)


@bp.route("/penalties")
def penalties():
    """Administrative penalties public today, with filters, newest decision first."""
    return render_list("lists/penalties.html", PenaltyListForm(formdata=request.args), list_penalties)


@bp.route("/findings")
def findings():
    """Substantiated findings of false performance, latest first."""
    return render_list("lists/findings.html", FindingListForm(formdata=request.args), list_findings)
