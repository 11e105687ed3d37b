"""Anonymising one request: every personal value wiped, statistics kept, open or held never."""

import pytest
from django.db import connection

from clocher.core.models import AuditEntry, VaultFile
from clocher.demarches.models import (
    Acknowledgment,
    Channel,
    Decision,
    EventKind,
    Family,
    Request,
    RequestEvent,
    RequestFile,
    StatusKind,
)
from clocher.demarches.services import retention
from clocher.demarches.tests.factories import grant
from clocher.demarches.tests.support_privacy import full_request, vault_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(commune_a, agent_a):
    grant(agent_a, commune_a, Family.ROADS)
    return full_request(commune_a, agent_a)


def _raw(table, column, where):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {where}")  # noqa: S608 - test only
        return [row[0] for row in cursor.fetchall()]


def test_anonymise_wipes_personal_values_in_the_database(
    decided, django_capture_on_commit_callbacks
):
    """The raw columns of the request, its journal and its decision hold no ciphertext left."""
    request = decided.request
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.request_anonymise(request=request, reason="test") is True
    row = (
        Request.objects.filter(pk=request.pk)
        .values(
            "personal_values",
            "email",
            "email_index",
            "tracking_token",
            "citizen_account",
            "mandate",
        )
        .get()
    )
    assert (bytes(row["personal_values"]), bytes(row["email"]), bytes(row["tracking_token"])) == (
        b"",
        b"",
        b"",
    )
    assert (row["email_index"], row["citizen_account"], row["mandate"]) == ("", None, None)
    bodies = _raw("demarches_requestevent", "body", f"request_id = {request.pk}")
    assert bodies and all(bytes(body) == b"" for body in bodies)
    motivations = _raw("demarches_decision", "motivation", f"request_id = {request.pk}")
    assert [bytes(value) for value in motivations] == [b""]


def test_anonymise_deletes_files_rows_and_contents(decided, django_capture_on_commit_callbacks):
    """The photo, the acknowledgment PDF and the decision PDF are gone, on disk too."""
    request = decided.request
    acknowledgment = Acknowledgment.objects.get(request=request)
    decision = Decision.objects.get(request=request)
    files = [decided.photo, acknowledgment.document, decision.document]
    paths = [vault_path(item) for item in files]
    assert all(path.exists() for path in paths)
    with django_capture_on_commit_callbacks(execute=True):
        retention.request_anonymise(request=request, reason="test")
    assert not VaultFile.objects.filter(pk__in=[item.pk for item in files]).exists()
    assert [path.exists() for path in paths] == [False, False, False]
    assert RequestFile.objects.filter(request=request).count() == 0
    assert "photo" not in Request.objects.get(pk=request.pk).values


def test_anonymise_keeps_what_statistics_need(decided):
    """Procedure, channel, dates, status, non-personal answers and outcomes stay."""
    request = decided.request
    before = Request.objects.get(pk=request.pk)
    retention.request_anonymise(request=request, reason="test")
    after = Request.objects.get(pk=request.pk)
    kept = (
        "procedure_id",
        "channel",
        "status",
        "status_kind",
        "received_at",
        "decided_at",
        "closed_at",
        "number",
        "family",
        "implicit_decision_on",
        "retention_until",
    )
    assert [getattr(after, name) for name in kept] == [getattr(before, name) for name in kept]
    assert (after.channel, after.status_kind) == (Channel.WEB, StatusKind.REFUSED)
    assert after.values == {"topic": "road", "details": "Un nid-de-poule devant le 3 rue Haute."}
    assert after.personal() == {}
    assert after.anonymised_at is not None
    assert list(Decision.objects.filter(request=request).values_list("outcome", flat=True)) == [
        "refused"
    ]
    assert Acknowledgment.objects.get(request=request).mentions


def test_anonymise_is_journaled_and_audited(decided):
    """The journal says it (visible to the citizen) and the audit journal records an erasure."""
    request = decided.request
    retention.request_anonymise(request=request, reason="retention_period_ended")
    event = RequestEvent.objects.get(request=request, kind=EventKind.ANONYMISED)
    assert (event.is_visible_to_citizen, event.data["reason"], event.data["files_deleted"]) == (
        True,
        "retention_period_ended",
        3,
    )
    entry = AuditEntry.objects.filter(action="erase").latest("id")
    assert entry.target == f"demarches.Request:{request.pk}"


def test_anonymise_twice_does_nothing_more(decided):
    """A second call returns False and journals nothing."""
    request = decided.request
    assert retention.request_anonymise(request=request, reason="test") is True
    assert retention.request_anonymise(request=request, reason="test") is False
    assert RequestEvent.objects.filter(request=request, kind=EventKind.ANONYMISED).count() == 1


def test_open_request_is_never_wiped(commune_a, agent_a):
    """A request under instruction is refused, and keeps everything."""
    grant(agent_a, commune_a, Family.ROADS)
    request = full_request(commune_a, agent_a, decide=None).request
    with pytest.raises(retention.AnonymisationRefused):
        retention.request_anonymise(request=request, reason="test")
    stored = Request.objects.get(pk=request.pk)
    assert (stored.anonymised_at, stored.email) == (None, "camille@example.test")
    assert stored.personal()["full_name"] == "Camille Martin"


def test_request_under_legal_hold_is_never_wiped(decided):
    """A held request is refused, and keeps everything."""
    request = decided.request
    Request.objects.filter(pk=request.pk).update(legal_hold=True)
    request.refresh_from_db()
    with pytest.raises(retention.AnonymisationRefused):
        retention.request_anonymise(request=request, reason="test")
    stored = Request.objects.get(pk=request.pk)
    assert (stored.anonymised_at, stored.email) == (None, "camille@example.test")
    assert RequestFile.objects.filter(request=request).count() == 1
