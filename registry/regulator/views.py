"""The regulators' desk (/regulator/...): review outcomes, penalties and bans, credit repair, complaint
verification, non-disclosure, ID reveal, audit trails; accounts and bulk import for the national administrator.

Every page needs a regulator or administrator session; every record is checked against the regulator's
jurisdiction by the query or service that loads it (an audited 403 otherwise).
"""
from functools import wraps

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry import exchange
from registry.access import STAFF_ROLES, AccessDenied, Actor, is_national_admin
from registry.extensions import login_manager
from registry.i18n import current_locale, label
from registry.queries import audit as audit_q
from registry.queries import desk
from registry.queries import regulator as q
from registry.queries import repair as repair_q
from registry.queries import voice
from registry.regulator import bp
from registry.regulator.forms import (AccountRecoveryForm, ComplaintStatusForm, ConfirmForm, CorrectionDecisionForm,
                                      HandOverForm,
                                      LiftNonDisclosureForm, NonDisclosureForm, PenaltyForm, ImportForm,
                                      PersonLookupForm, RegulatorAccountForm, RepairApplicationForm,
                                      RecordCorrectionDecisionForm, RepairRefusalForm, ReviewForm,
                                      SuspendRegistrationForm)
from registry.rules.ban_terms import person_ban_ends_by
from registry.rules.errors import RuleViolation, each_violation
from registry.rules.identifiers import looks_like_full_id_number
from registry.services import (accounts as account_services, complaints, disclosure, penalties,
                               corrections, registrations, regulator_accounts, reveal, reviews, second_factor)
from registry.services import repair as repair_service


def actor() -> Actor:
    """The signed-in official, as the services' Actor."""
    return Actor.of(current_user, request.remote_addr)


def page_arg() -> int:
    """The requested page number (1 when missing or malformed)."""
    return max(1, min(request.args.get("page", 1, type=int), 10000))  # a 400-digit page overflowed SQL


def search_text(name: str) -> str:
    """A search box's text; a full ID number is dropped, never echoed or put in a URL's results (use the
    audited lookup by POST instead)."""
    text = request.args.get(name, "").strip()[:200]
    if looks_like_full_id_number(text):
        flash(_("To find a person by full ID number, use “Find a person”: searches by URL would leave the number "
                "in browser history and logs."), "warning")
        return ""
    return text


def show_violation(form, error: RuleViolation, fallback: str) -> None:
    """Put each of a service's refusals beside the field it names, in the reader's language."""
    for violation in each_violation(error):
        target = getattr(form, violation.field, None) or getattr(form, fallback)
        target.errors = list(target.errors) + [violation.message(current_locale())]


def record_url(record_type: str, record) -> str:
    """The regulator's page of a record (a review's is its project's page)."""
    if record_type == "review":
        return url_for(".project", project_id=record.project_id)
    if record_type == "account":
        return url_for(".accounts")
    return url_for(f".{record_type}", **{f"{record_type}_id": record.id})


@bp.context_processor
def punctuation():
    """Chinese pages use the full-width colon after a label."""
    return {"sep": ": " if current_locale() == "en" else "："}


@bp.before_request
def staff_only():
    """Anonymous visitors sign in first; practitioners are refused (403, audited)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in STAFF_ROLES:
        raise AccessDenied(actor(), f"open {request.path}", None, None)
    return None


def regulator_only(view):
    """Record workflows belong to regulators with a jurisdiction, not to the national administrator."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.role != "regulator":
            raise AccessDenied(actor(), f"open {request.path}", None, None)
        return view(*args, **kwargs)
    return wrapper


def admin_only(view):
    """Account and import pages belong to the national administrator only."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not is_national_admin(actor()):
            raise AccessDenied(actor(), f"open {request.path}", "account", None)
        return view(*args, **kwargs)
    return wrapper


@bp.route("/")
def home():
    """The desk: counts for the jurisdiction, or the administrator's tasks."""
    if current_user.role != "regulator":
        return render_template("regulator/home.html", summary=None, ban_alerts=[], queues=[])
    return render_template("regulator/home.html", summary=q.desk_summary(actor()), ban_alerts=q.ban_alerts(actor()),
                           queues=desk.desk_queues(actor()))


