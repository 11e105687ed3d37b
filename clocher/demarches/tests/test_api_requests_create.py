"""POST /api/v1/communes/{commune}/procedures/{procedure}/requests: submit through the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from clocher.demarches import selectors
from clocher.demarches.models import Channel, Request
from clocher.demarches.tasks import issue_acknowledgment
from clocher.demarches.tests.factories import make_procedure

pytestmark = pytest.mark.django_db

URL = "/api/v1/communes/agey/procedures/contact/requests"
VALID: dict[str, Any] = {
    "data": {"topic": "lighting", "details": "Lampadaire éteint.", "full_name": "Camille Martin"},
    "email": "camille@example.test",
}
PHOTO_REQUIRED_SCHEMA = {
    "fields": [
        {"type": "text", "name": "place", "label": "Lieu", "required": True},
        {"type": "file", "name": "photo", "label": "Photo", "required": True},
    ]
}
DEEP: object = "x"
for _level in range(30):
    DEEP = [DEEP]
REPEAT_FILE_SCHEMA = {
    "fields": [
        {
            "type": "repeat",
            "name": "children",
            "label": "Enfants",
            "fields": [
                {"type": "text", "name": "first_name", "label": "Prénom"},
                {"type": "file", "name": "certificate", "label": "Certificat"},
            ],
        }
    ]
}


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def procedure(commune_a):
    return make_procedure(commune_a)


def _post(client, body, url=URL, **extra):
    if not isinstance(body, bytes | str):
        body = json.dumps(body)
    return client.post(url, data=body, content_type="application/json", **extra)


def _details(response):
    return [(detail["field"], detail["message"]) for detail in response.json()["error"]["details"]]


def test_valid_submission_answers_201_with_number_and_tracking_url(
    client, procedure, django_capture_on_commit_callbacks
):
    """The request is stored as received through the API; the tracking link opens it."""
    with django_capture_on_commit_callbacks() as callbacks:
        response = _post(client, VALID)
    assert response.status_code == 201
    body = response.json()
    stored = Request.objects.get()
    assert body["number"] == stored.number
    assert body["status"] == "received"
    assert stored.channel == Channel.API
    assert stored.email == "camille@example.test"
    assert stored.values == {"topic": "lighting", "details": "Lampadaire éteint."}
    assert stored.personal() == {"full_name": "Camille Martin"}
    prefix = "http://127.0.0.1:8000/communes/agey/demarches/suivi/"
    assert body["tracking_url"].startswith(prefix)
    token = body["tracking_url"].removeprefix(prefix).rstrip("/")
    assert selectors.request_by_tracking_token(procedure.commune, token) == stored
    # The acknowledgment is queued in the same transaction as the request.
    queued = DBTaskResult.objects.filter(task_path=issue_acknowledgment.module_path)
    assert [row.args_kwargs["args"] for row in queued] == [[stored.pk]]
    assert callbacks == []


def test_each_bad_field_gets_its_own_error_and_nothing_is_stored(client, procedure):
    """Missing, forged and unknown answers are listed per field, in French, with a 422."""
    response = _post(
        client,
        {
            "data": {"topic": "volcan", "full_name": "", "colour": "bleu"},
            "email": "pas-une-adresse",
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert sorted(_details(response)) == [
        ("data.colour", "Ce champ n'existe pas dans ce formulaire."),
        ("data.details", "Ce champ est obligatoire."),
        ("data.full_name", "Ce champ est obligatoire."),
        ("data.topic", "Choisissez une des réponses proposées."),
        ("email", "Cette adresse e-mail n'est pas valide (exemple : nom@exemple.fr)."),
    ]
    assert Request.objects.count() == 0


def test_missing_email_and_wrong_types_are_field_errors(client, procedure):
    """data must be an object, email a string; a missing email is named."""
    response = _post(client, {"data": ["lighting"]})
    assert response.status_code == 422
    assert _details(response) == [
        ("data", "Un objet JSON est attendu (nom du champ : valeur)."),
        ("email", "Indiquez l'adresse e-mail de l'usager : l'accusé de réception y sera envoyé."),
    ]
    response = _post(client, {"data": {**VALID["data"], "details": 12.5}, "email": 42})
    assert response.status_code == 422
    assert _details(response) == [("email", "Entrez un texte.")]
    response = _post(client, {"data": {**VALID["data"], "details": ["a"]}, "email": "a@b.fr"})
    assert _details(response) == [("data.details", "Un texte est attendu.")]


def test_unknown_top_level_keys_are_refused(client, procedure):
    """Only data and email are accepted at the top level."""
    response = _post(client, {**VALID, "status": "accepted"})
    assert response.status_code == 422
    assert _details(response) == [("status", "Ce champ n'est pas attendu.")]
    assert Request.objects.count() == 0


def test_huge_strings_are_refused_with_the_limit(client, procedure):
    """A text longer than its field allows is refused, saying the limit."""
    response = _post(client, {**VALID, "data": {**VALID["data"], "details": "x" * 6000}})
    assert response.status_code == 422
    assert _details(response) == [
        ("data.details", "5000 caractères au plus (vous en avez saisi 6000).")
    ]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"\xff\xfe{\x00}", 400),
        (b'{"data": {"details": "\xe9t\xe9"}, "email": "a@b.fr"}', 400),  # Latin-1, not UTF-8
        (b"{pas du json", 400),
        (b"[" * 5000 + b"]" * 5000, 400),
        (b"", 422),
        (b"[]", 422),
        (b'"texte"', 422),
        (b"12", 422),
        (b"null", 422),
        (b'{"data": {"details": "' + b"9" * 5000 + b'"}, "email": 1}', 422),
    ],
)
def test_malformed_bodies_answer_400_or_422_never_5xx(client, procedure, body, status):
    """Not UTF-8, not JSON, not an object: a client error in the error format."""
    response = _post(client, body)
    assert response.status_code == status
    assert set(response.json()["error"]) == {"code", "message", "details"}
    assert Request.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"details": "\ud800"}, "data.details", "Ce texte contient des caractères invalides."),
        ({"\udfff": "x"}, "data.?", "Ce nom de champ contient des caractères invalides."),
        ({"details": 10**30}, "data.details", "Ce nombre est trop grand."),
        ({"details": DEEP}, "data.details", "Cette valeur est imbriquée trop profondément."),
    ],
)
def test_unstorable_values_are_refused_per_field(client, procedure, data, field, message):
    """Lone surrogates, integers beyond 2**53 and deep nesting: 422 on that field."""
    response = _post(client, json.dumps({"data": data, "email": "a@b.fr"}))
    assert response.status_code == 422
    fields = {detail["field"]: detail["message"] for detail in response.json()["error"]["details"]}
    assert fields == {field: message}
    assert Request.objects.count() == 0


def test_lone_surrogate_in_email_is_refused(client, procedure):
    """An e-mail that cannot be encoded is a field error, not a server error."""
    response = _post(client, json.dumps({"data": VALID["data"], "email": "a\ud800@b.fr"}))
    assert response.status_code == 422
    assert _details(response) == [("email", "Cette adresse e-mail n'est pas valide.")]


def test_body_over_the_upload_limit_answers_413(client, procedure):
    """A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is refused before being parsed."""
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        response = _post(client, {**VALID, "data": {**VALID["data"], "details": "x" * 2000}})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_file_values_are_not_accepted_through_the_api(client, procedure, commune_a):
    """A file reference, even of an existing vault file, is refused: files go through the web."""
    from clocher.core.vault import store_file

    existing = store_file(commune=commune_a, data=b"%PDF-1.4", name="x.pdf", content_type="x")
    data = {**VALID["data"], "topic": "road", "photo": [{"file": str(existing.pk), "size": 8}]}
    response = _post(client, {**VALID, "data": data})
    assert response.status_code == 422
    [detail] = response.json()["error"]["details"]
    assert detail["field"] == "data.photo"
    assert detail["code"] == "file_not_accepted"
    assert "http://127.0.0.1:8000/communes/agey/demarches/contact/" in detail["message"]
    assert Request.objects.count() == 0


def test_file_inside_a_repeat_block_is_refused_too(client, commune_a):
    """File fields of repeatable blocks are covered."""
    make_procedure(commune_a, slug="ecole", schema=REPEAT_FILE_SCHEMA)
    data = {"children": [{"first_name": "Léa", "certificate": [{"file": "x"}]}]}
    response = _post(client, {"data": data, "email": "a@b.fr"}, url=URL.replace("contact", "ecole"))
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == [
        "data.children.1.certificate"
    ]


def test_required_file_field_says_to_use_the_web_form(client, commune_a):
    """A procedure that needs a file cannot be completed by API: the error says where to go."""
    make_procedure(commune_a, slug="signalement", schema=PHOTO_REQUIRED_SCHEMA)
    response = _post(
        client,
        {"data": {"place": "Rue Haute"}, "email": "a@b.fr"},
        url=URL.replace("contact", "signalement"),
    )
    assert response.status_code == 422
    [detail] = response.json()["error"]["details"]
    assert detail["field"] == "data.photo"
    assert detail["code"] == "file_required"
    assert detail["message"] == (
        "Cette démarche demande un fichier, qui ne peut pas être envoyé par l'API : déposez-la "
        "avec le formulaire en ligne (http://127.0.0.1:8000/communes/agey/demarches/signalement/)."
    )


def test_unknown_unpublished_or_foreign_procedure_answers_404(client, commune_a, commune_b):
    """Only the path commune's published procedures accept requests."""
    make_procedure(commune_a, slug="brouillon", is_published=False)
    make_procedure(commune_b, slug="ailleurs")
    for url in (
        URL.replace("contact", "inconnue"),
        URL.replace("contact", "brouillon"),
        URL.replace("contact", "ailleurs"),
        URL.replace("agey", "nulle-part"),
    ):
        response = _post(client, VALID, url=url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
    assert Request.objects.count() == 0


def test_submissions_are_rate_limited_per_client(client, procedure):
    """Past API_RATE_LIMIT_ANONYMOUS, an address gets 429 and nothing more is stored."""
    with override_settings(API_RATE_LIMIT_ANONYMOUS="2/min"):
        assert _post(client, VALID).status_code == 201
        assert _post(client, VALID).status_code == 201
        refused = _post(client, VALID)
        other_client = _post(client, VALID, REMOTE_ADDR="192.0.2.7")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert other_client.status_code == 201
    assert Request.objects.count() == 3
