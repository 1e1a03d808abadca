"""Practitioners' pages: a firm registers, signs its commitment letter, keeps its basic information, staff and
project performance; a staff member redeems an invitation and signs their own letter. Views are thin: they
parse the form, call one service or query, and render or redirect."""
from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.access import AccessDenied, Actor
from registry.auth import start_session
from registry.clock import today
from registry.i18n import current_locale
from registry.practitioner import bp
from registry.practitioner.forms import (CeaseForm, CommitmentForm, ConfirmForm, CorrectionRequestForm, DetailsForm,
                                         EndEmploymentForm, InvitationForm, ProjectForm, RegistrationForm, StaffForm,
                                         StatementForm)
from registry.queries import practitioner as queries
from registry.queries import voice
from registry.reference import industries
from registry.rules.divisions import suggested_division
from registry.rules.errors import RuleViolation, each_violation
from registry.rules.statements import check_grounds, check_statement
from registry.security import redact_id_numbers
from registry.services import commitments, corrections, projects, registration, staff, statements, units

DETAIL_FIELDS = ("name", "legal_representative", "division_code", "address", "established_on", "contact_phone",
                 "contact_email")
PROJECT_FIELDS = ("category", "name", "parcel_name", "division_code", "owner", "owner_uscc", "former_industry",
                  "started_on", "contract_deadline", "completed_on")
HOMES = {"unit": "practitioner.dashboard", "person": "practitioner.person_home"}
RECORD = "<any(review, penalty, finding):record_type>/<int:record_id>"


def actor() -> Actor:
    return Actor.of(current_user, request.remote_addr)


def role_required(role: str):
    """Only this practitioner role; the other practitioner role goes to its own home, anyone else gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role != role:
                if current_user.role in HOMES:
                    return redirect(url_for(HOMES[current_user.role]))
                # audited by access.deny (DESIGN §7: every denied access), as the 403 page tells
                raise AccessDenied(actor(), f"open {request.path}", None, None)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def subject_required(view):
    """A firm or a person, speaking about records about itself; anyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role not in HOMES:
            raise AccessDenied(actor(), f"open {request.path}", None, None)
        return view(*args, **kwargs)

    return wrapper


def subject_ids() -> dict:
    """The acting firm or person, as the voice queries take it."""
    return {"unit_id": current_user.unit_id} if current_user.role == "unit" else {"person_id": current_user.person_id}


def show_violation(form, error: RuleViolation) -> None:
    """Put each of a service's refusals next to the field it names (or at the top of the page); a field the
    form already refused keeps the form's message."""
    for violation in each_violation(error):
        target = getattr(form, violation.field, None)
        if target is None or not hasattr(target, "errors"):
            flash(violation.message(current_locale()), "error")
        elif not target.errors:
            target.errors = [*target.errors, violation.message(current_locale())]


def submitted_and_valid(form, service_rules) -> bool:
    """Validate a posted form and, on the same submit, the service's own rules (`service_rules()` writes
    nothing), so every error shows after one submit instead of one round at a time."""
    if not form.is_submitted():
        return False
    valid = form.validate()
    try:
        service_rules()
    except RuleViolation as error:
        show_violation(form, error)
        return False
    return valid


def page_arg() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10000))  # a 400-digit page overflowed SQL


# --- registration and invitation (not signed in) ---------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegistrationForm()
    if not form.division_code.data:
        form.division_code.data = suggested_division(form.uscc.data)
    if submitted_and_valid(form, lambda: registration.validated_firm(
            uscc=form.uscc.data, name=form.name.data, division_code=form.division_code.data,
            legal_representative=form.legal_representative.data, contact_email=form.contact_email.data)):
        visitor = registration.anonymous(redact_id_numbers(form.uscc.data.strip()), request.remote_addr)
        try:
            result = registration.register_firm(
                visitor, uscc=form.uscc.data, name=form.name.data, division_code=form.division_code.data,
                legal_representative=form.legal_representative.data, contact_email=form.contact_email.data,
                password=form.password.data)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            start_session(result.account)
            flash(_("Your firm is registered; its username is its credit code. Sign the commitment letter so "
                    "that what you enter can be published."), "success")
            return redirect(url_for(".commitment"))
    return render_template("practitioner/register.html", form=form)


