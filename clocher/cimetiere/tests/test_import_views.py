"""The import in the back office: upload → preview (nothing written) → confirm → summary."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from clocher.cimetiere.models import Burial, Holder, Plot
from clocher.core import vault
from clocher.core.models import VaultFile
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
OK, LOGIN, FORBIDDEN, NOT_FOUND = 200, "login", 403, 404
PEOPLE = {
    "anonymous": LOGIN,
    "outsider": NOT_FOUND,
    "admin_b": NOT_FOUND,
    "technician_a": FORBIDDEN,
    "elected_a": FORBIDDEN,
    "operator_support": FORBIDDEN,
    "operator_admin": FORBIDDEN,
    "agent_a": OK,
    "admin_a": OK,
}


def _url(commune, name="import"):
    return reverse(f"staff:cimetiere:{name}", kwargs={"commune_slug": commune.slug})


def _upload(client, commune, name="cimetiere_tableur.csv", data=None, **fields):
    data = data if data is not None else (FIXTURES / name).read_bytes()
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(_url(commune), {"file": upload, **fields})


def _token(response, name="jeton"):
    return parse_qs(urlsplit(response["Location"]).query)[name][0]


def _client(request, person):
    if person == "anonymous":
        return Client()
    return signed_in_client(request.getfixturevalue(person))


@pytest.mark.parametrize(("person", "expected"), PEOPLE.items())
def test_upload_page_access(request, commune_a, person, expected):
    """Only the roles that manage the cemetery (admin, agent) open the import page."""
    response = _client(request, person).get(_url(commune_a))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("person", "expected"), PEOPLE.items())
def test_confirm_access_and_nothing_written_when_denied(
    request, commune_a, agent_a, person, expected
):
    """A confirmation posted by someone without the capability is refused and writes nothing."""
    token = _token(_upload(signed_in_client(agent_a), commune_a))
    response = _client(request, person).post(_url(commune_a, "import-preview"), {"jeton": token})
    if expected == OK:
        # Allowed roles, but the token belongs to the agent who sent the file.
        if person == "agent_a":
            assert response.status_code == 200
            assert Plot.objects.for_commune(commune_a).count() == 6
        else:
            assert response.status_code == 302
            assert not Plot.objects.for_commune(commune_a).exists()
        return
    if expected == LOGIN:
        assert response.status_code == 302
    else:
        assert response.status_code == expected
    assert not Plot.objects.for_commune(commune_a).exists()


def test_upload_page_states_the_limit(commune_a, agent_a):
    """The accepted format and the size limit are written before the file field."""
    content = signed_in_client(agent_a).get(_url(commune_a)).content.decode()
    assert "Taille maximale : 10,0\xa0Mio" in content
    assert 'accept=".csv,.txt,text/csv,text/plain"' in content


def test_upload_seals_the_file_and_redirects_to_the_preview(commune_a, agent_a):
    """The file is kept sealed in the vault; the preview link carries only a signed token."""
    response = _upload(signed_in_client(agent_a), commune_a)
    assert response.status_code == 302
    assert response["Location"].startswith(_url(commune_a, "import-preview") + "?jeton=")
    stored = VaultFile.objects.for_commune(commune_a).get()
    assert vault.read_file(stored) == (FIXTURES / "cimetiere_tableur.csv").read_bytes()
    assert not Plot.objects.for_commune(commune_a).exists()


def test_preview_lists_what_will_be_created_and_writes_nothing(commune_a, agent_a):
    """The preview shows the counts and the warnings, with a confirm button; nothing written."""
    client = signed_in_client(agent_a)
    token = _token(_upload(client, commune_a))
    response = client.get(_url(commune_a, "import-preview"), {"jeton": token})
    content = response.content.decode()
    assert response.status_code == 200
    assert "8 lignes lues." in content
    assert '<tr><th scope="row">Inhumations</th><td>6</td><td>0</td><td>0</td></tr>' in content
    assert "Ligne 1, colonne Remarque : colonne inconnue, elle est ignorée." in content
    assert "Confirmer l&#x27;import" in content or "Confirmer l'import" in content
    assert not Plot.objects.for_commune(commune_a).exists()
    assert not Holder.objects.for_commune(commune_a).exists()


def test_confirm_writes_and_shows_the_summary(commune_a, agent_a):
    """Confirming imports the file and shows what was created and the quality score."""
    client = signed_in_client(agent_a)
    token = _token(_upload(client, commune_a))
    response = client.post(_url(commune_a, "import-preview"), {"jeton": token})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Import terminé" in content
    assert '<tr><th scope="row">Emplacements</th><td>6</td><td>0</td><td>0</td></tr>' in content
    assert "Qualité des données" in content
    assert Burial.objects.for_commune(commune_a).count() == 6


def test_confirming_twice_does_not_duplicate(commune_a, agent_a):
    """A double click on « Confirmer » imports once; the second finds everything unchanged."""
    client = signed_in_client(agent_a)
    token = _token(_upload(client, commune_a))
    client.post(_url(commune_a, "import-preview"), {"jeton": token})
    response = client.post(_url(commune_a, "import-preview"), {"jeton": token})
    assert '<tr><th scope="row">Emplacements</th><td>0</td><td>0</td><td>6</td></tr>' in (
        response.content.decode()
    )
    assert Plot.objects.for_commune(commune_a).count() == 6


def test_preview_with_errors_has_no_confirm_button(commune_a, agent_a):
    """Errors are listed with their line; there is nothing to confirm."""
    client = signed_in_client(agent_a)
    token = _token(_upload(client, commune_a, "cimetiere_erreurs.csv"))
    content = client.get(_url(commune_a, "import-preview"), {"jeton": token}).content.decode()
    assert "10 erreurs à corriger" in content
    assert "Ligne 2, colonne act_date : « 31/02/1987 » n&#x27;est pas une date." in content
    assert "Confirmer l" not in content


def test_confirm_with_errors_writes_nothing(commune_a, agent_a):
    """Posting the confirmation of a file with errors shows them again; nothing is written."""
    client = signed_in_client(agent_a)
    token = _token(_upload(client, commune_a, "cimetiere_erreurs.csv"))
    response = client.post(_url(commune_a, "import-preview"), {"jeton": token})
    assert response.status_code == 200
    assert "10 erreurs à corriger" in response.content.decode()
    assert not Plot.objects.for_commune(commune_a).exists()


def test_forged_token_is_refused(commune_a, agent_a):
    """A token not signed by the server sends back to the upload page, nothing written."""
    client = signed_in_client(agent_a)
    _upload(client, commune_a)
    file = VaultFile.objects.for_commune(commune_a).get()
    forged = signing.dumps({"file": str(file.pk), "user": agent_a.pk}, salt="autre")
    response = client.post(_url(commune_a, "import-preview"), {"jeton": forged}, follow=True)
    assert response.redirect_chain[-1][0] == _url(commune_a)
    assert "Ce fichier n&#x27;est plus disponible" in response.content.decode()
    assert not Plot.objects.for_commune(commune_a).exists()


def test_token_of_another_commune_is_refused(commune_a, commune_b, agent_a, admin_b):
    """A token made in one commune does not open a file in another."""
    token_b = _token(_upload(signed_in_client(admin_b), commune_b))
    response = signed_in_client(agent_a).post(_url(commune_a, "import-preview"), {"jeton": token_b})
    assert response.status_code == 302
    assert not Plot.objects.for_commune(commune_a).exists()
    assert not Plot.objects.for_commune(commune_b).exists()


def test_spreadsheet_is_refused_on_upload(commune_a, agent_a):
    """An .xlsx is refused on the field, with what to do, and nothing is stored."""
    response = _upload(
        signed_in_client(agent_a), commune_a, "registre.xlsx", b"PK\x03\x04" + bytes(99)
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Enregistrer sous" in content
    assert not VaultFile.objects.for_commune(commune_a).exists()


def test_file_over_the_limit_is_refused(commune_a, agent_a, monkeypatch):
    """A file over the limit is refused with the limit stated."""
    monkeypatch.setattr("clocher.cimetiere.forms_import.MAX_IMPORT_BYTES", 100)
    response = _upload(signed_in_client(agent_a), commune_a)
    assert "Ce fichier fait 1015\xa0octets ; la taille maximale est 100\xa0octets." in (
        response.content.decode()
    )
    assert not VaultFile.objects.for_commune(commune_a).exists()


def test_default_cemetery_name_is_used_for_files_without_the_column(commune_a, agent_a):
    """The cemetery name typed on the form is used when the file has no cemetery column."""
    client = signed_in_client(agent_a)
    data = "carré;emplacement;défunt\nA;1;DUPONT Léa\n".encode()
    token = _token(_upload(client, commune_a, "registre.csv", data, cemetery="Cimetière du haut"))
    client.post(_url(commune_a, "import-preview"), {"jeton": token})
    assert Plot.objects.for_commune(commune_a).get().cemetery.name == "Cimetière du haut"


def _confirm_in_background(client, commune, settings, monkeypatch, name="cimetiere_tableur.csv"):
    monkeypatch.setattr("clocher.cimetiere.views.imports.BACKGROUND_FROM_LINES", 3)
    token = _token(_upload(client, commune, name))
    response = client.post(_url(commune, "import-preview"), {"jeton": token})
    assert response.status_code == 302
    assert response["Location"].startswith(_url(commune, "import-status") + "?tache=")
    return response


def _run_worker():
    """Run the waiting tasks as the worker does (its command would close the test database)."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    for task_result in DBTaskResult.objects.ready():
        task_result.claim("test")
        worker.run_task(task_result)


