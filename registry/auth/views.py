"""Sign in, sign out and change the password: /login, /logout, /account/password."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from registry.auth import start_session
from registry.auth.forms import LoginForm, PasswordChangeForm
from registry.i18n import current_locale
from registry.rules.errors import RuleViolation
from registry.services import accounts
from registry.services.audit import Actor

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
        if result.account is not None:
            start_session(result.account)
            return redirect(safe_next(request.args.get("next")) or home_url(result.account))
        if result.locked_until is not None:
            form.username.errors.append(refusal_text(result))
        else:
            form.password.errors.append(_("Wrong username or password."))
    return render_template("auth/login.html", form=form)


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
