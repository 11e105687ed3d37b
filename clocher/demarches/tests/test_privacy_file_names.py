"""A file's original name is never kept in clear in a request's values: only the vault reference
is, and every page and export that shows the name reads it from the vault."""

from __future__ import annotations

import csv
import io
import json
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from clocher.core.api.services import api_key_create
from clocher.core.testing.clients import signed_in_client
from clocher.core.vault import store_file
from clocher.demarches.models import ExportFormat, Family, Request
from clocher.demarches.services import exports
from clocher.demarches.services.submission import request_submit
from clocher.demarches.tests.factories import grant, make_procedure

pytestmark = pytest.mark.django_db

NAME = "arrete-dupont-jeanne.png"
SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "type": "choice",
            "name": "topic",
            "label": "Sujet",
            "required": True,
            "choices": [{"value": "road", "label": "Voirie"}],
        },
        {"type": "text", "name": "full_name", "label": "Nom", "required": True, "personal": True},
        {"type": "file", "name": "photo", "label": "Photo"},
        {"type": "file", "name": "identity", "label": "Pièce d'identité", "personal": True},
        {
            "type": "repeat",
            "name": "places",
            "label": "Lieux",
            "fields": [
                {"type": "text", "name": "street", "label": "Rue"},
                {"type": "file", "name": "plan", "label": "Plan"},
            ],
        },
    ]
}


def _sealed(commune, name: str, data: bytes = b"\x89PNG fake") -> dict[str, Any]:
    vault_file = store_file(
        commune=commune, data=data, name=name, content_type="image/png", compartment=Family.ROADS
    )
    return {"file": str(vault_file.pk), "name": name, "size": len(data)}


@pytest.fixture
def submitted(commune_a, agent_a):
    grant(agent_a, commune_a, Family.ROADS)
    procedure = make_procedure(commune_a, family=Family.ROADS, slug="voirie", schema=SCHEMA)
    photo = _sealed(commune_a, NAME)
    plan = _sealed(commune_a, "plan-chez-jeanne-dupont.png")
    identity = _sealed(commune_a, "cni-jeanne-dupont.png")
    return _submit(
        procedure,
        full_name="Jeanne Dupont",
        photo=[photo],
        identity=[identity],
        places=[{"street": "rue Haute", "plan": [plan]}],
    )


def _submit(procedure, **data: Any):
    return request_submit(
        procedure=procedure, data={"topic": "road", **data}, email="jeanne@example.test"
    )


def _raw_values(request: Request) -> str:
    """The ``values`` column as the database holds it (text, whatever the backend)."""
    table = connection.ops.quote_name(Request._meta.db_table)
    column = connection.ops.quote_name("values")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CAST({column} AS TEXT) FROM {table} WHERE id = %s",  # noqa: S608
            [request.pk],
        )
        (raw,) = cursor.fetchone()
    return raw


def test_values_hold_file_references_without_names(submitted):
    """The clear values keep each non-personal file's vault id and size, no name — in a
    repeatable block too; the stored text holds no file name at all."""
    request = submitted.request
    raw = _raw_values(request)
    for name in (NAME, "plan-chez-jeanne-dupont", "cni-jeanne-dupont", "Jeanne", "Dupont"):
        assert name not in raw
    stored = json.loads(raw)
    [photo] = stored["photo"]
    [place] = stored["places"]
    [plan] = place["plan"]
    assert set(photo) == {"file", "size"} and set(plan) == {"file", "size"}
    assert place["street"] == "rue Haute"
    assert "identity" not in stored  # a personal field: sealed with the other personal values
    [identity] = request.personal()["identity"]
    assert identity["name"] == "cni-jeanne-dupont.png"


def test_agent_page_shows_the_names_from_the_vault(commune_a, agent_a, submitted):
    """The request page names each file, in the answers and in the repeatable block."""
    url = f"/mairie/{commune_a.slug}/demarches/demandes/{submitted.request.pk}/"
    page = signed_in_client(agent_a).get(url).content.decode()
    assert f">{NAME}</a>" in page
    assert ">plan-chez-jeanne-dupont.png</a>" in page
    assert ">cni-jeanne-dupont.png</a>" in page


def test_citizen_tracking_page_shows_the_names(client, commune_a, submitted):
    """The citizen's own page names the files in their answers, in the block too."""
    url = reverse(
        "public:demarches:track",
        kwargs={"commune_slug": commune_a.slug, "token": submitted.token},
    )
    response = client.get(url)
    rows = [row for group in response.context["groups"] for row in group.rows]
    assert [file.name for row in rows for file in row.files] == [NAME, "cni-jeanne-dupont.png"]
    subs = [sub for row in rows for item in row.items for sub in item]
    assert [file.name for sub in subs for file in sub.files] == ["plan-chez-jeanne-dupont.png"]
    assert f"<li>{NAME} (" in response.content.decode()


