"""Sign-in and sign-out pages."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service.infra.models import Moderator
from service.lifecycle.moderators import verify_password
from service.web.context import db_session
from service.web.moderate import blueprint
from service.web.moderate.security import safe_next, sign_in, sign_out


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    """Username and password form; on success a fresh session and a redirect to a same-site ``next``."""
    target = safe_next(request.values.get("next"), url_for("moderate.queue"))
    if request.method == "GET":
        return render_template("moderate/login.html", next=target)
    name = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    moderator = db_session().scalars(select(Moderator).where(Moderator.name == name)).first()
    if moderator is None or not verify_password(moderator, password):
        flash("Wrong username or password.", "error")
        return render_template("moderate/login.html", next=target, username=name), 401  # type: ignore[return-value]
    sign_in(moderator.id)
    return redirect(target)


@blueprint.post("/logout")
def logout() -> Response:
    """Sign out (a POST with the CSRF token, so another site cannot sign a moderator out)."""
    sign_out()
    return redirect(url_for("moderate.login"))