def test_big_file_is_imported_by_the_worker(commune_a, agent_a, settings, monkeypatch):
    """A big file goes to the worker; the status page reloads itself until the summary."""
    client = signed_in_client(agent_a)
    response = _confirm_in_background(client, commune_a, settings, monkeypatch)
    status_url = response["Location"]
    waiting = client.get(status_url)
    assert waiting.status_code == 200
    assert waiting["Refresh"] == "3"
    assert "Import en cours" in waiting.content.decode()
    assert not Plot.objects.for_commune(commune_a).exists()
    _run_worker()
    done = client.get(status_url)
    content = done.content.decode()
    assert "Refresh" not in done
    assert "Import terminé" in content
    assert '<tr><th scope="row">Inhumations</th><td>6</td><td>0</td><td>0</td></tr>' in content
    assert Burial.objects.for_commune(commune_a).count() == 6


def test_background_import_with_errors_writes_nothing(commune_a, agent_a, settings, monkeypatch):
    """Errors found by the worker are shown on the status page; nothing is written."""
    client = signed_in_client(agent_a)
    response = _confirm_in_background(
        client, commune_a, settings, monkeypatch, "cimetiere_erreurs.csv"
    )
    _run_worker()
    content = client.get(response["Location"]).content.decode()
    assert "Import refusé" in content
    assert "10 erreurs à corriger" in content
    assert not Plot.objects.for_commune(commune_a).exists()