# ---- projects and review outcomes -------------------------------------------------------------------------

@bp.route("/projects")
@regulator_only
def projects():
    """Projects located in the jurisdiction, searchable and paginated."""
    query = search_text("q")
    result = q.projects_page(actor(), query, page_arg(), request.args.get("sort", "-created"))
    return render_template("regulator/projects.html", result=result, query=query)


@bp.route("/projects/<int:project_id>")
@regulator_only
def project(project_id: int):
    """One project: its reports' rounds, people, complaints and the form for the next outcome."""
    facts = q.project_view(actor(), project_id)
    return render_template("regulator/project.html", form=ReviewForm(facts["project"].category), **facts)


@bp.route("/projects/<int:project_id>/reviews", methods=["POST"])
@regulator_only
def record_review(project_id: int):
    """Record one review round's outcome; errors go beside their fields."""
    form = ReviewForm(q.project_category(project_id))
    if form.validate_on_submit():
        try:
            review = reviews.record_review(actor(), project_id, report_type=form.report_type.data, round=form.round.data,
                                           reviewed_on=form.reviewed_on.data, passed=form.passed.data == "yes")
        except RuleViolation as error:
            show_violation(form, error, "round")
        else:
            flash(_("Round %(round)d of the review is recorded.", round=review.round), "success")
            return redirect(url_for(".project", project_id=project_id))
    return render_template("regulator/project.html", form=form, **q.project_view(actor(), project_id)), 400


# ---- firms ------------------------------------------------------------------------------------------------

@bp.route("/units")
@regulator_only
def units():
    """Firms linked to the jurisdiction; `?unconfirmed=1`: self-registrations awaiting the licence check."""
    query, unconfirmed = search_text("q"), request.args.get("unconfirmed") == "1"
    return render_template("regulator/units.html", result=q.units_page(actor(), query, page_arg(), unconfirmed),
                           query=query, unconfirmed=unconfirmed)


@bp.route("/units/<int:unit_id>")
@regulator_only
def unit(unit_id: int):
    """One firm: basic information, projects, staff, penalties and public rates."""
    return render_template("regulator/unit.html", **q.unit_view(actor(), unit_id), confirm_form=ConfirmForm(),
                           suspend_form=SuspendRegistrationForm(formdata=None))


@bp.post("/units/<int:unit_id>/registration/confirm")
@regulator_only
def confirm_registration(unit_id: int):
    """Confirm a firm's self-registration, checked against its business licence."""
    q.load(actor(), "unit", unit_id)
    if ConfirmForm().validate_on_submit():
        try:
            registrations.confirm_registration(actor(), unit_id)
        except RuleViolation as error:
            flash(error.message(current_locale()), "error")
        else:
            flash(_("The registration is confirmed: public pages no longer mark it as unchecked."), "success")
    return redirect(url_for(".unit", unit_id=unit_id))


@bp.post("/units/<int:unit_id>/registration/suspend")
@regulator_only
def suspend_registration(unit_id: int):
    """Suspend a registration (a squatted credit code, say), with the reason."""
    view = q.unit_view(actor(), unit_id)
    form = SuspendRegistrationForm()
    if form.validate_on_submit():
        try:
            registrations.suspend_registration(actor(), unit_id, form.reason.data)
        except RuleViolation as error:
            show_violation(form, error, "reason")
        else:
            flash(_("The registration is suspended: its accounts cannot sign in and its self-reported information "
                    "has left the public pages."), "success")
            return redirect(url_for(".unit", unit_id=unit_id))
    return render_template("regulator/unit.html", **view, confirm_form=ConfirmForm(), suspend_form=form), 400


@bp.route("/units/<int:unit_id>/registration/hand-over", methods=["GET", "POST"])
@regulator_only
def hand_over_registration(unit_id: int):
    """Hand a suspended registration to the rightful firm, after checking its business licence offline."""
    unit = q.load(actor(), "unit", unit_id)
    form, handed = HandOverForm(), None
    if form.validate_on_submit():
        try:
            handed = registrations.hand_over_registration(actor(), unit_id, name=form.name.data,
                                                          legal_representative=form.legal_representative.data,
                                                          reason=form.reason.data)
        except RuleViolation as error:
            show_violation(form, error, "reason")
    return render_template("regulator/hand_over.html", unit=unit, form=form, handed=handed), \
        400 if form.errors else 200


