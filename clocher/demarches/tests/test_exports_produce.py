"""Producing an export in the background: right rows, right columns, sealed, streamed back."""

import csv
import datetime
import io
import json
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.utils import timezone

from clocher.core.backup import BackupError
from clocher.demarches.models import Export, ExportFormat, ExportStatus, Family, Request
from clocher.demarches.services import exports, instruction
from clocher.demarches.tests.factories import grant, make_procedure, submit

pytestmark = pytest.mark.django_db

TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


@pytest.fixture
def world(commune_a, commune_b, agent_a):
    """Two road requests and one social request in A, one road request in B."""
    grant(agent_a, commune_a, Family.ROADS)
    roads = make_procedure(commune_a, family=Family.ROADS, slug="voirie", title="Voirie")
    social = make_procedure(commune_a, family=Family.SOCIAL, slug="ccas", title="Aide CCAS")
    first = submit(roads, full_name="Camille Martin", details="=SOMME(A1)", phone="0612345678")
    second = submit(roads, full_name="Jean Dupuis", email="jean@example.test", topic="road")
    submit(social, full_name="Personne Sociale", email="social@example.test")
    submit(make_procedure(commune_b, family=Family.ROADS), full_name="Autre Commune")
    return {"roads": roads, "first": first.request, "second": second.request}


def _produce(commune, agent, **kwargs):
    kwargs.setdefault("family", Family.ROADS)
    kwargs.setdefault("format", ExportFormat.CSV)
    export = exports.export_request(commune=commune, actor=agent, **kwargs)
    exports.export_produce(export.pk)
    export.refresh_from_db()
    return export


def _content(export, agent):
    return b"".join(exports.export_download(export=export, actor=agent))


def _csv_rows(export, agent):
    text = _content(export, agent).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_csv_export_has_the_family_requests_only(commune_a, agent_a, world):
    """Both road requests of A, decrypted; no social request, nothing of commune B."""
    export = _produce(commune_a, agent_a)
    assert (export.status, export.rows_done, export.rows_total) == (ExportStatus.DONE, 2, 2)
    rows = _csv_rows(export, agent_a)
    heading = rows[0]
    assert heading[:5] == ["Numéro", "Démarche", "Famille", "Canal", "Statut"]
    assert heading[12:] == ["Sujet", "Précisions", "Nom", "Téléphone", "Photo"]
    body = {row[0]: dict(zip(heading, row, strict=True)) for row in rows[1:]}
    assert set(body) == {world["first"].number, world["second"].number}
    first = body[world["first"].number]
    assert (first["Démarche"], first["Famille"], first["Statut"]) == (
        "Voirie",
        "Voirie et espace public",
        "Reçue",
    )
    assert (first["Nom"], first["Téléphone"], first["E-mail"]) == (
        "Camille Martin",
        "0612345678",
        "camille@example.test",
    )
    assert first["Sujet"] == "Éclairage"
    assert first["Précisions"] == "'=SOMME(A1)"  # a formula is never run by a spreadsheet
    assert body[world["second"].number]["Sujet"] == "Voirie"
    text = "\n".join(";".join(row) for row in rows)
    assert "Personne Sociale" not in text and "Autre Commune" not in text


def test_json_export_has_answers_with_names_and_labels(commune_a, agent_a, world):
    """JSON: one object per request, answers with name, label, value and text."""
    export = _produce(commune_a, agent_a, format=ExportFormat.JSON)
    data = json.loads(_content(export, agent_a))
    assert data["family"] == "roads"
    assert [field["name"] for field in data["fields"]] == [
        "topic",
        "details",
        "full_name",
        "phone",
        "photo",
    ]
    numbers = [item["number"] for item in data["requests"]]
    assert numbers == [world["first"].number, world["second"].number]
    answers = {answer["name"]: answer for answer in data["requests"][0]["answers"]}
    assert (answers["topic"]["value"], answers["topic"]["text"]) == ("lighting", "Éclairage")
    assert (answers["full_name"]["text"], answers["full_name"]["personal"]) == (
        "Camille Martin",
        True,
    )
    assert data["requests"][0]["email"] == "camille@example.test"


def test_ods_export_is_a_valid_spreadsheet(commune_a, agent_a, world):
    """ODS: mimetype first, stored, no data descriptor; the sheet holds heading + two rows."""
    export = _produce(commune_a, agent_a, format=ExportFormat.ODS)
    archive = zipfile.ZipFile(io.BytesIO(_content(export, agent_a)))
    assert archive.testzip() is None
    first = archive.infolist()[0]
    assert (first.filename, first.compress_type, first.flag_bits & 0x08) == (
        "mimetype",
        zipfile.ZIP_STORED,
        0,
    )
    assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    assert {"META-INF/manifest.xml", "styles.xml", "content.xml"} <= set(archive.namelist())
    root = ElementTree.fromstring(archive.read("content.xml"))  # noqa: S314 - our own file
    rows = [
        [
            "\n".join(p.text or "" for p in cell.iter(f"{TEXT}p"))
            for cell in row.iter(f"{TABLE}table-cell")
        ]
        for row in root.iter(f"{TABLE}table-row")
    ]
    assert rows[0][0] == "Numéro"
    assert [row[0] for row in rows[1:]] == [world["first"].number, world["second"].number]
    assert "Camille Martin" in rows[1]
    assert "Personne Sociale" not in str(rows)


