"""`clocher api-key`: create, list and revoke keys from the command line."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clocher.config.cli import main as clocher_main
from clocher.core.api import scopes
from clocher.core.api.selectors import api_key_for_token
from clocher.core.models import ApiKey, AuditEntry
from clocher.core.models.audit import AuditAction

TOKEN = re.compile(r"^clk_[0-9a-f]{8}_\S{43}$", re.MULTILINE)


@pytest.fixture
def sig_scope():
    scopes.register("sig:read", "Lire les données du SIG (test)")
    yield "sig:read"
    scopes.unregister("sig:read")


def _run(*args: str) -> str:
    out = StringIO()
    call_command("api_key", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_key_once_with_a_warning(commune_a, sig_scope):
    """create prints a working key, its scopes, and warns it will not be shown again."""
    output = _run("create", "--commune", "agey", "--name", "Logiciel SIG", "--scope", sig_scope)
    tokens = TOKEN.findall(output)
    assert len(tokens) == 1
    api_key = api_key_for_token(tokens[0])
    assert api_key is not None
    assert (api_key.commune, api_key.name, api_key.scopes) == (
        commune_a,
        "Logiciel SIG",
        ["sig:read"],
    )
    assert "ne sera plus jamais affichée" in output
    assert AuditEntry.objects.filter(action=AuditAction.API_KEY_CREATED).count() == 1


def test_create_refuses_an_unknown_commune(commune_a):
    """An unknown commune slug is a CommandError (exit code 1); nothing is created."""
    with pytest.raises(CommandError, match="Commune inconnue") as caught:
        _run("create", "--commune", "nulle-part", "--name", "SIG")
    assert caught.value.returncode == 1
    assert ApiKey.objects.count() == 0


def test_create_refuses_an_unknown_scope(commune_a):
    """An unknown scope is a CommandError naming it; nothing is created."""
    with pytest.raises(CommandError, match="nope:write"):
        _run("create", "--commune", "agey", "--name", "SIG", "--scope", "nope:write")
    assert ApiKey.objects.count() == 0


def test_list_shows_keys_without_secrets(commune_a, commune_b):
    """list shows each key of the commune by prefix and name, never a secret."""
    created = _run("create", "--commune", "agey", "--name", "Logiciel SIG")
    token = TOKEN.findall(created)[0]
    _run("create", "--commune", "beire", "--name", "Clé de Beire")
    output = _run("list", "--commune", "agey")
    prefix = token[:12]
    assert prefix in output
    assert "Logiciel SIG" in output
    assert "en service" in output
    assert "Clé de Beire" not in output
    assert token not in output
    assert token[13:] not in output


def test_revoke_by_prefix(commune_a):
    """revoke marks the key revoked; the key no longer authenticates and list says so."""
    token = TOKEN.findall(_run("create", "--commune", "agey", "--name", "SIG"))[0]
    output = _run("revoke", "--commune", "agey", token[:12])
    assert "révoquée" in output
    assert ApiKey.objects.get(prefix=token[:12]).revoked_at is not None
    assert "révoquée le" in _run("list", "--commune", "agey")
    assert AuditEntry.objects.filter(action=AuditAction.API_KEY_REVOKED).count() == 1


def test_revoke_refuses_a_key_of_another_commune(commune_a, commune_b):
    """A prefix of another commune's key is unknown in this commune; that key stays active."""
    token = TOKEN.findall(_run("create", "--commune", "beire", "--name", "SIG"))[0]
    with pytest.raises(CommandError, match="Aucune clé"):
        _run("revoke", "--commune", "agey", token[:12])
    assert ApiKey.objects.get(prefix=token[:12]).revoked_at is None


def test_scopes_lists_registered_scopes(db, sig_scope):
    """scopes lists each registered scope with its description."""
    assert "sig:read\tLire les données du SIG (test)" in _run("scopes")


def test_console_script_accepts_the_hyphenated_name(commune_a, capsys):
    """`clocher api-key …` runs the command and exits with 1 on an unknown commune."""
    with pytest.raises(SystemExit) as caught:
        clocher_main(["api-key", "list", "--commune", "nulle-part"])
    assert caught.value.code == 1
    assert "Commune inconnue" in capsys.readouterr().err