# ---- penalties and credit repair --------------------------------------------------------------------------

@bp.route("/penalties")
@regulator_only
def penalty_list():
    """Penalties decided by authorities in the jurisdiction, with their publicity status."""
    query, sort = search_text("q"), request.args.get("sort", "-decided_on")
    result, facts = q.penalties_page(actor(), query, page_arg(), sort)
    return render_template("regulator/penalties.html", result=result, facts=facts, query=query, sort=sort)


@bp.route("/penalties/new", methods=["GET", "POST"])
@regulator_only
def new_penalty():
    """Record a penalty decided by the official's authority (with a firm finder)."""
    form, preview = PenaltyForm(), None
    if request.method == "GET":  # the double-publicity fields the authority's own records already give
        form.authority_uscc.data = q.authority_uscc_of(actor())
        form.data_source.data = current_user.authority_name
    if request.form.get("action") == "preview":
        preview = q.publicity_preview(form.severity.data, form.decided_on.data, form.kinds.data or [])
        if form.subject_kind.data == "person" and form.ban.data == "until" and form.decided_on.data \
                and not form.ban_until.data:  # Soil Law art. 90: the form proposes the ten-year term
            form.ban_until.data, form.ban_until.raw_data = person_ban_ends_by(form.decided_on.data), None
    elif form.validate_on_submit():
        data = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        try:
            penalty = penalties.record_penalty(actor(), penalties.PenaltyInput(**data))
        except RuleViolation as error:
            show_violation(form, error, "decision_number")
        else:
            flash(_("The penalty is recorded. Its publicity ends on %(day)s.",
                    day=penalty.publicity_ends_on.isoformat()), "success")
            return redirect(url_for(".penalty", penalty_id=penalty.id))
    finder = search_text("find")
    party = q.firm_party(form.subject_uscc.data) if preview and form.subject_kind.data == "unit" else None
    return render_template("regulator/penalty_form.html", form=form, finder=finder, preview=preview, party=party,
                           found=q.find_firms(actor(), finder) if finder else None,
                           periods=q.publicity_periods()), 400 if form.errors else 200


@bp.route("/penalties/<int:penalty_id>")
@regulator_only
def penalty(penalty_id: int):
    """One penalty with its publicity end, repair date and status."""
    return render_template("regulator/penalty.html", facts=q.penalty_view(actor(), penalty_id), form=ConfirmForm())


@bp.route("/penalties/<int:penalty_id>/repair", methods=["GET", "POST"])
@regulator_only
def repair(penalty_id: int):
    """Record a party's application for credit repair; with one pending, confirm what leaves public view."""
    view = repair_q.repair_view(actor(), penalty_id, "record_repair_application")
    form = RepairApplicationForm()
    if view.pending is None and form.validate_on_submit():
        try:
            repair_service.record_repair_application(actor(), penalty_id, applied_on=form.applied_on.data,
                                                     grounds=form.grounds.data, materials=form.materials.data)
        except RuleViolation as error:
            show_violation(form, error, "grounds")
        else:
            flash(_("The application is recorded. Check what will leave the public view, then decide."), "success")
            return redirect(url_for(".repair", penalty_id=penalty_id))
    return render_repair(view, form, RepairRefusalForm())


def render_repair(view, form, refusal):
    status = 400 if request.method == "POST" and (form.errors or refusal.errors) else 200
    return render_template("regulator/repair.html", view=view, form=form, refusal=refusal,
                           confirm=ConfirmForm()), status


@bp.route("/penalties/<int:penalty_id>/repair/grant", methods=["POST"])
@regulator_only
def grant_repair(penalty_id: int):
    """Grant the pending application today: the penalty leaves the public view."""
    if ConfirmForm().validate_on_submit():
        try:
            repair_service.grant_repair(actor(), penalty_id)
        except RuleViolation as error:
            flash(error.message(current_locale()), "error")
            return redirect(url_for(".repair", penalty_id=penalty_id))
        flash(_("Credit repair is granted: the penalty has left the public view."), "success")
    return redirect(url_for(".penalty", penalty_id=penalty_id))


