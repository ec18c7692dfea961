"""Why an OpenID Connect log-in failed; the web layer shows each message on the log-in page.

Messages are English gettext ids, shown in the user's language (bokmål by default). Each
states what happened and what to do, and none repeats claims or tokens from the provider.

`http_status` is the status of that log-in page. A failure at the provider gets 200 rather
than 502 or 503, because a reverse proxy may replace a 5xx page with its own error page, and
the user would then not see what to do. A rejected log-in gets 403, not 401, since 401 would
need a WWW-Authenticate challenge that a browser log-in cannot give.
"""

from __future__ import annotations

from engine.errors import EngineError
from engine.i18n import N_


class ProviderLoginFailed(EngineError):
    """Root of the OpenID Connect log-in failures; `provider` is the provider's name."""

    code = "provider_login_failed"
    http_status = 400

    def __init__(self, provider: str, **params: object) -> None:
        super().__init__(provider=provider, **params)


class ProviderNotConfigured(ProviderLoginFailed):
    code = "provider_not_configured"
    http_status = 404
    message = N_("This log-in method is not set up. Log in with one of the choices below.")


class LoginStateInvalid(ProviderLoginFailed):
    """The callback's state is missing, unknown, already used or of another provider."""

    code = "login_state_invalid"
    message = N_("The log-in could not be completed because it was already used or was not "
                 "started from this browser. Start the log-in again.")


class LoginTookTooLong(ProviderLoginFailed):
    code = "login_took_too_long"
    message = N_("The log-in took too long to complete, so it was stopped. Start the log-in "
                 "again.")


class ProviderLoginCancelled(ProviderLoginFailed):
    """The provider returned error=access_denied: the person cancelled or was denied there."""

    code = "provider_login_cancelled"
    http_status = 403
    message = N_("The log-in at %(provider)s was cancelled or refused, so you are not logged "
                 "in. Try again, or choose another way to log in.")


class ProviderReportedError(ProviderLoginFailed):
    """The provider returned an error, or a response Sløyfe cannot use."""

    code = "provider_reported_error"
    http_status = 200
    message = N_("%(provider)s reported an error, so you are not logged in. Try again in a "
                 "few minutes. If it happens again, tell the IT department.")


class ProviderUnreachable(ProviderLoginFailed):
    code = "provider_unreachable"
    http_status = 200
    message = N_("Sløyfe could not reach %(provider)s, so you are not logged in. Try again in "
                 "a few minutes. If it happens again, tell the IT department.")


class IdTokenInvalid(ProviderLoginFailed):
    """The ID token failed a check: signature, issuer, audience, expiry, issue time or nonce.

    `reason` names the check for the log; the user sees one message for all of them.
    """

    code = "id_token_invalid"
    http_status = 403
    message = N_("Sløyfe could not verify the answer from %(provider)s, so you are not logged "
                 "in. Start the log-in again. If it happens again, tell the IT department.")

    def __init__(self, provider: str, reason: str) -> None:
        super().__init__(provider, reason=reason)
        self.reason = reason


class IdentityNotLinked(ProviderLoginFailed):
    code = "identity_not_linked"
    http_status = 403
    message = N_("Your account at %(provider)s is not linked to a user in Sløyfe, so you are "
                 "not logged in. Ask an administrator to give you access.")


class ProvisioningRefused(ProviderLoginFailed):
    """A new user could not be made from the claims (no user name, or the name is taken)."""

    code = "provisioning_refused"
    http_status = 403
    message = N_("Sløyfe could not create a user for your account at %(provider)s, because "
                 "%(reason)s. Ask an administrator to link your account to your user.")

    def __init__(self, provider: str, reason: str) -> None:
        super().__init__(provider, reason=reason)


class UserDeactivated(ProviderLoginFailed):
    code = "user_deactivated"
    http_status = 403
    message = N_("Your user in Sløyfe is deactivated, so you are not logged in. Ask an "
                 "administrator if you still need access.")

    def __init__(self, provider: str, username: str) -> None:
        super().__init__(provider, username=username)
        self.username = username
