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
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from engine import i18n
from engine.access import AUTHENTICATED, PUBLIC, Principal, access, current_principal, rule_for
from engine.errors import InvalidCredentials, LoginBlocked
from engine.services.organisation import UserProfile
from engine.web.context import sloyfe_engine
from engine.web.demo_users import demo_users
from engine.web.errors import lost_post_page, submitted_text
from engine.web.oidc import login_buttons
from engine.web.sessions import (
    SessionEnd,
    end_session,
    ended_early,
    session_end,
    session_username,
    start_session,
    touch_session,
)

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

# Requests under this prefix belong to the REST API, which responds with status codes instead
# of sending the visitor to the log-in page.
API_PREFIX = "/api/"

# The language a visitor chose before logging in; a signed-in user's is in their profile.
SESSION_LOCALE = "locale"


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
    """Set g.user and g.principal from the session, ending a session past its limits.

    A principal set by an earlier hook (an API token) is kept.
    """
    g.user = None
    g.session_ended = None
    if request.endpoint == "static":
        return
    username = session_username()
    if username:
        _load_session_user(username)
    i18n.set_locale(select_locale())


def _load_session_user(username: str) -> None:
    ended = session_end()
    if ended is not None:
        log.info("session ended reason=%s", ended.value)
        end_session()
        g.session_ended = ended
        return

    profile = _active_profile(username)
    if profile is None:
        end_session()  # the account was removed or deactivated since the log-in
        return
    if ended_early(profile.sessions_valid_after):
        log.info("session ended reason=%s user=%s", SessionEnd.ENDED.value, username)
        end_session()
        g.session_ended = SessionEnd.ENDED
        return

    touch_session()
    g.user = _current_user(profile)
    if g.get("principal") is None:
        g.principal = principal_of(profile)


def _active_profile(username: str) -> UserProfile | None:
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        profile = engine.organisation.profile(username)
    if profile is None or not profile.active:
        return None
    return profile


def _current_user(profile: UserProfile) -> CurrentUser:
    return CurrentUser(
        username=profile.username, display_name=profile.display_name,
        locale=profile.locale if profile.locale in i18n.SUPPORTED_LOCALES
        else i18n.DEFAULT_LOCALE,
        leads_unit=bool(profile.led_unit_ids),
        is_administrator="administrator" in profile.roles)


def principal_of(profile: UserProfile) -> Principal:
    """Return the access-rule principal of a signed-in user."""
    return Principal(username=profile.username, roles=frozenset(profile.roles),
                     leads_unit=bool(profile.led_unit_ids))


def select_locale() -> str:
    """Return the signed-in user's language, else the one chosen in this browser's session."""
    user: CurrentUser | None = g.get("user")
    if user is not None:
        return user.locale
    chosen = session.get(SESSION_LOCALE)
    if chosen in i18n.SUPPORTED_LOCALES:
        return str(chosen)
    return str(current_app.config.get("DEFAULT_LOCALE", i18n.DEFAULT_LOCALE))


def require_login() -> Response | tuple[str, int] | None:
    """Send a visitor without a session to the log-in page, unless the page is public.

    Runs before the access rules, so a visitor gets the log-in page instead of a 401. A post
    with text gets the lost-post page instead, because a redirect would lose what was typed.
    """
    if g.get("user") is not None or rule_for(current_app, request.endpoint) is PUBLIC:
        return None
    if current_principal().is_token:  # a bearer token outside /api/, such as on /metrics
        return None
    if request.path.startswith(API_PREFIX):
        return None
    ended: SessionEnd | None = g.get("session_ended")
    if request.method == "POST" and submitted_text():
        log.info("post rejected code=session_expired endpoint=%s", request.endpoint)
        rule = request.url_rule
        back = request.path if rule is not None and "GET" in (rule.methods or ()) else "/"
        return lost_post_page(401, _("You are logged out"), _lost_post_message(ended),
                              login_next=safe_next(back))
    if ended is not None:
        flash(_session_ended_message(ended), "info")
    # An address with no page behind it is not kept as the place to return to: after the
    # log-in it would end on "not found" instead of the start page.
    known_page = request.url_rule is not None
    target = request.full_path.rstrip("?") if request.method == "GET" and known_page else None
    return redirect(url_for("auth.login", next=target) if target and target != "/"
                    else url_for("auth.login"))


