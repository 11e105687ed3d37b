"""Reads on API keys (for the back-office page, the command and the authentication)."""

from __future__ import annotations

from django.db.models import QuerySet

from clocher.core.api import tokens
from clocher.core.models import ApiKey
from clocher.tenancy.models import Commune


def api_keys_of_commune(commune: Commune) -> QuerySet[ApiKey]:
    """Every key of the commune, active and revoked, newest first."""
    return (
        ApiKey.objects.for_commune(commune)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def api_key_of_commune_by_prefix(commune: Commune, prefix: str) -> ApiKey | None:
    return api_keys_of_commune(commune).filter(prefix=prefix).first()


def api_key_for_token(token: str) -> ApiKey | None:
    """The key that ``token`` is, whatever its state (revoked, inactive commune), or None."""
    prefix = tokens.prefix_of(token)
    if prefix is None:
        return None
    api_key = ApiKey.objects.select_related("commune").filter(prefix=prefix).first()
    if api_key is None or not tokens.token_matches(token, api_key.secret_hash):
        return None
    return api_key
