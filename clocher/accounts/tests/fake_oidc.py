"""A tiny OpenID Connect provider for the tests, served by a thread on 127.0.0.1.

It implements what Clocher uses: discovery, JWKS, the authorization endpoint (answers at once
with a redirect carrying the code, as if the person had signed in), the token endpoint (client
secret, PKCE, single-use codes, an RS256-signed ID token) and userinfo. Tests choose who signs
in (``provider.identity``) and can make it misbehave (``provider.tamper``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_SECRET = "fake-client-secret"


def _rsa_key(kid: str) -> RSAKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return RSAKey.import_key(pem, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class FakeProvider:
    """Call ``start()`` then use ``discovery_url``; ``stop()`` at the end."""

    identity: dict[str, Any] = field(
        default_factory=lambda: {"sub": "sub-1", "email": "agent@example.test"}
    )
    tamper: str = ""  # "nonce", "signature", "issuer", "audience", "expired"
    userinfo_as_jwt: bool = False
    key: RSAKey = field(default_factory=lambda: _rsa_key("fake-key-1"))
    other_key: RSAKey = field(default_factory=lambda: _rsa_key("fake-key-1"))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: int = 0
    _server: WSGIServer | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeProvider:
        self._server = make_server("127.0.0.1", 0, self.app, handler_class=_QuietHandler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> None:
        self.identity = {"sub": "sub-1", "email": "agent@example.test"}
        self.tamper = ""
        self.userinfo_as_jwt = False
        self.codes.clear()
        self.tokens.clear()
        self.token_requests = 0

    @property
    def issuer(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def settings_for(self, name: str, audience: str) -> dict[str, str]:
        return {
            "label": "ProConnect" if audience == "staff" else "FranceConnect",
            "discovery_url": self.discovery_url,
            "client_id": f"clocher-{name}",
            "client_secret": CLIENT_SECRET,
            "scope": "openid email given_name usual_name",
            "audience": audience,
        }

    # --- endpoints ---------------------------------------------------------------------------

    def app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if path == "/.well-known/openid-configuration":
            return self._json(start_response, self._discovery())
        if path == "/jwks":
            return self._json(start_response, {"keys": [self.key.as_dict(private=False)]})
        if path == "/authorize":
            return self._authorize(start_response, query)
        if path == "/token" and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = {
                k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()
            }
            return self._token(start_response, form, environ.get("HTTP_AUTHORIZATION", ""))
        if path == "/userinfo":
            return self._userinfo(start_response, environ.get("HTTP_AUTHORIZATION", ""))
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def _discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def _authorize(
        self, start_response: Callable[..., Any], query: dict[str, str]
    ) -> Iterable[bytes]:
        required = ("client_id", "redirect_uri", "state", "nonce", "code_challenge")
        if query.get("response_type") != "code" or any(not query.get(k) for k in required):
            return self._json(start_response, {"error": "invalid_request"}, "400 Bad Request")
        if query.get("code_challenge_method") != "S256":
            return self._json(start_response, {"error": "invalid_request"}, "400 Bad Request")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "identity": dict(self.identity)}
        location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        start_response("302 Found", [("Location", location)])
        return [b""]

    def _token(
        self, start_response: Callable[..., Any], form: dict[str, str], authorization: str
    ) -> Iterable[bytes]:
        self.token_requests += 1
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return self._json(start_response, {"error": "invalid_grant"}, "400 Bad Request")
        expected = (
            "Basic " + base64.b64encode(f"{grant['client_id']}:{CLIENT_SECRET}".encode()).decode()
        )
        if authorization != expected:
            return self._json(start_response, {"error": "invalid_client"}, "401 Unauthorized")
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.rstrip(b"=").decode() != grant["code_challenge"]:
            return self._json(start_response, {"error": "invalid_grant"}, "400 Bad Request")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return self._json(start_response, {"error": "invalid_grant"}, "400 Bad Request")
        identity = grant["identity"]
        now = int(time.time())
        claims = {
            "iss": self.issuer if self.tamper != "issuer" else "http://127.0.0.1:1/other",
            "aud": grant["client_id"] if self.tamper != "audience" else "someone-else",
            "sub": identity["sub"],
            "iat": now,
            "exp": now + 60 if self.tamper != "expired" else now - 3600,
            "nonce": grant["nonce"] if self.tamper != "nonce" else "another-nonce",
            "acr": "eidas1",
        }
        signing_key = self.other_key if self.tamper == "signature" else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": signing_key.kid}, claims, signing_key)
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = identity
        return self._json(
            start_response,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 60,
                "id_token": id_token,
            },
        )

    def _userinfo(self, start_response: Callable[..., Any], authorization: str) -> Iterable[bytes]:
        identity = self.tokens.get(authorization.removeprefix("Bearer "))
        if identity is None:
            return self._json(start_response, {"error": "invalid_token"}, "401 Unauthorized")
        if self.userinfo_as_jwt:
            body = jwt.encode({"alg": "RS256", "kid": self.key.kid}, identity, self.key)
            start_response("200 OK", [("Content-Type", "application/jwt")])
            return [body.encode()]
        return self._json(start_response, identity)

    @staticmethod
    def _json(
        start_response: Callable[..., Any], data: dict[str, Any], status: str = "200 OK"
    ) -> Iterable[bytes]:
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(data).encode()]
