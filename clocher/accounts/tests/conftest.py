"""Fixtures of the accounts tests: an empty cache, a fake OIDC provider, TOTP codes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from clocher.accounts.tests.fake_oidc import FakeProvider


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Rate limits and OIDC metadata live in the cache: start every test from nothing."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def _fake_provider_server() -> Iterator[FakeProvider]:
    provider = FakeProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def fake_provider(_fake_provider_server, settings) -> FakeProvider:
    """A running fake provider, configured as ProConnect (staff) and FranceConnect (citizens)."""
    provider = _fake_provider_server
    provider.reset()
    settings.OIDC_PROVIDERS = {
        "proconnect": provider.settings_for("proconnect", "staff"),
        "franceconnect": provider.settings_for("franceconnect", "citizen"),
    }
    return provider
