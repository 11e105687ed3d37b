"""OpenID Connect sign-in (ProConnect for staff, FranceConnect for citizens), with Authlib.

Providers come from ``settings.OIDC_PROVIDERS`` (built from ``CLOCHER_OIDC_<NAME>_*``); each
has an ``audience``: ``staff`` or ``citizen``. The flow is the authorization code flow with
``state`` (bound to the session), ``nonce`` and PKCE (S256). The ID token is checked here, not
trusted: signature against the provider's JWKS (refetched once on an unknown key id, for key
rotation), issuer, audience (and ``azp`` when there are several), nonce, expiry. Signed userinfo
responses (``application/jwt``, as ProConnect sends) are checked against the same keys.

Every provider has a single callback, ``/compte/oidc/<provider>/retour/``, the only URL to
register with it; for citizens, the commune the flow started from is kept in the session.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

SESSION_KEY = "accounts:oidc"
FLOW_MAX_AGE = 10 * 60
HTTP_TIMEOUT = 10
METADATA_CACHE_SECONDS = 60 * 60
ALLOWED_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]
CLOCK_LEEWAY = 60


class OidcError(Exception):
    """The sign-in did not succeed; the message is for the logs and the journal, not the user."""


@dataclass(frozen=True)
class OidcProvider:
    name: str
    label: str
    discovery_url: str
    client_id: str
    client_secret: str
    scope: str
    audience: str


@dataclass(frozen=True)
class OidcIdentity:
    provider: str
    subject: str
    email: str
    given_name: str = ""
    family_name: str = ""
    claims: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OidcFlow:
    """What the callback needs from the start of the flow."""

    provider: str
    next_url: str
    commune_id: int | None


def providers(audience: str) -> list[OidcProvider]:
    return [
        OidcProvider(name=name, **config)
        for name, config in settings.OIDC_PROVIDERS.items()
        if config.get("audience") == audience
    ]


def get_provider(name: str, audience: str | None = None) -> OidcProvider | None:
    config = settings.OIDC_PROVIDERS.get(name)
    if config is None or (audience is not None and config.get("audience") != audience):
        return None
    return OidcProvider(name=name, **config)


def callback_url(provider: OidcProvider) -> str:
    return settings.SITE_URL + reverse("accounts:oidc-callback", kwargs={"provider": provider.name})


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as error:
        raise OidcError(f"cannot read {url}: {error}") from error
    if not isinstance(data, dict):
        raise OidcError(f"{url} did not answer a JSON object")
    return data


def metadata(provider: OidcProvider) -> dict[str, Any]:
    """The provider's discovery document (cached for an hour)."""
    key = f"clocher:oidc:metadata:{provider.discovery_url}"
    found = cache.get(key)
    if found is None:
        found = _get_json(provider.discovery_url)
        for required in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not found.get(required):
                raise OidcError(f"discovery document lacks {required}")
        cache.set(key, found, METADATA_CACHE_SECONDS)
    return found


def _keys(meta: dict[str, Any], *, refresh: bool = False) -> KeySet:
    key = f"clocher:oidc:jwks:{meta['jwks_uri']}"
    document = None if refresh else cache.get(key)
    if document is None:
        document = _get_json(meta["jwks_uri"])
        cache.set(key, document, METADATA_CACHE_SECONDS)
    try:
        return KeySet.import_key_set(document)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise OidcError(f"unusable JWKS: {error}") from error


def _algorithms(meta: dict[str, Any], name: str) -> list[str]:
    offered = meta.get(name) or ["RS256"]
    algorithms = [alg for alg in ALLOWED_ALGORITHMS if alg in offered]
    if not algorithms:
        raise OidcError(f"no acceptable signing algorithm in {offered}")
    return algorithms


def _decode(value: str, meta: dict[str, Any], algorithms: list[str]) -> dict[str, Any]:
    """Check a JWT's signature with the provider's keys; returns its claims."""
    try:
        try:
            token = jwt.decode(value, _keys(meta), algorithms=algorithms)
        except InvalidKeyIdError:
            token = jwt.decode(value, _keys(meta, refresh=True), algorithms=algorithms)
    except (JoseError, ValueError, TypeError) as error:
        raise OidcError(f"invalid signature: {error}") from error
    return dict(token.claims)


