"""GET /api/v1/communes/{commune}/procedures: the published procedures and their fields."""

from __future__ import annotations

import pytest

from clocher.demarches.models import Family
from clocher.demarches.tests.factories import make_procedure

pytestmark = pytest.mark.django_db

REPEAT_SCHEMA = {
    "fields": [
        {"type": "page", "name": "intro", "label": "Votre famille"},
        {"type": "help", "name": "note", "label": "", "help": "Indiquez chaque enfant."},
        {
            "type": "repeat",
            "name": "children",
            "label": "Enfants",
            "fields": [
                {"type": "text", "name": "first_name", "label": "Prénom", "personal": True},
                {"type": "date", "name": "birth_date", "label": "Date de naissance"},
            ],
        },
        {
            "type": "multichoice",
            "name": "days",
            "label": "Jours",
            "required": True,
            "choices": ["lundi", "mardi"],
        },
    ]
}


def _url(slug: str = "agey") -> str:
    return f"/api/v1/communes/{slug}/procedures"


def test_lists_published_procedures_with_their_fields(client, commune_a):
    """Each published procedure comes with slug, title, family and its input fields."""
    make_procedure(commune_a)
    response = client.get(_url())
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    procedure = body["items"][0]
    assert procedure["slug"] == "contact"
    assert procedure["title"] == "Nous écrire"
    assert procedure["family"] == "general"
    assert procedure["family_label"] == "Général"
    assert procedure["form_version"] == 1
    assert procedure["web_url"] == "http://127.0.0.1:8000/communes/agey/demarches/contact/"
    assert procedure["fields"] == [
        {
            "name": "topic",
            "label": "Sujet",
            "type": "choice",
            "required": True,
            "personal": False,
            "choices": [
                {"value": "road", "label": "Voirie"},
                {"value": "lighting", "label": "Éclairage"},
            ],
        },
        {
            "name": "details",
            "label": "Précisions",
            "type": "textarea",
            "required": True,
            "personal": False,
        },
        {"name": "full_name", "label": "Nom", "type": "text", "required": True, "personal": True},
        {
            "name": "phone",
            "label": "Téléphone",
            "type": "phone",
            "required": False,
            "personal": True,
        },
        {
            "name": "photo",
            "label": "Photo",
            "type": "file",
            "required": False,
            "personal": False,
            "condition": {"field": "topic", "op": "equals", "value": "road"},
        },
    ]


def test_layout_items_are_left_out_and_repeat_blocks_list_their_fields(client, commune_a):
    """Pages and help texts are not fields; a repeatable block carries its own fields."""
    make_procedure(commune_a, slug="cantine", family=Family.SCHOOL, schema=REPEAT_SCHEMA)
    fields = client.get(_url()).json()["items"][0]["fields"]
    assert [field["name"] for field in fields] == ["children", "days"]
    assert fields[0]["fields"] == [
        {
            "name": "first_name",
            "label": "Prénom",
            "type": "text",
            "required": False,
            "personal": True,
        },
        {
            "name": "birth_date",
            "label": "Date de naissance",
            "type": "date",
            "required": False,
            "personal": False,
        },
    ]
    assert fields[1]["choices"] == [
        {"value": "lundi", "label": "lundi"},
        {"value": "mardi", "label": "mardi"},
    ]


def test_unpublished_procedures_and_other_communes_are_not_listed(client, commune_a, commune_b):
    """Only the path commune's published procedures appear."""
    make_procedure(commune_a, slug="ouverte", title="B ouverte")
    make_procedure(commune_a, slug="brouillon", title="A brouillon", is_published=False)
    make_procedure(commune_b, slug="ailleurs", title="Ailleurs")
    body = client.get(_url()).json()
    assert [item["slug"] for item in body["items"]] == ["ouverte"]


def test_unknown_or_inactive_commune_answers_404(client, commune_a):
    """A commune that does not exist, or has left, is a 404 in the error format."""
    response = client.get(_url("nulle-part"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    commune_a.is_active = False
    commune_a.save(update_fields=["is_active"])
    make_procedure(commune_a)
    assert client.get(_url()).status_code == 404


def test_list_needs_no_key_and_is_paginated(client, commune_a):
    """Public, paginated with limit/offset like every list of the API."""
    for index in range(3):
        make_procedure(commune_a, slug=f"d{index}", title=f"Démarche {index}")
    body = client.get(_url(), {"limit": 2, "offset": 1}).json()
    assert body["count"] == 3
    assert body["limit"] == 2
    assert body["offset"] == 1
    assert [item["slug"] for item in body["items"]] == ["d1", "d2"]
