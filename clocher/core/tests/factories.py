"""Factories of core objects for the isolation test."""

from __future__ import annotations

from clocher.core.api.services import api_key_create
from clocher.core.models import ApiKey
from clocher.core.testing.isolation import isolation_factory


@isolation_factory(ApiKey)
def api_key_for_isolation(commune, marker: str) -> ApiKey:
    api_key, _token = api_key_create(commune=commune, name=marker)
    return api_key
