"""Sign-in and sign-out pages."""

from __future__ import annotations

import math

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service.infra.models import Moderator
from service.lifecycle.moderators import verify_password
from service.web.context import db_session
from service.web.errors import TooManyRequests
from service.web.limits import ACCOUNT, rate_limited
from service.web.moderate import blueprint
from service.web.moderate.security import safe_next, sign_in, sign_out


@blueprint.route("/login", methods=["GET", "POST"])
@rate_limited("sign-in")
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


@blueprint.errorhandler(TooManyRequests)
def too_many_sign_ins(error: TooManyRequests) -> Response:
    """Over the sign-in limits (service.web.limits): the same form, with a message a person can act on."""
    flash(f"Too many failed sign-ins. Try again in {math.ceil(error.retry_after / 60)} minute(s).", "error")
    html = render_template("moderate/login.html", username=ACCOUNT.read(),  # the account the limit counted
                           next=safe_next(request.values.get("next"), "/moderate/"))
    return Response(html, status=429, headers=error.headers, mimetype="text/html")