@bp.route("/penalties/<int:penalty_id>/repair/refuse", methods=["POST"])
@regulator_only
def refuse_repair(penalty_id: int):
    """Refuse the pending application, with the reason."""
    view = repair_q.repair_view(actor(), penalty_id, "refuse_repair")
    refusal = RepairRefusalForm()
    if refusal.validate_on_submit():
        try:
            repair_service.refuse_repair(actor(), penalty_id, refusal.reason.data)
        except RuleViolation as error:
            show_violation(refusal, error, "reason")
        else:
            flash(_("The application is refused; the penalty stays as it was."), "success")
            return redirect(url_for(".penalty", penalty_id=penalty_id))
    return render_repair(view, RepairApplicationForm(formdata=None), refusal)


# ---- complaints -------------------------------------------------------------------------------------------

@bp.route("/complaints")
@regulator_only
def complaint_list():
    """The complaints queue of the jurisdiction, by status."""
    status = request.args.get("status", "open")
    return render_template("regulator/complaints.html", result=q.complaints_page(actor(), status, page_arg()),
                           status=status)


@bp.route("/complaints/<int:complaint_id>", methods=["GET", "POST"])
@regulator_only
def complaint(complaint_id: int):
    """One complaint, its complainant (confidential) and the next step of its verification."""
    record = q.complaint_view(actor(), complaint_id)
    form = ComplaintStatusForm(record.status)
    if form.validate_on_submit():
        try:
            complaints.advance_complaint(actor(), complaint_id, status=form.status.data, finding=form.finding.data,
                                         verified_on=form.verified_on.data)
        except RuleViolation as error:
            show_violation(form, error, "status")
        else:
            flash(_("The complaint is now: %(status)s.", status=label("complaint_status", form.status.data)), "success")
            return redirect(url_for(".complaint", complaint_id=complaint_id))
    return render_template("regulator/complaint.html", complaint=record, form=form), 400 if form.errors else 200


# ---- corrections of locked project history ------------------------------------------------------------------

@bp.route("/corrections")
@regulator_only
def correction_list():
    """Pending correction requests about projects in the jurisdiction."""
    records = voice.record_corrections_page(actor(), max(1, min(request.args.get("record_page", 1, type=int), 10000)))
    return render_template("regulator/corrections.html", result=q.corrections_page(actor(), page_arg()),
                           records=records)


@bp.route("/corrections/<int:correction_id>", methods=["GET", "POST"])
@regulator_only
def correction(correction_id: int):
    """One correction request: the project as it stands and as the firm wants it; accept or refuse."""
    item = q.correction_view(actor(), correction_id)
    form = CorrectionDecisionForm()
    if form.validate_on_submit():
        try:
            corrections.decide_correction(actor(), correction_id, accept=form.decision.data == "accept",
                                          note=form.note.data)
        except RuleViolation as error:
            show_violation(form, error, "note")
        else:
            flash(_("The correction is decided."), "success")
            return redirect(url_for(".correction", correction_id=correction_id))
    return render_template("regulator/correction.html", correction=item, form=form), 400 if form.errors else 200


@bp.route("/record-corrections/<int:correction_id>", methods=["GET", "POST"])
@regulator_only
def record_correction(correction_id: int):
    """A request to correct a review outcome, penalty or finding: the record, the grounds; correct or refuse."""
    case = voice.record_correction_view(actor(), correction_id)
    form = RecordCorrectionDecisionForm(case.correction.record_type, case.record)
    if case.correction.status == "pending" and form.validate_on_submit():
        try:
            if form.decision.data == "accept":
                corrections.accept_record_correction(actor(), correction_id, form.values(), form.note.data)
            else:
                corrections.refuse_record_correction(actor(), correction_id, form.note.data)
        except RuleViolation as error:
            show_violation(form, error, "note")
        else:
            flash(_("The request is decided."), "success")
            return redirect(url_for(".record_correction", correction_id=correction_id))
    return render_template("regulator/record_correction.html", case=case, form=form), 400 if form.errors else 200