def _lost_post_message(ended: SessionEnd | None) -> str:
    if ended is SessionEnd.IDLE:
        return ngettext(
            "You were logged out after %(num)s minute without activity, so nothing was "
            "saved. Copy what you wrote from the list below, log in and send the form again.",
            "You were logged out after %(num)s minutes without activity, so nothing was "
            "saved. Copy what you wrote from the list below, log in and send the form again.",
            _idle_minutes())
    return _("You were logged out while the page was open, so nothing was saved. Copy what "
             "you wrote from the list below, log in and send the form again.")


def _session_ended_message(ended: SessionEnd) -> str:
    if ended is SessionEnd.IDLE:
        return ngettext("You were logged out after %(num)s minute without activity. Log in "
                        "again to go on.",
                        "You were logged out after %(num)s minutes without activity. Log in "
                        "again to go on.", _idle_minutes())
    if ended is SessionEnd.ENDED:
        return _("You have been logged out, in this browser or another. Log in again to go "
                 "on.")
    return _("Your log-in has expired. Log in again to go on.")


def _idle_minutes() -> int:
    return int(float(current_app.config["SESSION_IDLE_MINUTES"]))


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
@access(PUBLIC)
def login() -> Response | str | tuple[str, int]:
    next_path = safe_next(request.values.get("next"))
    if g.get("user") is not None and request.method == "GET":
        return redirect(next_path)

    username = (request.values.get("brukernavn") or "").strip()
    if request.method == "GET":
        return login_page(username, None, next_path)

    password = request.form.get("passord") or ""
    if not username or not password:
        return login_page(username, _("Enter your user name and password."), next_path)
    try:
        user = sloyfe_engine().logins.log_in(username, password, request.remote_addr)
    except LoginBlocked as blocked:
        response = make_response(login_page(username, str(blocked), next_path), 429)
        response.headers["Retry-After"] = str(blocked.retry_after)
        return response
    except InvalidCredentials as invalid:
        log.info("log-in failed")
        return login_page(username, str(invalid), next_path)

    # A language chosen on the log-in page is the user's choice for this log-in too, so it
    # goes into the profile, which decides the language once signed in.
    chosen_locale = session.get(SESSION_LOCALE)
    start_session(user.username)
    if chosen_locale in i18n.SUPPORTED_LOCALES and chosen_locale != user.locale:
        sloyfe_engine().organisation.set_locale(user.username, str(chosen_locale),
                                                actor=user.username)
    log.info("log-in succeeded username=%s", user.username)
    return redirect(next_path)


@bp.route("/login")
@access(PUBLIC)
def login_alias() -> Response:
    """Send the English address that people type from habit to the log-in page."""
    next_path = safe_next(request.args.get("next"))
    return redirect(url_for("auth.login", next=next_path) if next_path != "/"
                    else url_for("auth.login"))


def login_page(username: str, error: str | None, next_path: str) -> str:
    """Render the log-in page with the password form and a button per OpenID Connect
    provider."""
    show_demo = bool(current_app.config.get("SHOW_DEMO_USERS"))
    return render_template("login.html", username=username, error=error, next_path=next_path,
                           providers=login_buttons(),
                           demo_users=demo_users(sloyfe_engine()) if show_demo else [])


@bp.route("/logg-ut", methods=["POST"])
@access(AUTHENTICATED)
def logout() -> Response:
    # Ending the sessions in the database also ends copies of this cookie, and the user's
    # sessions in other browsers.
    sloyfe_engine().organisation.end_sessions(current_user().username,
                                              actor=current_user().username)
    end_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/sprak", methods=["POST"])
@access(PUBLIC)
def change_language() -> Response:
    """Store the chosen language in the user's profile, or in the session before log-in."""
    locale = request.form.get("sprak", "")
    if locale in i18n.SUPPORTED_LOCALES:
        user: CurrentUser | None = g.get("user")
        if user is not None:
            sloyfe_engine().organisation.set_locale(user.username, locale,
                                                    actor=user.username)
        else:
            session[SESSION_LOCALE] = locale
    return redirect(safe_next(request.form.get("next")))
