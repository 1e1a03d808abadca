"""The public lists and their feeds: `/bans` (practice bans active today), `/penalties` (penalties public today),
`/findings` (substantiated findings of false performance), each a page with its filters in a plain GET form;
and the Atom feeds of what they list, so a landowner can watch a shortlist: `/feeds/national.atom`,
`/feeds/provinces/<code>.atom`, `/feeds/units/<uscc>.atom`, `/feeds/persons/<public_id>.atom`.

Views are thin: they read the filter form, call one query of `registry.queries.lists` and render."""
from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _

from public_portal.canonical import redirect_to_canonical
from public_portal.feeds import ATOM, atom_feed
from public_portal.forms import BanListForm, FindingListForm, PenaltyListForm
from public_portal.views import PER_PAGE, portal_helpers, requested_page
from registry.i18n import label
from registry.queries.lists import (
    FeedScope, feed_entries, feed_person, feed_unit, list_bans, list_findings, list_penalties,
)
from registry.reference import PROVINCES

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


PROVINCE_CODES = ", ".join(f"'{code}'" for code in PROVINCES)


def atom(title: str, page_url: str, scope: FeedScope) -> Response:
    """A feed of the records `scope` follows."""
    return Response(atom_feed(title, page_url, feed_entries(scope)), mimetype=ATOM)


@bp.route("/feeds/national.atom")
def national_feed():
    """Every new public penalty, ban and finding in the country."""
    return atom(_("Penalties, bans and false performance: nationwide"), url_for("lists.penalties", _external=True),
                FeedScope())


@bp.route(f"/feeds/provinces/<any({PROVINCE_CODES}):province>.atom")
def province_feed(province):
    """Those decided (or verified) by the authorities of one province."""
    return atom(_("Penalties, bans and false performance: %(province)s", province=label("province", province)),
                url_for("lists.penalties", province=province, _external=True), FeedScope(province=province))


@bp.route("/feeds/units/<uscc>.atom")
def unit_feed(uscc):
    """Those about one firm (its profile links here)."""
    if (moved := redirect_to_canonical("lists.unit_feed", uscc)) is not None:
        return moved
    firm = feed_unit(uscc)
    if firm is None:
        abort(404)
    return atom(_("Penalties, bans and false performance: %(name)s", name=firm.subject.name),
                url_for("portal.unit", uscc=firm.subject.uscc, _external=True), FeedScope(unit_id=firm.id))


@bp.route("/feeds/persons/<public_id>.atom")
def person_feed(public_id):
    """Those about one person (their profile links here)."""
    person = feed_person(public_id)
    if person is None:
        abort(404)
    return atom(_("Penalties and bans: %(name)s (ID number %(masked)s)", name=person.subject.name,
                  masked=person.subject.id_number_masked),
                url_for("portal.person", public_id=public_id, _external=True), FeedScope(person_id=person.id))
