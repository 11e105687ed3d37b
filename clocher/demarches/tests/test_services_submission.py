"""Submitting a request: one transaction, number, tracking secret, sealed personal values."""

import pytest

from clocher.demarches.models import Channel, EventKind, Family, Request
from clocher.demarches.services.submission import SubmissionRefused, request_submit
from clocher.demarches.services.tracking import token_hash
from clocher.demarches.tests.factories import make_procedure, submit

pytestmark = pytest.mark.django_db


def test_submission_stores_request_with_sealed_personal_values(commune_a):
    """The request gets a number, a hashed secret, and personal values only in sealed form."""
    procedure = make_procedure(commune_a, family=Family.SOCIAL)
    submitted = submit(procedure, full_name="Camille Secret")
    request = Request.objects.get(pk=submitted.request.pk)
    assert request.number.endswith("-00001")
    assert request.tracking_token_hash == token_hash(submitted.token)
    assert request.personal()["full_name"] == "Camille Secret"
    assert request.values == {
        "topic": "lighting",
        "details": "Un nid-de-poule devant le 3 rue Haute.",
    }
    raw = Request.objects.filter(pk=request.pk).values_list("personal_values", flat=True).get()
    assert b"Camille" not in bytes(raw)
    assert request.events.get().kind == EventKind.SUBMITTED


def test_numbers_follow_each_other_per_commune(commune_a, commune_b):
    """Numbers count per commune and never repeat."""
    first = submit(make_procedure(commune_a)).request
    second = submit(first.procedure).request
    other = submit(make_procedure(commune_b)).request
    assert (first.number[-5:], second.number[-5:], other.number[-5:]) == ("00001", "00002", "00001")


def test_bad_submission_writes_nothing_and_names_each_field(commune_a):
    """Errors per field, nothing stored."""
    procedure = make_procedure(commune_a)
    with pytest.raises(SubmissionRefused) as caught:
        request_submit(
            procedure=procedure,
            data={"topic": "forged", "extra": 1},
            email="nope",
            channel=Channel.WEB,
        )
    assert set(caught.value.errors) == {"topic", "extra", "details", "full_name", "email"}
    assert not Request.objects.exists()


def test_counter_entry_needs_no_email(commune_a, agent_a):
    """At the counter the citizen may have no e-mail; the agent is recorded."""
    procedure = make_procedure(commune_a)
    submitted = request_submit(
        procedure=procedure,
        data={"topic": "road", "details": "x", "full_name": "Jean"},
        channel=Channel.COUNTER,
        actor=agent_a,
    )
    assert submitted.request.entered_by == agent_a
    assert submitted.request.channel == Channel.COUNTER
