"""Sign in (with the second factor of regulators and administrators), sign out, change the password, set up
the second factor: /login, /login/code, /logout, /account/password, /account/two-factor."""
from urllib.parse import urlsplit

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from registry.access import STAFF_ROLES, AccessDenied, Actor
from registry.auth import hold_for_second_factor, pending_account, start_session
from registry.auth.forms import AuthenticatorCodeForm, LoginForm, PasswordChangeForm, SecondFactorForm
from registry.i18n import current_locale
from registry.rules.errors import RuleViolation
from registry.services import accounts, second_factor

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    "unit": "practitioner.dashboard",
    "person": "practitioner.person_home",
    "regulator": "regulator.home",
    "admin": "regulator.home",
}


def home_url(account) -> str:
    return url_for(HOME_BY_ROLE[account.role])


def safe_next(target: str | None) -> str | None:
    """Only a path on this site, never another host."""
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


def refusal_text(result) -> str:
    """Why a password was not accepted: the lockout, or a wrong current password."""
    if result.locked_until is not None:
        return _("Too many failed attempts. Try again after %(time)s.", time=format_datetime(result.locked_until))
    return _("The current password is wrong.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        result = accounts.authenticate(form.username.data, form.password.data, request.remote_addr)
        if result.second_factor_pending:
            hold_for_second_factor(result.account)
            return redirect(url_for(".second_factor_step", next=safe_next(request.args.get("next"))))
        if result.account is not None:
            start_session(result.account)
            return redirect(safe_next(request.args.get("next")) or home_url(result.account))
        if result.locked_until is not None:
            form.username.errors.append(refusal_text(result))
        else:
            form.password.errors.append(_("Wrong username or password."))
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor_step():
    """The second step of a regulator's or administrator's sign-in: the authenticator's code or a recovery code."""
    account = pending_account()
    if account is None:
        flash(_("Sign in with your password first."), "warning")
        return redirect(url_for(".login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        result = second_factor.verify(account.id, form.code.data, request.remote_addr)
        if result.account is not None:
            start_session(result.account)
            return redirect(safe_next(request.args.get("next")) or home_url(result.account))
        form.code.errors.append(refusal_text(result) if result.locked_until else
                                _("The code is wrong or already used."))
    return render_template("auth/second_factor.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    accounts.logout(Actor.of(current_user, request.remote_addr))
    logout_user()
    flash(_("You are signed out, on every device."), "success")
    return redirect(url_for("portal.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            result = accounts.change_password(
                Actor.of(current_user, request.remote_addr), form.current_password.data, form.new_password.data
            )
        except RuleViolation as error:
            getattr(form, error.field, form.new_password).errors.append(error.message(current_locale()))
        else:
            if result.account is not None:
                login_user(result.account)  # this session continues with the new session version; others end
                flash(_("Your password is changed. Every other session has ended."), "success")
                return redirect(home_url(result.account))
            form.current_password.errors.append(refusal_text(result))
    return render_template("auth/password.html", form=form)


ENROLMENT = "second_factor_enrolment"  # the key being set up, sealed by the vault, until its first code


def enrolment_secret() -> str:
    """The key this session is setting up: the same one across reloads, so the QR code stays valid."""
    vault = current_app.extensions["id_vault"]
    sealed = session.get(ENROLMENT)
    if sealed is None:
        sealed = session[ENROLMENT] = vault.seal(second_factor.new_secret(), second_factor.SEALED_AS)
    return vault.unseal(sealed, second_factor.SEALED_AS)


def qr_code(uri: str) -> Markup:
    """The QR code as an inline SVG drawn on the server: no script, no image request."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff"))  # nosec B704


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Set up the second factor (QR code, first code, ten recovery codes), or renew the recovery codes."""
    actor = Actor.of(current_user, request.remote_addr)
    if current_user.role not in STAFF_ROLES:
        raise AccessDenied(actor, "open /account/two-factor", "account", current_user.id)
    form, codes = AuthenticatorCodeForm(), None
    try:
        if current_user.has_second_factor:
            if form.validate_on_submit():
                codes = second_factor.renew_recovery_codes(actor, form.code.data)
        elif form.validate_on_submit():
            codes = second_factor.enrol(actor, enrolment_secret(), form.code.data)
            session.pop(ENROLMENT, None)
    except RuleViolation as error:
        form.code.errors.append(error.message(current_locale()))
    if current_user.has_second_factor or codes:
        return render_template("auth/two_factor.html", form=form, codes=codes,
                               remaining=second_factor.remaining_recovery_codes(current_user)), \
            400 if form.errors else 200
    secret = enrolment_secret()
    return render_template("auth/two_factor_enrol.html", form=form, secret=secret,
                           qr=qr_code(second_factor.provisioning_uri(secret, current_user.username))), \
        400 if form.errors else 200
