"""Which decryptions go to the commune's access journal, and how often."""

from __future__ import annotations

import pytest

from clocher.core import vault
from clocher.core.context import acting_as
from clocher.core.models.audit import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db
CONTEXT = "accounts.CitizenAccount.email"


def _reads(commune):
    return AuditEntry.objects.filter(commune=commune, action=AuditAction.PERSONAL_DATA_READ)


def test_operator_staff_reads_are_journaled_once_per_request_and_place(commune_a, operator_support):
    """Operator support opening the same field twice in one request leaves one entry."""
    sealed = vault.seal(commune_a.pk, "jeanne@example.test", context=CONTEXT)
    with acting_as(operator_support):
        vault.open_sealed(commune_a.pk, sealed, context=CONTEXT)
        vault.open_sealed(commune_a.pk, sealed, context=CONTEXT)
    entry = _reads(commune_a).get()
    assert (entry.actor, entry.target) == (operator_support, CONTEXT)


def test_commune_members_reads_are_not_journaled_here(commune_a, agent_a):
    """The commune's own agent reading its data does not fill the operator access journal."""
    sealed = vault.seal(commune_a.pk, "jeanne@example.test", context=CONTEXT)
    with acting_as(agent_a):
        assert vault.open_sealed(commune_a.pk, sealed, context=CONTEXT) == b"jeanne@example.test"
    assert _reads(commune_a).count() == 0


def test_a_ciphertext_does_not_open_in_another_commune(commune_a, commune_b):
    """A value sealed for commune A cannot be opened as commune B's (keys and context differ)."""
    sealed = vault.seal(commune_a.pk, "jeanne@example.test", context=CONTEXT)
    with pytest.raises(vault.VaultError):
        vault.open_sealed(commune_b.pk, sealed, context=CONTEXT)
    with pytest.raises(vault.VaultError):
        vault.open_sealed(commune_a.pk, sealed, context="accounts.CitizenAccount.display_name")
