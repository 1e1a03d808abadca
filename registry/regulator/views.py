"""Regulators' pages (to be built out by the regulator issue)."""
from flask import render_template
from flask_login import login_required

from registry.regulator import bp


@bp.route("/")
@login_required
def home():
    return render_template("regulator/home.html")
