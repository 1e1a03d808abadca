"""The verifiable credit report's pages, on the portal's blueprint: the form that issues a firm's or a person's
report, the issued report (HTML and PDF, from the content as stored), and the verify page its QR code opens."""
from flask import abort, redirect, render_template, request, url_for
import segno
from flask_babel import gettext as _

from public_portal.canonical import redirect_to_canonical
from public_portal.forms import CreditReportForm, VerifyForm
from public_portal.report_pdf import render_pdf
from public_portal.views import bp
from registry.i18n import current_locale, lazy_gettext as _l
from registry.queries.credit_reports import (
    issued_report, person_report_content, report_subject, unit_report_content, verify_report,
)
from registry.rules.credit_reports import Change, parse_report_number
from registry.rules.rates import Rate
from registry.rules.errors import RuleViolation
from registry.services.complaint_filing import PUBLIC
from registry.services.credit_reports import RateLimited, issue_credit_report


CHANGES = {
    "new_penalty": _l("New administrative penalty: decision %(subject)s of %(detail)s."),
    "publicity_ended": _l("The publicity period of penalty %(subject)s has ended (it ran to %(detail)s)."),
    "new_ban": _l("New practice ban: decision %(subject)s, until %(detail)s."),
    "new_lifetime_ban": _l("New practice ban for life: decision %(subject)s."),
    "ban_ended": _l("The practice ban of decision %(subject)s is no longer active."),
    "new_finding": _l("New verified report of false performance about %(subject)s (verified on %(detail)s)."),
    "new_review": _l("New review outcome for %(subject)s (reviewed on %(detail)s)."),
    "new_project": _l("Project newly public: %(subject)s."),
    "project_withdrawn": _l("Project no longer public: %(subject)s."),
    "rate_changed": _l("%(subject)s changed: %(detail)s."),
    "projects_counted": _l("Public projects: %(detail)s."),
    "reviews_counted": _l("Public review outcomes: %(detail)s."),
    "no_longer_listed": _l("%(subject)s is no longer listed in the public record."),
}
RATE_NAMES = {"first_pass": _l("First-pass review rate"), "on_time": _l("On-time rate")}


@bp.app_template_global()
def change_text(change: Change) -> str:
    """One change since a report was issued, in plain words."""
    kind = "new_lifetime_ban" if change.kind == "new_ban" and change.detail == "lifetime" else change.kind
    subject = RATE_NAMES[change.subject] if kind == "rate_changed" else change.subject
    return str(CHANGES[kind]) % {"subject": subject, "detail": change.detail}


def rate_text(shown: dict) -> str:
    """A stored rate as every page shows one: `passed/total (share%)` with the period it counts, or —."""
    text = Rate(shown["part"], shown["total"]).percent()
    if shown.get("period"):
        text += " (" + _("%(start)s to %(end)s", start=shown["period"][0], end=shown["period"][1]) + ")"
    return text


def report_context(report) -> dict:
    """What the report's templates need besides the report: the verify address and its QR code as inline SVG."""
    address = url_for("portal.verify", number=report.number, _external=True)
    qr = segno.make(address, error="m").svg_inline(scale=3, border=2, dark="#1d2329")
    return {"r": report, "verify_url": address, "qr_svg": qr, "rate_text": rate_text}


@bp.route("/units/<uscc>/report", methods=["GET", "POST"])
def issue_unit_report(uscc):
    """The form that issues a firm's credit report (GET), and the issue itself (POST), then the report."""
    if request.method == "GET" and (moved := redirect_to_canonical("portal.issue_unit_report", uscc)) is not None:
        return moved
    return issue("unit", uscc, lambda: unit_report_content(uscc))


@bp.route("/persons/<public_id>/report", methods=["GET", "POST"])
def issue_person_report(public_id):
    """The form that issues a person's credit report (GET), and the issue itself (POST), then the report."""
    return issue("person", public_id, lambda: person_report_content(public_id))


def issue(kind: str, key: str, read_content):
    subject = report_subject(kind, key)
    if subject is None:
        abort(404)
    form = CreditReportForm()
    if request.method == "POST" and form.validate():
        try:
            report = issue_credit_report(PUBLIC, read_content, purpose=form.purpose.data,
                                         address=request.remote_addr)
            return redirect(url_for("portal.credit_report", number=report.number), 303)
        except RuleViolation as error:
            form.purpose.errors.append(error.message(current_locale()))
            status = 429 if isinstance(error, RateLimited) else 400
            return render_template("portal/report_issue.html", subject=subject, form=form), status
    status = 400 if request.method == "POST" else 200
    return render_template("portal/report_issue.html", subject=subject, form=form), status


def not_found(number: str, canonical: str | None):
    """The verify page, 404, saying plainly why there is no such report, with the number to correct."""
    form = VerifyForm(formdata=None, data={"number": number if len(number) <= 80 else ""})
    return render_template("portal/verify.html", form=form, v=None, missing=not_found_message(canonical)), 404


def not_found_message(canonical: str | None) -> str:
    if canonical is None:
        return _("This is not a credit report number. A number reads like XYBG-7K3M-Q9PD-4HXA-2TZW.")
    return _("No credit report was issued under the number %(number)s: a document that carries it is not "
             "genuine.", number=canonical)


@bp.route("/reports/<number>")
def credit_report(number):
    """An issued report as it was issued, with its QR code to the verify page."""
    if (canonical := parse_report_number(number)) and canonical != number:
        return redirect(url_for("portal.credit_report", number=canonical), 301)
    report = issued_report(canonical) if canonical else None
    if report is None:
        return not_found(number, canonical)
    return render_template("portal/credit_report.html", **report_context(report))


@bp.route("/reports/<number>.pdf")
def credit_report_pdf(number):
    """The same report as a PDF (A4, the CJK font embedded)."""
    canonical = parse_report_number(number)
    report = issued_report(canonical) if canonical == number else None
    if report is None:
        return not_found(number, canonical)
    pdf = render_pdf("portal/credit_report_pdf.html", **report_context(report))
    return pdf, 200, {"Content-Type": "application/pdf",
                      "Content-Disposition": f'attachment; filename="{report.number}.pdf"'}


@bp.route("/verify")
def verify_form():
    """Type a report's number to check it."""
    form = VerifyForm(formdata=request.args)
    if not form.has_input():
        return render_template("portal/verify.html", form=form, v=None)
    if form.validate() and (canonical := parse_report_number(form.number.data)):
        return redirect(url_for("portal.verify", number=canonical), 303)
    if not form.errors:
        form.number.errors.append(not_found_message(None))
    return render_template("portal/verify.html", form=form, v=None), 404


@bp.route("/verify/<number>")
def verify(number):
    """Whether a report is genuine, whether it is still valid, and what changed in the public record since."""
    canonical = parse_report_number(number)
    if canonical and canonical != number:
        return redirect(url_for("portal.verify", number=canonical), 301)
    found = verify_report(canonical) if canonical else None
    if found is None:
        return not_found(number, canonical)
    return render_template("portal/verify.html", form=VerifyForm(formdata=None), v=found)