def validate_id_token(
    provider: OidcProvider, meta: dict[str, Any], id_token: str, *, nonce: str
) -> dict[str, Any]:
    claims = _decode(id_token, meta, _algorithms(meta, "id_token_signing_alg_values_supported"))
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY,
        iss={"essential": True, "value": meta["issuer"]},
        aud={"essential": True, "value": provider.client_id},
        sub={"essential": True},
        exp={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise OidcError(f"ID token rejected: {error}") from error
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != provider.client_id:
        raise OidcError("ID token has several audiences and another authorized party")
    return claims


def _userinfo(meta: dict[str, Any], access_token: str, subject: str) -> dict[str, Any]:
    endpoint = meta.get("userinfo_endpoint")
    if not endpoint or not access_token:
        return {}
    try:
        response = requests.get(
            endpoint, headers={"Authorization": f"Bearer {access_token}"}, timeout=HTTP_TIMEOUT
        )
        response.raise_for_status()
    except requests.RequestException as error:
        raise OidcError(f"userinfo failed: {error}") from error
    if response.headers.get("Content-Type", "").startswith("application/jwt"):
        info = _decode(
            response.text.strip(), meta, _algorithms(meta, "userinfo_signing_alg_values_supported")
        )
    else:
        try:
            info = response.json()
        except ValueError as error:
            raise OidcError("userinfo is not JSON") from error
    if not isinstance(info, dict) or info.get("sub") != subject:
        raise OidcError("userinfo is about another subject")
    return info


def _client(provider: OidcProvider, meta: dict[str, Any], redirect_uri: str) -> OAuth2Session:
    methods = meta.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth_method = (
        "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    )
    return OAuth2Session(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=provider.scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method=auth_method,
    )


def start(
    request: HttpRequest,
    provider: OidcProvider,
    *,
    next_url: str = "",
    commune_id: int | None = None,
) -> str:
    """Remember a new flow in the session; returns the provider's authorization URL."""
    meta = metadata(provider)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = generate_token(64)
    redirect_uri = callback_url(provider)
    request.session[SESSION_KEY] = {
        "provider": provider.name,
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "redirect_uri": redirect_uri,
        "next": next_url,
        "commune_id": commune_id,
        "since": time.time(),
    }
    url, _state = _client(provider, meta, redirect_uri).create_authorization_url(
        meta["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
    )
    return str(url)


def finish(request: HttpRequest, provider: OidcProvider) -> tuple[OidcIdentity, OidcFlow]:
    """Check the provider's answer, exchange the code and validate the ID token.

    The flow is removed from the session first, so an answer can be used only once.
    """
    flow = request.session.pop(SESSION_KEY, None)
    if not isinstance(flow, dict) or flow.get("provider") != provider.name:
        raise OidcError("no sign-in in progress for this provider in this session")
    if time.time() - float(flow.get("since", 0)) > FLOW_MAX_AGE:
        raise OidcError("sign-in started too long ago")
    if request.GET.get("error"):
        raise OidcError(f"provider answered {request.GET['error']}")
    if not hmac.compare_digest(str(request.GET.get("state", "")), str(flow["state"])):
        raise OidcError("state does not match")
    code = request.GET.get("code", "")
    if not code:
        raise OidcError("no authorization code")
    meta = metadata(provider)
    try:
        token = _client(provider, meta, flow["redirect_uri"]).fetch_token(
            meta["token_endpoint"],
            code=code,
            code_verifier=flow["verifier"],
            timeout=HTTP_TIMEOUT,
        )
    except (AuthlibBaseError, requests.RequestException, ValueError) as error:
        raise OidcError(f"token exchange failed: {error}") from error
    id_token = token.get("id_token")
    if not id_token:
        raise OidcError("no ID token in the token response")
    claims = validate_id_token(provider, meta, id_token, nonce=flow["nonce"])
    info = _userinfo(meta, token.get("access_token", ""), claims["sub"])
    merged = {**claims, **{k: v for k, v in info.items() if k not in {"iss", "aud", "exp"}}}
    identity = OidcIdentity(
        provider=provider.name,
        subject=str(claims["sub"]),
        email=str(merged.get("email") or "").strip().lower(),
        given_name=str(merged.get("given_name") or ""),
        family_name=str(merged.get("usual_name") or merged.get("family_name") or ""),
        claims=merged,
    )
    commune_id = flow.get("commune_id")
    return identity, OidcFlow(
        provider=provider.name,
        next_url=str(flow.get("next") or ""),
        commune_id=int(commune_id) if commune_id is not None else None,
    )