def test_filters_narrow_the_rows(commune_a, agent_a, world):
    """Procedure, date range and status kind each narrow the export."""
    other = make_procedure(commune_a, family=Family.ROADS, slug="eclairage", title="Éclairage")
    submit(other, full_name="Troisième")
    instruction.request_set_status(request=world["second"], actor=agent_a, status_code="closed")
    Request.objects.filter(pk=world["first"].pk).update(
        received_at=timezone.now() - datetime.timedelta(days=40)
    )
    by_procedure = _produce(commune_a, agent_a, procedure=world["roads"])
    assert by_procedure.rows_total == 2
    today = timezone.localdate()
    recent = _produce(
        commune_a, agent_a, date_from=today - datetime.timedelta(days=10), date_to=today
    )
    assert [row[0] for row in _csv_rows(recent, agent_a)[1:]] == [
        world["second"].number,
        Request.objects.get(procedure=other).number,
    ]
    closed = _produce(commune_a, agent_a, status_kind="closed")
    assert [row[0] for row in _csv_rows(closed, agent_a)[1:]] == [world["second"].number]


def test_export_of_a_family_not_granted_is_refused(commune_a, agent_a, world):
    """Asking for the social family without its grant: refused, nothing queued."""
    with pytest.raises(exports.ExportRefused) as refused:
        exports.export_request(commune=commune_a, actor=agent_a, family=Family.SOCIAL, format="csv")
    assert refused.value.field == "family"
    assert not Export.objects.exists()


def test_grant_lost_before_the_worker_runs_fails_the_export(commune_a, agent_a, world):
    """The family is checked again by the worker."""
    from clocher.demarches.models import FamilyGrant
    from clocher.demarches.selectors import forget_granted_families

    export = exports.export_request(
        commune=commune_a, actor=agent_a, family=Family.ROADS, format="csv"
    )
    FamilyGrant.objects.filter(user=agent_a).delete()
    forget_granted_families(agent_a, commune_a)
    exports.export_produce(export.pk)
    export.refresh_from_db()
    assert (export.status, export.storage_path) == (ExportStatus.FAILED, "")
    assert "plus accès" in export.error


def test_file_is_sealed_at_rest_and_tampering_is_detected(commune_a, agent_a, world):
    """The stored file holds no clear value; an altered byte stops the download."""
    export = _produce(commune_a, agent_a)
    path = Path(settings.DATA_DIR) / export.storage_path
    raw = path.read_bytes()
    assert raw.startswith(exports.MAGIC)
    assert b"Camille" not in raw and b"Voirie" not in raw
    damaged = bytearray(raw)
    damaged[-20] ^= 0xFF
    path.write_bytes(bytes(damaged))
    with pytest.raises(BackupError):
        _content(export, agent_a)


def test_progress_is_written_chunk_by_chunk(commune_a, agent_a, world, monkeypatch):
    """rows_done moves while the rows are written (one update per chunk)."""
    monkeypatch.setattr(exports, "ROWS_PER_CHUNK", 1)
    seen = []
    original = exports._RowMaker.fixed

    def spy(self, row):
        seen.append(Export.objects.values_list("rows_done", "rows_total").get())
        return original(self, row)

    monkeypatch.setattr(exports._RowMaker, "fixed", spy)
    _produce(commune_a, agent_a)
    assert seen == [(0, 2), (1, 2)]


def test_producing_twice_does_nothing_more(commune_a, agent_a, world):
    """The task body only takes a queued export (a retried task is harmless)."""
    export = _produce(commune_a, agent_a)
    path = export.storage_path
    exports.export_produce(export.pk)
    export.refresh_from_db()
    assert (export.status, export.storage_path) == (ExportStatus.DONE, path)


def test_exports_expire_after_seven_days(commune_a, agent_a, world):
    """The daily purge deletes the file and the row of exports older than seven days."""
    old = _produce(commune_a, agent_a)
    fresh = _produce(commune_a, agent_a)
    Export.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    path = Path(settings.DATA_DIR) / old.storage_path
    assert path.exists()
    assert exports.exports_purge() == 1
    assert not path.exists()
    assert list(Export.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_export_request_and_download_are_audited(commune_a, agent_a, world):
    """Asking and downloading both leave an audit entry."""
    from clocher.core.models import AuditEntry

    export = _produce(commune_a, agent_a)
    _content(export, agent_a)
    entries = AuditEntry.objects.filter(action="export", target=f"demarches.Export:{export.pk}")
    assert [entry.data.get("downloaded", False) for entry in entries.order_by("id")] == [
        False,
        True,
    ]
