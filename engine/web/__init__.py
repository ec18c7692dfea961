"""The server-rendered web UI: log-in, start page, start forms, task lists, tasks and cases."""

from __future__ import annotations

from flask import Flask, g
from flask_wtf.csrf import CSRFProtect

from engine.access import enforce
from engine.web import (
    admin,
    admin_forms,
    admin_organisation,
    annual_wheel,
    attachments,
    auth,
    cases,
    competence_plan,
    home,
    internal_control,
    modeler,
    oidc,
    operations,
    risk_matrix,
    tasks,
    version_history,
)
from engine.web.errors import init_errors
from engine.web.formatting import init_formatting
from engine.web.security import init_security


def register_web(app: Flask) -> None:
    """Install the hooks in the order they must run, then the blueprints.

    Per request: request id, then the signed-in user, principal and locale, then the bearer
    token of /metrics, then the CSRF check, then the log-in requirement, then the route's
    access rule. Another way to sign in (an API token) must set g.principal in an app-wide
    hook registered before this one, since blueprint hooks run after the access rule.
    """
    init_security(app)
    oidc.init_oidc(app)
    auth.init_auth(app)
    operations.init_operations(app)
    CSRFProtect(app)
    app.before_request(auth.require_login)
    app.before_request(enforce)

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    init_errors(app)
    init_formatting(app)
    app.context_processor(_layout_context)

    for blueprint in (auth.bp, oidc.bp, home.bp, tasks.bp, cases.bp, attachments.bp,
                      annual_wheel.bp, competence_plan.bp, risk_matrix.bp,
                      internal_control.bp, modeler.bp, version_history.bp, admin.bp,
                      admin_forms.bp, admin_organisation.bp):
        app.register_blueprint(blueprint)


def _layout_context() -> dict[str, object]:
    from engine import i18n
    from engine.access import ANONYMOUS, PROCESS_OWNER
    from engine.web.context import sloyfe_engine

    principal = g.get("principal", ANONYMOUS)
    return {"user": g.get("user"), "locale": i18n.current_locale(),
            "language_names": i18n.LANGUAGE_NAMES,
            # The menu links to the modeler for those its access rule lets in.
            "models_processes": PROCESS_OWNER.allows(principal, {}, sloyfe_engine())}
