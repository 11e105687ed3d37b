"""An encrypted field never sends its clear value to the database, whatever the write path."""

from __future__ import annotations

import pytest
from django.db import transaction

from clocher.accounts.models import CitizenAccount
from clocher.core import vault

pytestmark = pytest.mark.django_db


def _account(commune):
    return CitizenAccount.objects.create(
        commune=commune,
        email="jeanne@example.test",
        email_index=vault.blind_index(commune.pk, "jeanne@example.test", context="email"),
    )


def test_bulk_update_of_an_encrypted_field_is_refused(commune_a):
    """bulk_update skips the sealing step: it is refused instead of writing the clear value."""
    account = _account(commune_a)
    account.email = "autre@example.test"
    with pytest.raises(vault.VaultError, match="can only be written by save"), transaction.atomic():
        CitizenAccount.objects.bulk_update([account], ["email"])
    assert CitizenAccount.objects.get(pk=account.pk).email == "jeanne@example.test"


def test_filtering_on_an_encrypted_field_is_refused(commune_a):
    """A lookup would compare the clear value with ciphertext: refused (use a blind index)."""
    _account(commune_a)
    with pytest.raises(vault.VaultError), transaction.atomic():
        list(CitizenAccount.objects.filter(email="jeanne@example.test"))


def test_save_still_seals_and_reads_back(commune_a):
    """The normal path is unchanged: save() seals, reading decrypts."""
    account = _account(commune_a)
    account.email = "autre@example.test"
    account.save()
    stored = CitizenAccount.objects.get(pk=account.pk)
    assert bytes(stored.__dict__["email"]).startswith(b"\x01")
    assert stored.email == "autre@example.test"
