"""Fixtures shared by every app's tests: two communes of one operator, and staff of each role."""

from __future__ import annotations

import os

import pytest

from clocher.core.testing.browser import browser, page  # noqa: F401 (one Chromium per session)
from clocher.core.testing.factories import (
    CommuneFactory,
    MembershipFactory,
    OperatorFactory,
    OperatorMembershipFactory,
    UserFactory,
)
from clocher.tenancy.models import Role


@pytest.fixture(autouse=True)
def _clear_vault_caches():
    from clocher.core.vault import envelope

    envelope.clear_cache()
    yield
    envelope.clear_cache()


@pytest.fixture
def operator(db):
    return OperatorFactory()


@pytest.fixture
def commune_a(operator):
    return CommuneFactory(operator=operator, name="Agey", slug="agey", insee_code="21001")


@pytest.fixture
def commune_b(operator):
    return CommuneFactory(operator=operator, name="Beire", slug="beire", insee_code="21002")


def _member(commune, role):
    return MembershipFactory(commune=commune, role=role).user


@pytest.fixture
def admin_a(commune_a):
    return _member(commune_a, Role.COMMUNE_ADMIN)


@pytest.fixture
def agent_a(commune_a):
    return _member(commune_a, Role.AGENT)


@pytest.fixture
def elected_a(commune_a):
    return _member(commune_a, Role.ELECTED)


@pytest.fixture
def technician_a(commune_a):
    return _member(commune_a, Role.TECHNICIAN)


@pytest.fixture
def admin_b(commune_b):
    return _member(commune_b, Role.COMMUNE_ADMIN)


@pytest.fixture
def operator_admin(operator):
    return OperatorMembershipFactory(operator=operator, role="operator_admin").user


@pytest.fixture
def operator_support(operator):
    return OperatorMembershipFactory(operator=operator, role="operator_support").user


@pytest.fixture
def outsider(db):
    """A signed-up staff member with no role anywhere."""
    return UserFactory()


_DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "live_server"}
)


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL pass (``CLOCHER_TEST_BACKEND=postgres``, ``make test``) runs the tests that
    use the database: the others (parsers, codecs, sandbox, commands on a database of their own)
    ran the same way in the SQLite pass. They are reported as deselected."""
    if os.environ.get("CLOCHER_TEST_BACKEND") != "postgres":
        return
    kept, dropped = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or bool(
            _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        (kept if uses_database else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
