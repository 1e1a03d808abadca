"""Practitioners' pages (to be built out by the practitioner issue)."""
from flask import render_template
from flask_login import login_required

from registry.practitioner import bp


@bp.route("/register")
def register():
    return render_template("practitioner/register.html")


@bp.route("/invitation")
def accept_invitation():
    return render_template("practitioner/register.html")


@bp.route("/")
@login_required
def dashboard():
    return render_template("practitioner/register.html")


@bp.route("/me")
@login_required
def person_home():
    return render_template("practitioner/register.html")
