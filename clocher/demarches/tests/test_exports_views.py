"""The exports page and the download: authorization, only the requester, streamed."""

from typing import Any

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import MembershipFactory
from clocher.demarches.models import Export, ExportFormat, ExportStatus, Family
from clocher.demarches.services import exports
from clocher.demarches.tests.factories import grant, make_procedure, submit
from clocher.tenancy.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def roads(commune_a, agent_a):
    grant(agent_a, commune_a, Family.ROADS)
    procedure = make_procedure(commune_a, family=Family.ROADS, slug="voirie", title="Voirie")
    submit(procedure, full_name="Camille Martin")
    return procedure


def _list_url():
    return reverse("staff:demarches:exports", kwargs={"commune_slug": "agey"})


def _download_url(export, slug="agey"):
    return reverse(
        "staff:demarches:export-download", kwargs={"commune_slug": slug, "export": export.pk}
    )


def _done_export(commune, agent):
    export = exports.export_request(commune=commune, actor=agent, family=Family.ROADS, format="csv")
    exports.export_produce(export.pk)
    export.refresh_from_db()
    return export


POST = {
    "family": "roads",
    "format": "csv",
    "procedure": "",
    "date_from": "",
    "date_to": "",
    "status_kind": "",
}


def test_list_anonymous_is_sent_to_sign_in(commune_a, client):
    """Anonymous: redirected; nothing queued."""
    assert client.get(_list_url()).status_code == 302
    assert client.post(_list_url(), POST).status_code == 302
    assert not Export.objects.exists()


def test_list_other_commune_is_404(commune_a, admin_b):
    """A member of another commune: 404; nothing queued."""
    client = signed_in_client(admin_b)
    assert client.get(_list_url()).status_code == 404
    assert client.post(_list_url(), POST).status_code == 404
    assert not Export.objects.exists()


def test_list_member_without_the_capability_is_403(commune_a, elected_a):
    """An elected official, even granted the family: 403; nothing queued."""
    grant(elected_a, commune_a, Family.ROADS)
    client = signed_in_client(elected_a)
    assert client.get(_list_url()).status_code == 403
    assert client.post(_list_url(), POST).status_code == 403
    assert not Export.objects.exists()


def test_agent_queues_an_export(roads, commune_a, agent_a, django_capture_on_commit_callbacks):
    """An agent granted the family: the export is queued for the worker and listed."""
    client = signed_in_client(agent_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(_list_url(), POST)
    assert response.status_code == 302
    export = Export.objects.get()
    assert (export.requested_by, export.family, export.format, export.status) == (
        agent_a,
        "roads",
        "csv",
        ExportStatus.QUEUED,
    )
    assert len(callbacks) == 1  # the task is enqueued on commit
    page = client.get(_list_url())
    assert page.status_code == 200
    assert page["Refresh"] == "5"
    assert "En attente" in page.content.decode()


def test_agent_cannot_export_a_family_not_granted(roads, commune_a, agent_a):
    """The social family is not offered; forcing it is an error on the field."""
    client = signed_in_client(agent_a)
    page = client.get(_list_url()).content.decode()
    assert 'value="social"' not in page
    response = client.post(_list_url(), {**POST, "family": "social"})
    assert response.status_code == 400
    assert "aria-invalid" in response.content.decode()
    assert not Export.objects.exists()


def test_list_shows_only_my_exports_with_few_queries(
    roads, commune_a, agent_a, admin_a, django_assert_max_num_queries
):
    """Another agent's exports never show; the page's queries do not grow with the list."""
    grant(admin_a, commune_a, Family.ROADS)
    for _index in range(3):
        _done_export(commune_a, agent_a)
    theirs = _done_export(commune_a, admin_a)
    client = signed_in_client(agent_a)
    client.get(_list_url())
    with django_assert_max_num_queries(14):
        response = client.get(_list_url())
    page = response.content.decode()
    assert page.count("Télécharger") == 3
    assert _download_url(theirs) not in page
    assert "Refresh" not in response


def test_download_is_streamed_to_the_requester(roads, commune_a, agent_a):
    """The requester gets the file, streamed, as an attachment."""
    export = _done_export(commune_a, agent_a)
    response = signed_in_client(agent_a).get(_download_url(export))
    assert response.status_code == 200
    assert response.streaming
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert "Camille Martin" in content.decode("utf-8-sig")
    assert response["Content-Disposition"].startswith('attachment; filename="demandes-roads-')
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_download_by_another_agent_is_refused(roads, commune_a, agent_a):
    """Another agent of the same commune and family: 404, and no download is journaled."""
    from clocher.core.models import AuditEntry

    export = _done_export(commune_a, agent_a)
    colleague: Any = MembershipFactory(commune=commune_a, role=Role.AGENT).user
    grant(colleague, commune_a, Family.ROADS)
    before = AuditEntry.objects.count()
    assert signed_in_client(colleague).get(_download_url(export)).status_code == 404
    assert AuditEntry.objects.count() == before


def test_download_authorization(roads, commune_a, agent_a, admin_b, elected_a, client):
    """Anonymous 302, other commune 404, member without the capability 403."""
    export = _done_export(commune_a, agent_a)
    assert client.get(_download_url(export)).status_code == 302
    assert signed_in_client(admin_b).get(_download_url(export)).status_code == 404
    assert signed_in_client(elected_a).get(_download_url(export)).status_code == 403


def test_download_after_losing_the_family_is_refused(roads, commune_a, agent_a):
    """The grant is checked again at download time."""
    from clocher.demarches.models import FamilyGrant

    export = _done_export(commune_a, agent_a)
    FamilyGrant.objects.filter(user=agent_a).delete()
    assert signed_in_client(agent_a).get(_download_url(export)).status_code == 404


def test_unfinished_export_cannot_be_downloaded(roads, commune_a, agent_a):
    """A queued export: 404."""
    export = exports.export_request(commune=commune_a, actor=agent_a, family="roads", format="ods")
    assert signed_in_client(agent_a).get(_download_url(export)).status_code == 404


def test_ods_download_content_type(roads, commune_a, agent_a):
    """ODS is served with its media type."""
    export = exports.export_request(
        commune=commune_a, actor=agent_a, family="roads", format=ExportFormat.ODS
    )
    exports.export_produce(export.pk)
    response = signed_in_client(agent_a).get(_download_url(export))
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"PK\x03\x04")
