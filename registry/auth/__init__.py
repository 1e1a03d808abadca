"""Sessions for every role: Flask-Login with a per-account session version, and the regulators' idle timeout."""
import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from registry.extensions import db, login_manager
from registry.i18n import lazy_gettext as _l
from registry.models import Account
from registry.services.second_factor import second_factor_required

LAST_SEEN = "last_seen"
PENDING = "second_factor_pending"  # [account id, session version, when]: the password was right, the code is due
PENDING_SECONDS = 5 * 60


def load_account(session_token: str) -> Account | None:
    """The account of a session, only while its session version is current."""
    account_id, _, version = session_token.partition(":")
    if not account_id.isdigit() or not version.isdigit():
        return None
    account = db.session.get(Account, int(account_id))
    if account is None or not account.active or account.session_version != int(version):
        return None
    return account


def start_session(account: Account) -> None:
    """Sign an account in with a new session: nothing set before sign-in (a CSRF token an attacker fixed in the
    visitor's browser, any planted value) survives it (ASVS 3.2.1)."""
    session.clear()
    login_user(account)
    session[LAST_SEEN] = time.time()  # the idle clock starts at sign-in; a session without it is refused


def hold_for_second_factor(account: Account) -> None:
    """The password was right: a fresh session remembers the account for five minutes, until its code."""
    session.clear()
    session[PENDING] = [account.id, account.session_version, time.time()]


def pending_account() -> Account | None:
    """The account waiting for its second factor in this session, while the wait is fresh and nothing (a
    logout elsewhere, a suspension) has changed the account since."""
    held = session.get(PENDING)
    if not held or time.time() - held[2] > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    account = db.session.get(Account, held[0])
    if account is None or not account.active or account.session_version != held[1] or not account.has_second_factor:
        return None
    return account


def end_idle_sessions():
    """Regulators are signed out after 30 idle minutes (DESIGN §7). Every session carries `last_seen` from its
    sign-in; one without it was never started here (a replayed or forged cookie) and is refused for every role,
    because treating a missing value as "now" would let that cookie live for ever."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = time.time()
    last_seen = session.get(LAST_SEEN)
    idle_limit = current_app.config["REGULATOR_IDLE_MINUTES"] * 60
    if last_seen is None:
        return _sign_out(_l("Your session has ended. Please sign in again."))
    if current_user.role in ("regulator", "admin") and now - last_seen > idle_limit:
        return _sign_out(_l("You were signed out after 30 minutes without activity."))
    session[LAST_SEEN] = now
    return None


def require_new_password():
    """An account whose sign-in the administrator reset holds a one-time password: it opens only the password
    change page (and sign-out) until the holder chooses a password of their own."""
    if request.endpoint in ("static", "auth.change_password", "auth.logout") or not current_user.is_authenticated:
        return None
    if current_user.must_change_password:
        flash(_l("Choose a password of your own to replace the one-time password."), "warning")
        return redirect(url_for("auth.change_password"))
    return None


def require_second_factor():
    """In production every regulator and administrator enrols a second factor before anything else."""
    if request.endpoint in ("static", "auth.two_factor", "auth.logout") or not current_user.is_authenticated:
        return None
    if second_factor_required(current_user) and not current_user.has_second_factor:
        flash(_l("Set up the second factor of your account to continue."), "warning")
        return redirect(url_for("auth.two_factor"))
    return None


def _sign_out(message):
    logout_user()
    session.pop(LAST_SEEN, None)
    flash(message, "warning")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_account)
    app.before_request(end_idle_sessions)
    app.before_request(require_new_password)
    app.before_request(require_second_factor)