def test_status_of_another_person_is_refused(commune_a, agent_a, admin_a, settings, monkeypatch):
    """The status link is bound to the person who confirmed the import."""
    response = _confirm_in_background(signed_in_client(agent_a), commune_a, settings, monkeypatch)
    other = signed_in_client(admin_a).get(response["Location"])
    assert other.status_code == 302
    assert other["Location"] == _url(commune_a)


@pytest.mark.parametrize(("person", "expected"), PEOPLE.items())
def test_status_page_access(request, commune_a, person, expected):
    """Only the roles that manage the cemetery open the status page."""
    response = _client(request, person).get(_url(commune_a, "import-status"))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    elif expected == OK:
        # No valid task named: back to the upload page.
        assert response.status_code == 302
        assert response["Location"] == _url(commune_a)
    else:
        assert response.status_code == expected


def test_failed_background_import_says_nothing_was_written(
    commune_a, agent_a, settings, monkeypatch
):
    """A crash in the worker is shown plainly; the status page stops reloading."""
    client = signed_in_client(agent_a)
    response = _confirm_in_background(client, commune_a, settings, monkeypatch)

    def crash(**kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr("clocher.cimetiere.services.imports.import_cemetery_file", crash)
    _run_worker()
    page = client.get(response["Location"])
    assert "Refresh" not in page
    assert "Import interrompu" in page.content.decode()
    assert not Plot.objects.for_commune(commune_a).exists()
