"""The relying-party side of the Authorization Code flow with PKCE, on Authlib.

One ProviderClient per configured provider keeps the provider's discovery document and
signing keys (JWKS) in memory. It builds the authorization URL, exchanges the code for tokens
and verifies the ID token: signature against the JWKS, then iss, aud, exp, iat, nbf and
nonce against the engine clock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from engine.oidc.errors import IdTokenInvalid, ProviderReportedError, ProviderUnreachable
from engine.oidc.settings import ProviderSettings, is_allowed_url

log = logging.getLogger(__name__)

# The discovery document and JWKS are fetched again after this long, in seconds, so a
# provider's new endpoints and rotated keys are picked up without a restart.
METADATA_SECONDS = 3600
# Clock difference tolerated between Sløyfe and the provider for exp, iat and nbf, in seconds.
LEEWAY_SECONDS = 60
# Asymmetric signature algorithms only: "none" and the HMAC algorithms (keyed with the client
# secret) are never accepted for an ID token.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
                      "ES512")
_REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


class ProviderClient:
    def __init__(self, settings: ProviderSettings, timeout_seconds: float) -> None:
        self.settings = settings
        self.timeout_seconds = timeout_seconds
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._loaded_at = 0.0

    # --- provider documents ----------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """Return the discovery document, fetched again when older than METADATA_SECONDS.

        Raises ProviderUnreachable, or ProviderReportedError for a document that names another
        issuer or an endpoint that is not https.
        """
        with self._lock:
            if self._metadata is not None and time.monotonic() - self._loaded_at < \
                    METADATA_SECONDS:
                return self._metadata
        document = self._get_json(self.settings.discovery_url)
        self._check_metadata(document)
        with self._lock:
            self._metadata = document
            self._keys = None
            self._loaded_at = time.monotonic()
        return document

    def _check_metadata(self, document: Mapping[str, Any]) -> None:
        name = self.settings.name
        if document.get("issuer") != self.settings.issuer:
            log.warning("oidc discovery names another issuer provider=%s expected=%s found=%s",
                        self.settings.key, self.settings.issuer, document.get("issuer"))
            raise ProviderReportedError(name)
        for endpoint in _REQUIRED_ENDPOINTS:
            url = document.get(endpoint)
            if not isinstance(url, str) or not is_allowed_url(url):
                log.warning("oidc discovery endpoint missing or not https provider=%s "
                            "endpoint=%s", self.settings.key, endpoint)
                raise ProviderReportedError(name)
        methods = document.get("code_challenge_methods_supported")
        if isinstance(methods, list) and "S256" not in methods:
            log.warning("oidc provider does not list PKCE S256 provider=%s", self.settings.key)

    def _signing_keys(self, refresh: bool = False) -> KeySet:
        with self._lock:
            if self._keys is not None and not refresh:
                return self._keys
        document = self._get_json(self.metadata()["jwks_uri"])
        try:
            keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as error:
            log.warning("oidc jwks unreadable provider=%s error=%s", self.settings.key, error)
            raise ProviderReportedError(self.settings.name) from error
        with self._lock:
            self._keys = keys
        return keys

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = requests.get(url, timeout=self.timeout_seconds,
                                    headers={"Accept": "application/json"})
        except requests.RequestException as error:
            log.warning("oidc provider unreachable provider=%s url=%s error=%s",
                        self.settings.key, url, type(error).__name__)
            raise ProviderUnreachable(self.settings.name) from error
        if response.status_code != 200:
            log.warning("oidc provider request failed provider=%s url=%s status=%s",
                        self.settings.key, url, response.status_code)
            raise ProviderReportedError(self.settings.name)
        try:
            document = response.json()
        except ValueError as error:
            log.warning("oidc provider sent no JSON provider=%s url=%s", self.settings.key, url)
            raise ProviderReportedError(self.settings.name) from error
        if not isinstance(document, dict):
            raise ProviderReportedError(self.settings.name)
        return document

    # --- the flow --------------------------------------------------------------------------

    def _session(self, redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(
            client_id=self.settings.client_id, client_secret=self.settings.client_secret,
            token_endpoint_auth_method=self.settings.token_auth_method,
            scope=" ".join(self.settings.scopes), redirect_uri=redirect_uri,
            code_challenge_method="S256")

    def authorization_url(self, redirect_uri: str, state: str, nonce: str,
                          code_verifier: str) -> str:
        """Return the provider URL that starts the log-in, with the S256 code challenge."""
        endpoint = self.metadata()["authorization_endpoint"]
        with self._session(redirect_uri) as session:
            url, _state = session.create_authorization_url(
                endpoint, state=state, nonce=nonce, code_verifier=code_verifier,
                **dict(self.settings.authorize_params))
        return str(url)

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> dict[str, Any]:
        """Send the code and PKCE verifier to the token endpoint; return its token response."""
        endpoint = self.metadata()["token_endpoint"]
        name = self.settings.name
        with self._session(redirect_uri) as session:
            try:
                token = session.fetch_token(
                    endpoint, grant_type="authorization_code", code=code,
                    code_verifier=code_verifier, timeout=self.timeout_seconds)
            except (requests.ConnectionError, requests.Timeout) as error:
                log.warning("oidc token endpoint unreachable provider=%s error=%s",
                            self.settings.key, type(error).__name__)
                raise ProviderUnreachable(name) from error
            except (requests.RequestException, AuthlibBaseError, ValueError) as error:
                log.warning("oidc token request failed provider=%s error=%s",
                            self.settings.key, _describe(error))
                raise ProviderReportedError(name) from error
        if not isinstance(token.get("id_token"), str):
            log.warning("oidc token response without id_token provider=%s", self.settings.key)
            raise ProviderReportedError(name)
        return dict(token)

    def verify_id_token(self, id_token: str, nonce: str, now: int,
                        access_token: str | None = None) -> dict[str, Any]:
        """Check the ID token's signature and claims at the time `now`; return its claims.

        Raises IdTokenInvalid naming the failed check.
        """
        metadata = self.metadata()
        advertised = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [alg for alg in advertised if alg in SIGNING_ALGORITHMS]
        try:
            try:
                token = jwt.decode(id_token, self._signing_keys(), algorithms=algorithms)
            except InvalidKeyIdError:
                # The provider may have rotated its keys since they were fetched.
                token = jwt.decode(id_token, self._signing_keys(refresh=True),
                                   algorithms=algorithms)
            claims = CodeIDToken(
                token.claims, token.header,
                {"iss": {"essential": True, "value": self.settings.issuer},
                 "aud": {"essential": True, "value": self.settings.client_id},
                 "sub": {"essential": True},
                 "nonce": {"essential": True, "value": nonce}},
                {"nonce": nonce, "client_id": self.settings.client_id,
                 "access_token": access_token})
            claims.validate(now=now, leeway=LEEWAY_SECONDS)
        except (JoseError, ValueError, TypeError) as error:
            reason = _describe(error)
            log.warning("oidc id token rejected provider=%s reason=%s", self.settings.key,
                        reason)
            raise IdTokenInvalid(self.settings.name, reason) from error
        return dict(claims)


def _describe(error: Exception) -> str:
    """Return a short, claim-free description of `error` for the log."""
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return f"HTTPError status={error.response.status_code}"
    code = getattr(error, "error", None)
    if isinstance(code, str) and code:
        description = getattr(error, "description", None)
        return f"{code}: {description}" if description else code
    return type(error).__name__