@bp.route("/invitation", methods=["GET", "POST"])
def accept_invitation():
    form = InvitationForm()
    if form.validate_on_submit():
        visitor = registration.anonymous(redact_id_numbers(form.username.data.strip()), request.remote_addr)
        try:
            account = registration.redeem_invitation(
                visitor, code=form.code.data, id_number=form.id_number.data, username=form.username.data,
                email=form.email.data, password=form.password.data)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            start_session(account)
            flash(_("Your account is ready. Sign your own commitment letter to appear in the public record."),
                  "success")
            return redirect(url_for(".person_commitment"))
    return render_template("practitioner/invitation.html", form=form)


# --- the firm ------------------------------------------------------------------------------------------


@bp.route("/")
@role_required("unit")
def dashboard():
    return render_template("practitioner/dashboard.html", d=queries.dashboard(current_user.unit_id),
                           text=queries.latest_text(), requests=voice.correction_requests(unit_id=current_user.unit_id))


@bp.route("/commitment", methods=["GET", "POST"])
@role_required("unit")
def commitment():
    text = queries.latest_text()
    form = CommitmentForm(text_version=str(text.version))
    if form.validate_on_submit():
        try:
            commitments.sign_unit_commitment(
                actor(), current_user.unit_id, text_version=form.version(), signer=form.signer.data,
                truthfulness=form.truthfulness.data, consent_to_publish=form.consent_to_publish.data)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            flash(_("The commitment letter is signed.") if form.consent_to_publish.data else
                  _("The commitment letter is signed without consent to publish: nothing you entered is public."),
                  "success" if form.consent_to_publish.data else "warning")
            return redirect(url_for(".dashboard"))
    return render_template("practitioner/commitment.html", form=form, text=text,
                           status=queries.commitment_status(unit_id=current_user.unit_id),
                           signer_hint=_("Type the legal representative's name as in your basic information."))


@bp.route("/details", methods=["GET", "POST"])
@role_required("unit")
def details():
    unit = queries.unit_of(current_user.unit_id)
    form = DetailsForm(data={**{k: getattr(unit, k) for k in DETAIL_FIELDS}, "categories": unit.category_codes})
    if not form.is_submitted() and not form.division_code.data:
        form.division_code.data = suggested_division(unit.uscc)
    if not form.is_submitted():
        form.changed_on.data = today()
    if submitted_and_valid(form, lambda: (units.validated_details(
            **{k: getattr(form, k).data for k in DETAIL_FIELDS}, categories=form.categories.data),
            units.validated_change_date(form.changed_on.data))):
        try:
            units.update_unit_details(actor(), current_user.unit_id, changed_on=form.changed_on.data,
                                      **{k: getattr(form, k).data for k in DETAIL_FIELDS},
                                      categories=form.categories.data)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            flash(_("The basic information is saved; the earlier version is kept."), "success")
            return redirect(url_for(".dashboard"))
    return render_template("practitioner/details.html", form=form, unit=unit)


@bp.route("/cease", methods=["GET", "POST"])
@role_required("unit")
def cease():
    unit = queries.unit_of(current_user.unit_id)
    form = CeaseForm()
    if unit.ceased_on is None and form.validate_on_submit():
        try:
            units.declare_ceased(actor(), current_user.unit_id, form.ceased_on.data)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            flash(_("The firm is recorded as having ceased business; its records stay."), "success")
            return redirect(url_for(".dashboard"))
    return render_template("practitioner/cease.html", form=form, unit=unit)


@bp.route("/details/history")
@role_required("unit")
def details_history():
    return render_template("practitioner/details_history.html", unit=queries.unit_of(current_user.unit_id),
                           versions=queries.unit_versions(current_user.unit_id))


