"""The public pages: search, similar parcels, firm, person and project pages, complaint filing, open data.

Views are thin: they parse a form, call one query (or the complaint service) and render.
"""
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from public_portal.canonical import redirect_to_canonical
from public_portal.charts import reviews_by_year_chart
from public_portal.forms import (CompareForm, ComplaintForm, SearchForm, SimilarForm, TrackForm,
                                 chosen_for_comparison, form_started_token)
from public_portal.links import row_url
from public_portal.openapi import documentation, openapi_document, prose_parts
from public_portal.ratelimit import limit_searches
from public_portal.opendata import (CSV_KINDS, JSONL_NAME, MANIFEST_NAME, RETRY_AFTER, built_at, code_lists,
                                   current_manifest, data_dictionary, download, file_size,
                                   manifest_response)
from registry.clock import today
from registry.database import without_transaction
from registry.errors import error_response
from registry.generation import once_per_generation
from registry.i18n import current_locale, lazy_gettext as _l, request_translations
from registry.queries.compare import compare_firms
from registry.queries.lists import list_counts
from registry.queries.profiles import person_profile, unit_profile
from registry.queries.projects import project_detail
from registry.queries.receipts import complaint_receipt as find_receipt, receipt_check_code
from registry.queries.search import counts_overview, search_persons, search_units
from registry.queries.similar import similar_parcels
from registry.reference import industries
from registry.rules.errors import RuleViolation
from registry.security import redact_id_numbers
from registry.services.complaint_filing import PUBLIC, file_complaint

bp = Blueprint("portal", __name__)
bp.add_app_template_global(row_url)
bp.before_request(limit_searches)
PER_PAGE = 20
CSV_KIND_LABELS = {
    "unit": _l("Firms"), "person": _l("Individuals"), "project": _l("Projects"), "review": _l("Review outcomes"),
    "penalty": _l("Administrative penalties and bans"), "complaint": _l("Verified reports of false performance"),
}


@bp.context_processor
def portal_helpers():
    """Helpers for the portal's templates: today's date, CSV labels, and the firms chosen
    for comparison with the similar-parcel criteria they travel with (`comparison_carry`)."""
    return {"today_iso": lambda: today().isoformat(),
            "csv_kind_label": lambda kind: CSV_KIND_LABELS.get(kind, kind),
            "chosen_for_comparison": lambda: chosen_for_comparison(request.args.getlist("compare")),
            "comparison_carry": comparison_carry, "redact_id_numbers": redact_id_numbers}


@bp.app_template_filter("marked")
def marked(pieces) -> Markup:
    """A search hit's text (the registry's own, Chinese: marked so, whole, for screen readers on an English page),
    the query's occurrences in <mark>, every piece escaped. A filter, not a macro: a search page marks about 40
    texts, and a macro call cost about ten times a function's."""
    return Markup('<span lang="zh-CN">%s</span>') % Markup("").join(
        Markup("<mark>%s</mark>") % text if hit else escape(text) for text, hit in pieces)


@bp.app_template_filter("hit_name")
def hit_name(summary) -> Markup:
    """A search hit's name, marked where the query occurs in it (`marked`), or as it is."""
    by_name = next((match for match in summary.matched if match.field == "name"), None)
    return marked(by_name.pieces) if by_name is not None else escape(summary.name)


PARCEL_CRITERIA = ("industry", "min_area", "max_area", "province", "category")  # as /similar names them


def comparison_carry(names=PARCEL_CRITERIA) -> list[tuple[str, str]]:
    """The similar-parcel criteria of this request (those of `names` given), to carry into the comparison.
    The firm search's `province` and `category` are the firm's, not the parcel's and the project's: it passes
    only the other three."""
    return [(name, request.args[name]) for name in names if request.args.get(name)]


@bp.app_template_global()  # a global: portal/_macros.html is imported without a page's context
def compare_url(codes, carry=(), endpoint: str = "portal.compare", key: str = "uscc") -> str:
    """The address of a page carrying the chosen firms (`uscc=` on the comparison, `compare=` on the search
    pages) and the criteria; a plain query string, so it is linkable and the back button works."""
    return url_for(endpoint) + "?" + urlencode([(key, code) for code in codes] + list(carry))


def requested_page(name: str = "page") -> int:
    """A page-number query parameter (`page` by default), kept within 1..10000 (a bad value means the first
    page)."""
    return max(1, min(request.args.get(name, 1, type=int), 10000))


@bp.route("/")
def home():
    """The home page: one search box and what the registry holds today."""
    counts, lists = once_per_generation("home page", lambda: (counts_overview(), list_counts()))
    return render_template("portal/home.html", form=SearchForm(formdata=None), counts=counts, lists=lists)


@bp.route("/search")
def search():
    """Search firms (and persons by name) with filters and sorting."""
    form = SearchForm(formdata=request.args)
    if not form.has_input() or not form.validate():
        return render_template("portal/search.html", form=form, results=None, persons=None)
    page = requested_page()
    results = search_units(form.filters(), page, PER_PAGE, estimate=True)
    persons = search_persons(form.q.data, None, 1, 10) if form.q.data and page == 1 else None
    return render_template("portal/search.html", form=form, results=results, persons=persons)


@bp.route("/similar")
def similar():
    """Firms that worked on parcels like the searcher's (former industry, area, province)."""
    form = SimilarForm(formdata=request.args)
    if not form.has_input() or not form.validate():
        return render_template("portal/similar.html", form=form, results=None)
    results = similar_parcels(form.industry.data or None, form.min_area.data, form.max_area.data,
                              form.province.data or None, requested_page(), PER_PAGE,
                              category=form.category.data or None)
    return render_template("portal/similar.html", form=form, results=results)