# ---- non-disclosure ---------------------------------------------------------------------------------------

@bp.route("/withhold/<any(unit, project, review, penalty, complaint):record_type>/<int:record_id>",
          methods=["GET", "POST"])
@regulator_only
def withhold(record_type: str, record_id: int):
    """Mark a record of the jurisdiction as not to be disclosed, citing the legal ground."""
    record = q.load(actor(), record_type, record_id)
    form = NonDisclosureForm()
    if form.validate_on_submit():
        try:
            disclosure.mark_non_disclosed(actor(), record_type, record_id, ground=form.ground.data,
                                          explanation=form.explanation.data)
        except RuleViolation as error:
            show_violation(form, error, "explanation")
        else:
            flash(_("The record is withheld from every public page, the API, exports and search."), "success")
            return redirect(record_url(record_type, record))
    return render_template("regulator/withhold.html", record=record, record_type=record_type, form=form,
                           lift_form=LiftNonDisclosureForm(formdata=None),
                           back=record_url(record_type, record)), 400 if form.errors else 200


@bp.post("/withhold/<any(unit, project, review, penalty, complaint):record_type>/<int:record_id>/lift")
@regulator_only
def lift_withhold(record_type: str, record_id: int):
    """Publish a withheld record of the jurisdiction again, with the reason (audited)."""
    record = q.load(actor(), record_type, record_id)
    lift_form = LiftNonDisclosureForm()
    if lift_form.validate_on_submit():
        try:
            disclosure.lift_non_disclosure(actor(), record_type, record_id, reason=lift_form.reason.data)
        except RuleViolation as error:
            show_violation(lift_form, error, "reason")
        else:
            flash(_("The record is public again."), "success")
            return redirect(record_url(record_type, record))
    return render_template("regulator/withhold.html", record=record, record_type=record_type,
                           form=NonDisclosureForm(formdata=None), lift_form=lift_form,
                           back=record_url(record_type, record)), 400


# ---- persons and ID numbers -------------------------------------------------------------------------------

@bp.route("/persons/lookup", methods=["GET", "POST"])
@regulator_only
def person_lookup():
    """Find a person by full ID number (audited; the number is not echoed)."""
    form, found, searched = PersonLookupForm(), None, False
    if form.validate_on_submit():
        try:
            found, searched = reveal.lookup_person(actor(), form.id_number.data), True
        except RuleViolation as error:
            show_violation(form, error, "id_number")
    summary = q.person_summary(actor(), found) if found else None
    return render_template("regulator/person_lookup.html", form=form, summary=summary, searched=searched), \
        400 if form.errors else 200


@bp.route("/persons/<int:person_id>")
@regulator_only
def person(person_id: int):
    """One person linked to the jurisdiction, with the masked ID number."""
    return render_template("regulator/person.html", form=ConfirmForm(), revealed=None,
                           **q.person_view(actor(), person_id))


