"""Fixtures shared by every app's tests: two communes of one operator, and staff of each role."""

from __future__ import annotations

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