@bp.route("/compare")
def compare():
    """Two to four firms side by side (`uscc`, repeated), with the similar-parcel criteria the visitor came
    with; a code that is not valid, or more than four, is a 400 saying so; a firm not listed, a 404."""
    form = CompareForm(formdata=request.args)
    if not form.validate():
        return render_template("portal/compare.html", form=form, comparison=None), 400
    comparison = compare_firms(form.uscc.data, form.criteria())
    return render_template("portal/compare.html", form=form, comparison=comparison), \
        404 if comparison.unknown else 200


@bp.route("/units/<uscc>")
@without_transaction
def unit(uscc):
    """A firm's public profile: the five categories of information; its projects, review outcomes and key
    staff a page each (`projects_page`, `reviews_page`, `staff_page`)."""
    if (moved := redirect_to_canonical("portal.unit", uscc)) is not None:  # any case, spaces or full width
        return moved
    profile = unit_profile(uscc, requested_page("projects_page"), requested_page("reviews_page"),
                           requested_page("staff_page"))
    if profile is None:
        abort(404)
    return render_template("portal/unit.html", p=profile, chart=reviews_by_year_chart(profile.reviews_by_year))


@bp.route("/persons/<public_id>")
@without_transaction
def person(public_id):
    """A person's public profile, by public id, with the masked ID number; projects by role a page at a time
    (`roles_page`)."""
    profile = person_profile(public_id, requested_page("roles_page"))
    if profile is None:
        abort(404)
    return render_template("portal/person.html", p=profile)


@bp.route("/projects/<ref>")
@without_transaction
def project(ref):
    """A public project with its reviews, findings and the complaint form."""
    detail = project_detail(ref)
    if detail is None:
        abort(404)
    form = ComplaintForm(started=form_started_token())
    return render_template("portal/project.html", d=detail, form=form)


@bp.route("/projects/<ref>/complaints", methods=["POST"])
def file_project_complaint(ref):
    """File a complaint of false performance about a public project."""
    detail = project_detail(ref)
    if detail is None:
        abort(404)
    form = ComplaintForm()
    if form.validate():
        try:
            complaint = file_complaint(PUBLIC, ref, form.description.data, contact=form.contact.data,
                                       name=form.name.data, address=request.remote_addr, form_token=form.form_token)
            # Post/Redirect/Get: a refresh of the receipt reloads the receipt, it does not post again
            return redirect(url_for("portal.complaint_receipt", receipt=complaint.ref,
                                    check=receipt_check_code(complaint.ref)), 303)
        except RuleViolation as error:
            getattr(form, error.field, form.description).errors.append(error.message(current_locale()))
    form.started.data = form.token_to_show_again()
    return render_template("portal/project.html", d=detail, form=form), 400


@bp.route("/complaints/<receipt>")
def complaint_receipt(receipt):
    """A complaint's receipt: found only with its receipt number and the check code printed beside it."""
    found = find_receipt(receipt, request.args.get("check"))
    if found is None:
        abort(404)
    return render_template("portal/complaint_received.html", r=found)


@bp.route("/complaints/track")
def complaint_track():
    """Follow a complaint with its receipt number and check code: status, deadline in working days, outcome."""
    form = TrackForm(request.args)
    if not form.has_input():
        return render_template("portal/complaint_track.html", form=form, r=None)
    if not form.validate():
        return render_template("portal/complaint_track.html", form=form, r=None), 400
    found = find_receipt(form.receipt.data, form.check.data)
    if found is None:
        form.check.errors.append(_("No complaint has this receipt number and check code. Check both as printed "
                                   "on your receipt."))
        return render_template("portal/complaint_track.html", form=form, r=None), 404
    return render_template("portal/complaint_track.html", form=form, r=found)


@bp.route("/open-data")
def open_data():
    """The open-data page: the files with their size, records and SHA-256, the data dictionary, the licence."""
    manifest = current_manifest()
    page = render_template("portal/open_data.html", manifest=manifest, built_at=built_at(manifest), jsonl=JSONL_NAME,
                           dictionary=data_dictionary(), file_size=file_size, code_lists=code_lists(),
                           industries=[entry.code for entry in industries().values() if entry.level <= 2])
    return (page, 200) if manifest else (page, 503, {"Retry-After": str(RETRY_AFTER)})


@bp.route("/api/docs")
def api_docs():
    """The public API's documentation for people, rendered from its OpenAPI document: every path, parameter and
    answer, with an example; no script."""
    operations, schemas = documentation()
    return render_template("portal/api_docs.html", document=openapi_document(), operations=operations,
                           schemas=schemas, describe=lambda text: prose_parts(request_translations().ugettext(text)))


@bp.route("/open-data/registry-public.jsonl")
def open_data_jsonl():
    """Every public record as JSON Lines in the exchange format (--public)."""
    return open_data_download(JSONL_NAME)


@bp.route("/open-data/<kind>.csv")
def open_data_csv(kind):
    """The public records of one kind as CSV."""
    if kind not in CSV_KINDS:
        abort(404)
    return open_data_download(f"{kind}.csv")


@bp.route("/open-data/manifest.json")
def open_data_manifest():
    """The manifest of the files served now: when and from which data generation they were built, and each
    file's size, SHA-256 and record counts (also of its gzip copy), for checking a download."""
    return open_data_download(MANIFEST_NAME)


def open_data_download(name: str):
    manifest = current_manifest()
    if manifest is None:  # the first build is running: a file is never built inside a request
        response = error_response(503, _("The open-data files are being prepared; please try again in a minute."))
        return response[0], 503, {"Retry-After": str(RETRY_AFTER)}
    return manifest_response(manifest) if name == MANIFEST_NAME else download(manifest, name)