@bp.route("/persons/<int:person_id>/reveal", methods=["POST"])
@regulator_only
def reveal_id_number(person_id: int):
    """Show the full ID number once, on an explicit POST that is audited."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for(".person", person_id=person_id))
    number = reveal.reveal_person_id_number(actor(), person_id)
    return render_template("regulator/person.html", form=form, revealed=number, **q.person_view(actor(), person_id))


# ---- audit trail ------------------------------------------------------------------------------------------

@bp.route("/audit/<any(unit, project, review, penalty, complaint, person, account):record_type>/<int:record_id>")
def audit_trail(record_type: str, record_id: int):
    """Who did what to a record of the jurisdiction, and what changed."""
    record = q.load(actor(), record_type, record_id, "read_audit_trail")
    result, events = audit_q.record_trail(record_type, record_id, page_arg())
    return render_template("regulator/audit.html", record=record, record_type=record_type, result=result,
                           events=events, back=record_url(record_type, record))


# ---- the national administrator: accounts -----------------------------------------------------------------

@bp.route("/accounts", methods=["GET", "POST"])
@admin_only
def accounts():
    """Regulator accounts: the list, and the form to create one."""
    form = RegulatorAccountForm()
    if form.validate_on_submit():
        try:
            account = regulator_accounts.create_regulator(
                actor(), username=form.username.data, display_name=form.display_name.data,
                division_code=form.division_code.data, authority_name=form.authority_name.data,
                password=form.password.data, email=form.email.data)
        except RuleViolation as error:
            show_violation(form, error, "username")
        else:
            flash(_("The regulator account %(name)s is created.", name=account.username), "success")
            return redirect(url_for(".accounts"))
    return render_template("regulator/accounts.html", form=form, accounts=q.staff_accounts(), toggle=ConfirmForm(),
                           recovery=AccountRecoveryForm()), \
        400 if form.errors else 200


@bp.route("/accounts/<int:account_id>/<any(suspend, restore):change>", methods=["POST"])
@admin_only
def account_active(account_id: int, change: str):
    """Suspend or restore a regulator account."""
    if ConfirmForm().validate_on_submit():
        try:
            regulator_accounts.set_account_active(actor(), account_id, change == "restore")
        except RuleViolation as error:
            flash(error.message(current_locale()), "error")
        else:
            flash(_("The account is restored.") if change == "restore" else _("The account is suspended."), "success")
    return redirect(url_for(".accounts"))


@bp.route("/accounts/<int:account_id>/second-factor-reset", methods=["POST"])
@admin_only
def second_factor_reset(account_id: int):
    """Turn off a regulator's lost second factor (with a reason); the official enrols again at the next sign-in."""
    form = AccountRecoveryForm()
    if not form.validate_on_submit():
        flash(_("Give a reason: it is kept in the audit trail."), "error")
        return redirect(url_for(".accounts"))
    try:
        second_factor.reset_second_factor(actor(), account_id, form.reason.data)
    except RuleViolation as error:
        flash(error.message(current_locale()), "error")
    else:
        flash(_("The second factor is reset: the official sets it up again at the next sign-in."), "success")
    return redirect(url_for(".accounts"))


@bp.route("/accounts/practitioners")
@admin_only
def practitioner_accounts():
    """Firms' and persons' accounts found by username or name, to reset, suspend or reinstate."""
    text = search_text("q")
    return render_template("regulator/practitioner_accounts.html", text=text,
                           accounts=q.practitioner_accounts(text), form=AccountRecoveryForm())


@bp.route("/accounts/practitioners/<int:account_id>/<any(reset, suspend, reinstate):change>", methods=["POST"])
@admin_only
def recover_account(account_id: int, change: str):
    """Reset a firm's or a person's sign-in (the one-time password is shown once), suspend or reinstate it."""
    form = AccountRecoveryForm()
    operation = {"reset": account_services.reset_sign_in, "suspend": account_services.suspend_account,
                 "reinstate": account_services.reinstate_account}[change]
    if not form.validate_on_submit():
        flash(_("Give a reason: it is kept in the audit trail."), "error")
        return redirect(url_for(".practitioner_accounts", q=request.args.get("q", "")))
    try:
        result = operation(actor(), account_id, form.reason.data)
    except RuleViolation as error:
        flash(error.message(current_locale()), "error")
        return redirect(url_for(".practitioner_accounts", q=request.args.get("q", "")))
    if change == "reset":
        return render_template("regulator/sign_in_reset.html", account=q.load(actor(), "account", account_id),
                               one_time_password=result)
    flash(_("The account is reinstated.") if change == "reinstate" else _("The account is suspended."), "success")
    return redirect(url_for(".practitioner_accounts", q=result.username))


# ---- the national administrator: bulk import --------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
@admin_only
def bulk_import():
    """Import an exchange-format file through the same service as the command."""
    form, report, failure = ImportForm(), None, None
    if form.validate_on_submit():
        try:
            report = exchange.import_jsonl(actor(), read_lines(form.file.data))
        except exchange.ExchangeError as error:
            failure = error
        except UnicodeDecodeError:
            form.file.errors.append(_("The file is not UTF-8 text."))
    return render_template("regulator/import.html", form=form, report=report, failure=failure), \
        400 if (form.errors or failure) else 200


def read_lines(upload) -> list[str]:
    """The uploaded file's lines, as UTF-8 text (a byte-order mark is tolerated)."""
    return upload.read().decode("utf-8-sig").splitlines()
