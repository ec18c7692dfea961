"""A real OpenID Connect provider on 127.0.0.1 for the log-in tests, which misbehaves on request.

It serves a discovery document, its JWKS, and an authorization endpoint that approves the
person in `claims` at once. Its token endpoint checks the code, the client's credentials, the
redirect URI and the PKCE verifier before it hands out a signed ID token. Codes work once.

The ID token is signed when the code is issued, so a test that moves the shared clock
between the two steps gets a token that has expired by the time Sløyfe checks it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from engine.runtime.clock import FixedClock

TOKEN_SECONDS = 300

# Ways the provider can misbehave; set LoopbackProvider.misbehaviour to one of them.
WRONG_KEY = "wrong_key"              # signs with a key that is not in its JWKS (same kid)
WRONG_AUDIENCE = "wrong_audience"    # aud names another client
WRONG_ISSUER = "wrong_issuer"        # iss names another issuer than the discovery document
WRONG_NONCE = "wrong_nonce"          # nonce differs from the one in the request
MISSING_NONCE = "missing_nonce"      # no nonce claim at all
EXPIRED = "expired"                  # exp lies before iat, in the past at once
ACCESS_DENIED = "access_denied"      # returns error=access_denied instead of a code
TOKEN_ERROR_500 = "token_error_500"  # the token endpoint fails with 500
UNSIGNED = "unsigned"                # alg "none", no signature


@dataclass
class IssuedCode:
    client_id: str
    redirect_uri: str
    code_challenge: str
    id_token: str


@dataclass
class LoopbackProvider:
    """The provider; `issuer` is known once `start` has run."""

    clock: FixedClock
    signing_key: RSAKey
    foreign_key: RSAKey
    client_id: str = "sloyfe-test"
    client_secret: str = "test-client-secret"
    auth_method: str = "client_secret_basic"
    claims: dict[str, Any] = field(default_factory=dict)
    misbehaviour: str | None = None
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    token_errors: list[str] = field(default_factory=list)
    codes: dict[str, IssuedCode] = field(default_factory=dict)
    issuer: str = ""

    def start(self) -> None:
        self._server = make_server("127.0.0.1", 0, self._application, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Shut the server down and close its socket, so connections are refused."""
        if getattr(self, "_server", None) is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = None

    # --- endpoints -------------------------------------------------------------------------

    def _application(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        routes = {
            "/.well-known/openid-configuration": self._discovery,
            "/jwks": self._jwks,
            "/authorize": self._authorize,
            "/token": self._token,
        }
        handler = routes.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def _discovery(self, _request: Request) -> Response:
        return _json({
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": [self.auth_method],
        })

    def _jwks(self, _request: Request) -> Response:
        return _json({"keys": [self.signing_key.as_dict(private=False)]})

    def _authorize(self, request: Request) -> Response:
        params = dict(request.args)
        self.authorize_requests.append(params)
        problem = self._authorize_problem(params)
        if problem:
            return Response(problem, status=400)
        answer = {"state": params["state"]}
        if self.misbehaviour == ACCESS_DENIED:
            answer["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(24)
            self.codes[code] = IssuedCode(params["client_id"], params["redirect_uri"],
                                          params["code_challenge"],
                                          self._id_token(params["nonce"]))
            answer["code"] = code
        return Response(status=302,
                        headers={"Location": f"{params['redirect_uri']}?{urlencode(answer)}"})

    def _authorize_problem(self, params: dict[str, str]) -> str | None:
        if params.get("client_id") != self.client_id:
            return "unknown client_id"
        if params.get("response_type") != "code":
            return "response_type must be code"
        if "openid" not in params.get("scope", "").split():
            return "scope must include openid"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "a PKCE S256 code challenge is required"
        for name in ("state", "nonce", "redirect_uri"):
            if not params.get(name):
                return f"{name} is missing"
        return None

    def _token(self, request: Request) -> Response:
        form = dict(request.form)
        self.token_requests.append({**form, "authorization": request.headers.get(
            "Authorization", "")})
        if self.misbehaviour == TOKEN_ERROR_500:
            return Response("<h1>Internal Server Error</h1>", status=500,
                            content_type="text/html")
        if not self._client_authenticated(request, form):
            return self._token_error("invalid_client", 401)
        if form.get("grant_type") != "authorization_code":
            return self._token_error("unsupported_grant_type")
        issued = self.codes.pop(form.get("code", ""), None)
        if issued is None:
            return self._token_error("invalid_grant")
        if form.get("redirect_uri") != issued.redirect_uri:
            return self._token_error("invalid_grant")
        if _s256(form.get("code_verifier", "")) != issued.code_challenge:
            return self._token_error("invalid_grant")
        return _json({"access_token": secrets.token_urlsafe(24), "token_type": "Bearer",
                      "expires_in": TOKEN_SECONDS, "id_token": issued.id_token})

    def _client_authenticated(self, request: Request, form: dict[str, str]) -> bool:
        if self.auth_method == "client_secret_post":
            return (form.get("client_id") == self.client_id
                    and form.get("client_secret") == self.client_secret)
        authorization = request.authorization
        return (authorization is not None and authorization.type == "basic"
                and authorization.username == self.client_id
                and authorization.password == self.client_secret)

    def _token_error(self, error: str, status: int = 400) -> Response:
        self.token_errors.append(error)
        return _json({"error": error}, status)

    # --- tokens ----------------------------------------------------------------------------

    def _id_token(self, nonce: str) -> str:
        now = int(self.clock.now().timestamp())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + TOKEN_SECONDS,
            "nonce": nonce, **self.claims}
        if self.misbehaviour == WRONG_AUDIENCE:
            claims["aud"] = "another-client"
        if self.misbehaviour == WRONG_ISSUER:
            claims["iss"] = "http://127.0.0.1:1/another-issuer"
        if self.misbehaviour == WRONG_NONCE:
            claims["nonce"] = "not-the-nonce-that-was-sent"
        if self.misbehaviour == MISSING_NONCE:
            del claims["nonce"]
        if self.misbehaviour == EXPIRED:
            claims["iat"] = now - 2 * TOKEN_SECONDS
            claims["exp"] = now - TOKEN_SECONDS
        if self.misbehaviour == UNSIGNED:
            header = _base64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            payload = _base64url(json.dumps(claims).encode())
            return f"{header}.{payload}."
        key = self.foreign_key if self.misbehaviour == WRONG_KEY else self.signing_key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def generate_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig"}, private=True)


def _s256(verifier: str) -> str:
    return _base64url(hashlib.sha256(verifier.encode("ascii")).digest())


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
