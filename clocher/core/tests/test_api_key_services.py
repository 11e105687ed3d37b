"""API keys: creation, revocation, storage of the secret as a hash only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from clocher.core.api import scopes
from clocher.core.api.selectors import api_key_for_token, api_keys_of_commune
from clocher.core.api.services import api_key_create, api_key_revoke
from clocher.core.api.tokens import hash_token
from clocher.core.models import ApiKey, AuditEntry
from clocher.core.models.audit import AuditAction


@pytest.fixture
def sig_scope():
    scopes.register("sig:read", "Lire les données du SIG (test)")
    yield "sig:read"
    scopes.unregister("sig:read")


def _database_dump() -> str:
    """Every value of every table, as text."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from introspection
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_create_returns_a_key_that_resolves(commune_a, sig_scope):
    """A new key has a clk_ prefix, the given name and scopes, and its token resolves to it."""
    api_key, token = api_key_create(commune=commune_a, name=" Logiciel SIG ", scopes=[sig_scope])
    assert token.startswith(api_key.prefix + "_")
    assert api_key.prefix.startswith("clk_") and len(api_key.prefix) == 12
    assert api_key.name == "Logiciel SIG"
    assert api_key.scopes == ["sig:read"]
    assert api_key.commune == commune_a
    assert api_key.revoked_at is None
    assert api_key_for_token(token) == api_key


def test_secret_is_stored_hashed_only(commune_a):
    """The database holds the SHA-256 of the key and never the key or its secret part."""
    api_key, token = api_key_create(commune=commune_a, name="Intégration")
    secret_part = token.removeprefix(api_key.prefix + "_")
    assert ApiKey.objects.get(pk=api_key.pk).secret_hash == hash_token(token)
    dump = _database_dump()
    assert api_key.prefix in dump
    assert token not in dump
    assert secret_part not in dump


def test_create_is_journaled_without_the_secret(commune_a, sig_scope):
    """Creating a key writes an audit entry naming its prefix and scopes, not its secret."""
    api_key, token = api_key_create(commune=commune_a, name="SIG", scopes=[sig_scope])
    entry = AuditEntry.objects.get(action=AuditAction.API_KEY_CREATED)
    assert entry.commune == commune_a
    assert entry.target == f"api_key:{api_key.pk}"
    assert entry.data == {"name": "SIG", "prefix": api_key.prefix, "scopes": ["sig:read"]}
    assert token not in entry.canonical()


def test_create_records_the_creator(commune_a, admin_a):
    """The staff member who creates a key is kept as its creator."""
    api_key, _token = api_key_create(commune=commune_a, name="SIG", actor=admin_a)
    assert api_key.created_by == admin_a
    assert AuditEntry.objects.get(action=AuditAction.API_KEY_CREATED).actor == admin_a


def test_create_refuses_an_unknown_scope(commune_a):
    """An unregistered scope is refused with a message on the scopes field; no key is made."""
    with pytest.raises(ValidationError) as caught:
        api_key_create(commune=commune_a, name="SIG", scopes=["nope:write"])
    assert "nope:write" in caught.value.message_dict["scopes"][0]
    assert ApiKey.objects.count() == 0
    assert not AuditEntry.objects.filter(action=AuditAction.API_KEY_CREATED).exists()


def test_create_refuses_an_empty_name(commune_a):
    """A key needs a name; blank is refused with a message on the name field."""
    with pytest.raises(ValidationError) as caught:
        api_key_create(commune=commune_a, name="   ")
    assert list(caught.value.message_dict) == ["name"]
    assert ApiKey.objects.count() == 0


def test_scopes_are_deduplicated_and_sorted(commune_a, sig_scope):
    """Repeated scopes are kept once."""
    scopes.register("agenda:read", "Lire les agendas (test)")
    try:
        api_key, _token = api_key_create(
            commune=commune_a, name="SIG", scopes=["sig:read", "agenda:read", "sig:read"]
        )
    finally:
        scopes.unregister("agenda:read")
    assert api_key.scopes == ["agenda:read", "sig:read"]


def test_revoke_sets_the_date_and_is_journaled(commune_a):
    """Revoking stamps revoked_at and writes an audit entry once, even if repeated."""
    api_key, _token = api_key_create(commune=commune_a, name="SIG")
    api_key_revoke(api_key=api_key)
    first = ApiKey.objects.get(pk=api_key.pk).revoked_at
    api_key_revoke(api_key=api_key)
    assert first is not None
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at == first
    entries = AuditEntry.objects.filter(action=AuditAction.API_KEY_REVOKED)
    assert [(e.commune_id, e.data["prefix"]) for e in entries] == [(commune_a.pk, api_key.prefix)]


def test_token_lookup_rejects_near_misses(commune_a):
    """A token with one changed character, or malformed, resolves to nothing."""
    api_key, token = api_key_create(commune=commune_a, name="SIG")
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert api_key_for_token(altered) is None
    assert api_key_for_token(api_key.prefix) is None
    assert api_key_for_token("") is None


def test_selector_lists_only_the_communes_keys(commune_a, commune_b):
    """api_keys_of_commune lists the commune's keys, newest first, and no other commune's."""
    first, _ = api_key_create(commune=commune_a, name="Un")
    second, _ = api_key_create(commune=commune_a, name="Deux")
    api_key_create(commune=commune_b, name="Autre")
    assert list(api_keys_of_commune(commune_a)) == [second, first]