@bp.route("/staff", methods=["GET", "POST"])
@role_required("unit")
def staff_list():
    form = StaffForm()
    if form.validate_on_submit():
        try:
            proposed = staff.add_staff(actor(), name=form.name.data, id_number=form.id_number.data,
                                       title=form.title.data)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            return render_template("practitioner/invitation_code.html", proposed=True, name=proposed.name,
                                   id_number_masked=proposed.id_number_masked, code=proposed.invitation_code)
    return render_template("practitioner/staff.html", form=form, confirm=ConfirmForm(),
                           rows=queries.current_staff(current_user.unit_id),
                           proposals=queries.open_proposals(unit_id=current_user.unit_id),
                           former=queries.former_staff(current_user.unit_id), today=today())


@bp.route("/staff/<int:person_id>/invitation", methods=["POST"])
@role_required("unit")
def staff_invitation(person_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        person, code = staff.reissue_invitation(actor(), person_id)
    except RuleViolation as error:
        flash(error.message(current_locale()), "error")
        return redirect(url_for(".staff_list"))
    return render_template("practitioner/invitation_code.html", proposed=False, name=person.name,
                           id_number_masked=person.id_number_masked, code=code)


@bp.route("/staff/<int:person_id>/end", methods=["POST"])
@role_required("unit")
def staff_end(person_id: int):
    form = EndEmploymentForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(" ".join(form.ended_on.errors), "error")
        return redirect(url_for(".staff_list"))
    try:
        staff.end_employment(actor(), person_id, form.ended_on.data)
    except RuleViolation as error:
        flash(error.message(current_locale()), "error")
        return redirect(url_for(".staff_list"))
    flash(_("The person is recorded as having left the firm; the employment history is kept."), "success")
    return redirect(url_for(".staff_list"))


@bp.route("/projects")
@role_required("unit")
def project_list():
    sort, text = request.args.get("sort", "recent"), request.args.get("q", "")[:100]
    result = queries.projects_page(current_user.unit_id, page_arg(), sort, text)
    return render_template("practitioner/projects.html", result=result, q=text, sort=sort,
                           missing_fields=queries.missing_fields)


@bp.route("/projects/new", methods=["GET", "POST"])
@role_required("unit")
def project_new():
    people = queries.staff_choices(current_user.unit_id)
    form = ProjectForm(data={"people": [{"person_id": p.id, "role": ""} for p in people],
                             "division_code": queries.unit_of(current_user.unit_id).division_code})
    if submitted_and_valid(form, lambda: projects.validated(project_data(form))):
        try:
            project = projects.create_project(actor(), project_data(form), form.roles())
        except RuleViolation as error:
            show_violation(form, error)
        else:
            flash(_("The project is recorded."), "success")
            return redirect(url_for(".project_view", ref=project.ref))
    return render_project_form(form, people, None)


@bp.route("/projects/<ref>")
@role_required("unit")
def project_view(ref: str):
    detail = queries.project_detail(actor(), ref) or abort(404)
    return render_template("practitioner/project.html", d=detail, missing=queries.missing_fields(detail.project))


@bp.route("/projects/<ref>/edit", methods=["GET", "POST"])
@role_required("unit")
def project_edit(ref: str):
    project = queries.own_project(actor(), ref) or abort(404)
    people = queries.staff_choices(current_user.unit_id, project)
    held = {r.person_id: r.role for r in project.roles}
    form = ProjectForm(data={**{k: getattr(project, k) for k in PROJECT_FIELDS}, "area_m2": str(project.area_m2),
                             "people": [{"person_id": p.id, "role": held.get(p.id, "")} for p in people]})
    if submitted_and_valid(form, lambda: projects.validated(project_data(form))):
        reason = (form.correction_reason.data or "").strip()
        try:
            if reason:
                corrections.request_correction(actor(), ref, project_data(form), form.roles(), reason)
            else:
                projects.update_project(actor(), ref, project_data(form), form.roles())
        except RuleViolation as error:
            show_violation(form, error)
        else:
            flash(_("The correction is sent to the regulator where the project lies; nothing changes until it "
                    "accepts it.") if reason else _("The project is saved; the earlier version is kept."), "success")
            return redirect(url_for(".project_view", ref=ref))
    return render_project_form(form, people, project)


def project_data(form: ProjectForm) -> projects.ProjectData:
    values = {k: getattr(form, k).data for k in PROJECT_FIELDS}
    return projects.ProjectData(**{**values, "former_industry": form.industry_code(), "area_m2": form.area_m2.data})


def render_project_form(form: ProjectForm, people, project):
    return render_template("practitioner/project_form.html", form=form, project=project,
                           people={p.id: p for p in people}, industries=industries().values())


# --- the person ----------------------------------------------------------------------------------------


@bp.route("/me")
@role_required("person")
def person_home():
    return render_template("practitioner/person_home.html", h=queries.person_home(current_user.person_id),
                           proposals=queries.open_proposals(person_id=current_user.person_id), confirm=ConfirmForm(),
                           requests=voice.correction_requests(person_id=current_user.person_id))


@bp.route("/me/proposals/<int:invitation_id>/confirm", methods=["POST"])
@role_required("person")
def confirm_proposal(invitation_id: int):
    """The person confirms a firm's proposal: they join it, and their current employment ends today."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        staff.confirm_proposal(actor(), invitation_id)
    except RuleViolation as error:
        flash(error.message(current_locale()), "error")
    else:
        flash(_("You have joined the firm."), "success")
    return redirect(url_for(".person_home"))


@bp.route("/me/commitment", methods=["GET", "POST"])
@role_required("person")
def person_commitment():
    text = queries.latest_text()
    form = CommitmentForm(text_version=str(text.version))
    if form.validate_on_submit():
        try:
            commitments.sign_person_commitment(
                actor(), text_version=form.version(), signer=form.signer.data,
                truthfulness=form.truthfulness.data, consent_to_publish=form.consent_to_publish.data)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            flash(_("Your commitment letter is signed.") if form.consent_to_publish.data else
                  _("Your letter is signed without consent to publish: your name does not appear in public."),
                  "success" if form.consent_to_publish.data else "warning")
            return redirect(url_for(".person_home"))
    return render_template("practitioner/commitment.html", form=form, text=text,
                           status=queries.commitment_status(person_id=current_user.person_id),
                           signer_hint=_("Type your own name as your firm registered it."))


# --- the subject's voice: statements on records about the firm or person, and correction requests ---------------


@bp.route("/records")
@subject_required
def records():
    """The records about the firm or person that it may speak to, with its statements and correction requests."""
    return render_template("practitioner/records.html", items=voice.records_about(**subject_ids()))


@bp.route(f"/records/{RECORD}/statement", methods=["GET", "POST"])
@subject_required
def statement(record_type: str, record_id: int):
    item = voice.subject_record(actor(), record_type, record_id)
    form = StatementForm() if item.statement is None or request.method == "POST" else \
        StatementForm(text=item.statement.text)
    if submitted_and_valid(form, lambda: check_statement(form.text.data)):
        try:
            statements.save_statement(actor(), record_type, record_id, form.text.data)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            flash(_("Your statement is published beside the record."), "success")
            return redirect(url_for(".records"))
    return render_template("practitioner/statement.html", item=item, form=form,
                           withdraw=ConfirmForm()), 400 if form.errors else 200


@bp.route(f"/records/{RECORD}/statement/withdraw", methods=["POST"])
@subject_required
def withdraw_statement(record_type: str, record_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        statements.withdraw_statement(actor(), record_type, record_id)
    except RuleViolation as error:
        flash(error.message(current_locale()), "error")
    else:
        flash(_("Your statement is withdrawn; its earlier versions are kept."), "success")
    return redirect(url_for(".records"))


@bp.route(f"/records/{RECORD}/correction", methods=["GET", "POST"])
@subject_required
def request_correction(record_type: str, record_id: int):
    item = voice.subject_record(actor(), record_type, record_id)
    form = CorrectionRequestForm()
    if submitted_and_valid(form, lambda: check_grounds(form.grounds.data)):
        try:
            corrections.request_record_correction(actor(), record_type, record_id, form.grounds.data)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            flash(_("Your request is sent to the competent authority. Its decision will appear here."), "success")
            return redirect(url_for(".records"))
    return render_template("practitioner/correction_request.html", item=item, form=form), 400 if form.errors else 200