def test_exports_name_the_files(commune_a, agent_a, submitted):
    """The CSV names the file in its column; the JSON gives the reference with its name."""
    export = exports.export_request(
        commune=commune_a, actor=agent_a, family=Family.ROADS, format=ExportFormat.CSV
    )
    exports.export_produce(export.pk)
    export.refresh_from_db()
    text = b"".join(exports.export_download(export=export, actor=agent_a)).decode("utf-8-sig")
    heading, row = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert row[heading.index("Photo")] == NAME
    assert row[heading.index("Pièce d'identité")] == "cni-jeanne-dupont.png"
    export = exports.export_request(
        commune=commune_a, actor=agent_a, family=Family.ROADS, format=ExportFormat.JSON
    )
    exports.export_produce(export.pk)
    export.refresh_from_db()
    data = json.loads(b"".join(exports.export_download(export=export, actor=agent_a)))
    answers = {answer["name"]: answer for answer in data["requests"][0]["answers"]}
    assert answers["photo"]["text"] == NAME
    assert [ref["name"] for ref in answers["photo"]["value"]] == [NAME]
    assert answers["places"]["items"][0][1]["text"] == "plan-chez-jeanne-dupont.png"


def test_export_reads_the_names_once_per_chunk(commune_a, agent_a, submitted, monkeypatch):
    """Many requests with files: one vault lookup per chunk of rows, not one per row."""
    procedure = submitted.request.procedure
    for _ in range(4):
        _submit(procedure, full_name="X", photo=[_sealed(commune_a, "x.png")])
    calls = []
    lookup = exports.selectors.vault_file_names

    def counting(commune, ids):
        calls.append(len(ids))
        return lookup(commune, ids)

    monkeypatch.setattr(exports.selectors, "vault_file_names", counting)
    monkeypatch.setattr(exports, "ROWS_PER_CHUNK", 2)
    export = exports.export_request(
        commune=commune_a, actor=agent_a, family=Family.ROADS, format=ExportFormat.CSV
    )
    exports.export_produce(export.pk)
    export.refresh_from_db()
    assert export.rows_done == 5
    assert calls == [3, 2, 1]  # the first request has a photo and a plan


def test_api_detail_names_the_files(client, commune_a, submitted):
    """The API still gives the file references with their names, as before."""
    _api_key, token = api_key_create(
        commune=commune_a, name="Logiciel", scopes=["requests_roads:read"]
    )
    response = client.get(
        f"/api/v1/communes/{commune_a.slug}/requests/{submitted.request.number}",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    values = response.json()["values"]
    assert [ref["name"] for ref in values["photo"]] == [NAME]
    assert [ref["name"] for ref in values["places"][0]["plan"]] == ["plan-chez-jeanne-dupont.png"]


def test_migration_drops_names_sealed_in_the_vault_and_keeps_the_others(commune_a, submitted):
    """An old-style request: names whose vault file exists are dropped, in a block too; a
    reference to a missing file keeps its name; the personal values are not touched."""
    migration = import_module("clocher.demarches.migrations.0003_file_names_out_of_values")
    request = submitted.request
    photo_id = request.values["photo"][0]["file"]
    plan_id = request.values["places"][0]["plan"][0]["file"]
    gone = "00000000-0000-4000-8000-000000000000"
    old_style = {
        "topic": "road",
        "photo": [
            {"file": photo_id, "name": NAME, "size": 9},
            {"file": gone, "name": "lost-dupont.png", "size": 3},
            {"file": "not-a-vault-id", "name": "odd.png", "size": 1},
        ],
        "places": [
            {"street": "rue Haute", "plan": [{"file": plan_id, "name": "plan.png", "size": 9}]}
        ],
    }
    Request.objects.filter(pk=request.pk).update(values=old_style)
    personal_before = Request.objects.get(pk=request.pk).personal_values

    migration.drop_clear_file_names(apps, None)

    rewritten = Request.objects.get(pk=request.pk)
    assert rewritten.values == {
        "topic": "road",
        "photo": [
            {"file": photo_id, "size": 9},
            {"file": gone, "name": "lost-dupont.png", "size": 3},
            {"file": "not-a-vault-id", "name": "odd.png", "size": 1},
        ],
        "places": [{"street": "rue Haute", "plan": [{"file": plan_id, "size": 9}]}],
    }
    assert rewritten.personal_values == personal_before


def test_migration_leaves_the_files_of_another_commune_named(commune_a, commune_b, submitted):
    """A reference to a vault file of another commune is not this request's file: kept."""
    migration = import_module("clocher.demarches.migrations.0003_file_names_out_of_values")
    foreign = _sealed(commune_b, "ailleurs.png")
    old_style = {"topic": "road", "photo": [foreign]}
    Request.objects.filter(pk=submitted.request.pk).update(values=old_style)
    migration.drop_clear_file_names(apps, None)
    assert Request.objects.get(pk=submitted.request.pk).values == old_style
