"""Log-in, log-out and the language setting; the signed-in user of each request."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine import i18n
from engine.web.context import sloyfe_engine
from engine.web.demo_users import demo_users
from engine.web.errors import lost_post_page, submitted_text

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

# Endpoints served without a log-in. Every other page redirects the visitor to log in.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static"})
SESSION_USER = "username"


@dataclass(frozen=True)
class CurrentUser:
    username: str
    display_name: str
    locale: str
    leads_unit: bool
    is_administrator: bool


def init_auth(app: Flask) -> None:
    """Load the user before CSRF is checked, so even that error page is in their language."""
    app.before_request(load_user)


def load_user() -> None:
    g.user = None
    if request.endpoint == "static":
        return
    username = session.get(SESSION_USER)
    if username:
        g.user = _current_user(username)
        if g.user is None:
            session.clear()  # the account was removed or deactivated since the log-in
    i18n.set_locale(select_locale())


def _current_user(username: str) -> CurrentUser | None:
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        profile = engine.organisation.profile(username)
    if profile is None or not profile.active:
        return None
    return CurrentUser(
        username=profile.username, display_name=profile.display_name,
        locale=profile.locale if profile.locale in i18n.SUPPORTED_LOCALES
        else i18n.DEFAULT_LOCALE,
        leads_unit=bool(profile.led_unit_ids),
        is_administrator="administrator" in profile.roles)


def select_locale() -> str:
    user: CurrentUser | None = g.get("user")
    if user is not None:
        return user.locale
    return str(current_app.config.get("DEFAULT_LOCALE", i18n.DEFAULT_LOCALE))


def require_login() -> Response | tuple[str, int] | None:
    if request.endpoint in PUBLIC_ENDPOINTS or g.get("user") is not None:
        return None
    if request.method == "POST" and submitted_text():
        # The session ended while the form was open. A redirect would lose what was typed.
        log.info("post rejected code=session_expired endpoint=%s", request.endpoint)
        rule = request.url_rule
        back = request.path if rule is not None and "GET" in (rule.methods or ()) else "/"
        return lost_post_page(401, _("You are logged out"), _(
            "You were logged out while the page was open, so nothing was saved. Copy what "
            "you wrote from the list below, log in and send the form again."),
            login_next=safe_next(back))
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target) if target and target != "/"
                    else url_for("auth.login"))


def current_user() -> CurrentUser:
    """Return the signed-in user, who exists in every view that require_login lets through."""
    user: CurrentUser = g.user
    return user


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Return `target` when it is a path on this site, else `fallback`.

    Rejects absolute and scheme-relative URLs ("//host", "/\\host") that browsers would
    follow to another site.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if any(ord(character) < 32 for character in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


# --- views -------------------------------------------------------------------------------------

@bp.route("/logg-inn", methods=["GET", "POST"])
def login() -> Response | str:
    next_path = safe_next(request.values.get("next"))
    if g.get("user") is not None and request.method == "GET":
        return redirect(next_path)

    username = (request.values.get("brukernavn") or "").strip()
    error = None
    if request.method == "POST":
        password = request.form.get("passord") or ""
        if not username or not password:
            return _login_page(username, _("Enter your user name and password."), next_path)
        user = sloyfe_engine().organisation.check_password(username, password)
        if user is not None:
            session.clear()
            session.permanent = True
            session[SESSION_USER] = user.username
            log.info("log-in succeeded username=%s", user.username)
            return redirect(next_path)
        log.info("log-in failed")
        error = _("Wrong user name or password.")
    return _login_page(username, error, next_path)


def _login_page(username: str, error: str | None, next_path: str) -> str:
    show_demo = bool(current_app.config.get("SHOW_DEMO_USERS"))
    return render_template("login.html", username=username, error=error, next_path=next_path,
                           demo_users=demo_users(sloyfe_engine()) if show_demo else [])


@bp.route("/logg-ut", methods=["POST"])
def logout() -> Response:
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/sprak", methods=["POST"])
def change_language() -> Response:
    locale = request.form.get("sprak", "")
    if locale in i18n.SUPPORTED_LOCALES:
        user = current_user()
        sloyfe_engine().organisation.set_locale(user.username, locale, actor=user.username)
    return redirect(safe_next(request.form.get("next")))
