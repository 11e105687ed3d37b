"""The mailbox and triage pages: who may use them, and what they do."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from clocher.core.testing.clients import signed_in_client
from clocher.demarches import tasks
from clocher.demarches.models import Family, Mailbox, MailItem, MailItemStatus, Request
from clocher.demarches.services import mailboxes as intake
from clocher.demarches.tests.factories import grant, make_procedure
from clocher.demarches.tests.imap_server import ImapTestServer

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
MAILBOX_POST = {
    "label": "Secrétariat",
    "host": "imap.example.test",
    "port": "993",
    "use_ssl": "on",
    "username": "secretariat@agey.example.test",
    "password": "tres-secret-42",
    "folder": "INBOX",
    "is_active": "on",
}


def _url(name, commune="agey", **kwargs):
    return reverse(f"staff:demarches:{name}", kwargs={"commune_slug": commune, **kwargs})


PASSWORD = MAILBOX_POST["password"]


def _mailbox(commune, *, port=993, password=PASSWORD):
    mailbox = Mailbox(
        commune=commune,
        label="Accueil",
        host="127.0.0.1",
        port=port,
        use_ssl=False,
        username="mairie",
    )
    mailbox.password = password
    mailbox.save()
    return mailbox


def _item(commune, name="multipart_attachment.eml", mailbox=None):
    """A received e-mail, stored as polling stores it (without the IMAP round trip)."""
    mailbox = mailbox or _mailbox(commune)
    item = intake._store_message(mailbox, (FIXTURES / name).read_bytes(), None)
    assert item is not None
    return MailItem.objects.get(pk=item.pk)


@pytest.fixture
def mailbox_a(commune_a):
    return _mailbox(commune_a)


@pytest.fixture
def item_a(commune_a, mailbox_a):
    return _item(commune_a, mailbox=mailbox_a)


# --- Authorization matrix -------------------------------------------------------------------

MAILBOX_PAGES = ["mailboxes", "mailbox-add", "mailbox"]
TRIAGE_PAGES = ["mail-triage", "mail-item", "mail-item-convert", "mail-item-original"]


def _page_url(name, mailbox, item, procedure, commune="agey"):
    kwargs = {}
    if name.startswith("mailbox") and name not in ("mailboxes", "mailbox-add"):
        kwargs["mailbox"] = mailbox.pk
    if name.startswith("mail-item"):
        kwargs["mail_item"] = item.pk
    if name == "mail-item-convert":
        kwargs["online_procedure"] = procedure.pk
    return _url(name, commune, **kwargs)


@pytest.fixture
def world(commune_a, mailbox_a, item_a):
    return {"mailbox": mailbox_a, "item": item_a, "procedure": make_procedure(commune_a)}


@pytest.mark.parametrize("name", MAILBOX_PAGES + TRIAGE_PAGES)
def test_anonymous_is_sent_to_sign_in(client, world, name):
    """Anonymous: redirected to the sign-in page."""
    response = client.get(_page_url(name, world["mailbox"], world["item"], world["procedure"]))
    assert response.status_code == 302
    assert "/connexion/" in response["Location"] or "login" in response["Location"]


@pytest.mark.parametrize("name", MAILBOX_PAGES + TRIAGE_PAGES)
def test_member_of_another_commune_gets_404(world, admin_b, name):
    """An administrator of commune B: 404 on commune A's pages."""
    url = _page_url(name, world["mailbox"], world["item"], world["procedure"])
    assert signed_in_client(admin_b).get(url).status_code == 404


@pytest.mark.parametrize("name", MAILBOX_PAGES)
def test_agent_cannot_manage_mailboxes(world, agent_a, name):
    """Managing mailboxes is for the commune's administrator: 403 for an agent."""
    url = _page_url(name, world["mailbox"], world["item"], world["procedure"])
    assert signed_in_client(agent_a).get(url).status_code == 403


@pytest.mark.parametrize("name", TRIAGE_PAGES)
def test_technician_cannot_triage(world, technician_a, name):
    """Triage needs PROCESS_REQUESTS: 403 for a technician."""
    url = _page_url(name, world["mailbox"], world["item"], world["procedure"])
    assert signed_in_client(technician_a).get(url).status_code == 403


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("mailbox-add", "post"),
        ("mailbox", "post"),
        ("mailbox-test", "post"),
        ("mailbox-poll", "post"),
    ],
)
def test_denied_mailbox_actions_change_nothing(world, agent_a, admin_b, name, method):
    """An agent (403) or another commune's admin (404) changes no mailbox."""
    url = _page_url(name, world["mailbox"], world["item"], world["procedure"])
    before = list(Mailbox.objects.values())
    assert signed_in_client(agent_a).post(url, MAILBOX_POST).status_code == 403
    assert signed_in_client(admin_b).post(url, MAILBOX_POST).status_code == 404
    assert list(Mailbox.objects.values()) == before
    assert not DBTaskResult.objects.filter(task_path=tasks.poll_mailbox.module_path).exists()


def test_denied_triage_actions_change_nothing(world, technician_a, admin_b):
    """A technician (403) or another commune's admin (404) neither dismisses nor converts."""
    item = world["item"]
    for name in ("mail-item-dismiss", "mail-item-convert"):
        url = _page_url(name, world["mailbox"], item, world["procedure"])
        assert signed_in_client(technician_a).post(url, {}).status_code == 403
        assert signed_in_client(admin_b).post(url, {}).status_code == 404
    item.refresh_from_db()
    assert item.status == MailItemStatus.TO_TRIAGE
    assert Request.objects.count() == 0


# --- Mailboxes ------------------------------------------------------------------------------


def test_admin_connects_a_mailbox_and_never_sees_the_password_again(commune_a, admin_a):
    """The password is saved sealed and the edit page does not show it."""
    client = signed_in_client(admin_a)
    response = client.post(_url("mailbox-add"), MAILBOX_POST)
    mailbox = Mailbox.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("mailbox", mailbox=mailbox.pk)
    assert mailbox.password == "tres-secret-42"
    page = client.get(response["Location"]).content.decode()
    assert "tres-secret-42" not in page
    assert "Tester la connexion" in page
    assert "La boîte « Secrétariat » est enregistrée. Testez la connexion." in page


def test_bad_settings_are_shown_on_their_fields(commune_a, admin_a):
    """Invalid input re-renders the form with the errors tied to the fields, values kept."""
    response = signed_in_client(admin_a).post(
        _url("mailbox-add"), {**MAILBOX_POST, "port": "99999", "password": ""}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_port_error"' in page
    assert "Secrétariat" in page
    assert Mailbox.objects.count() == 0


def test_editing_without_a_password_keeps_it(mailbox_a, admin_a):
    """An empty password field keeps the saved password."""
    response = signed_in_client(admin_a).post(
        _url("mailbox", mailbox=mailbox_a.pk), {**MAILBOX_POST, "password": ""}
    )
    assert response.status_code == 302
    mailbox_a.refresh_from_db()
    assert mailbox_a.label == "Secrétariat"
    assert mailbox_a.password == "tres-secret-42"


def test_connection_test_button_reports_the_result(commune_a, admin_a):
    """The button logs in to the (local) server and says how many messages wait."""
    with ImapTestServer(users={"mairie": "tres-secret-42"}) as server:
        server.add_message((FIXTURES / "plain.eml").read_bytes())
        mailbox = _mailbox(commune_a, port=server.port)
        response = signed_in_client(admin_a).post(
            _url("mailbox-test", mailbox=mailbox.pk), follow=True
        )
    assert "Connexion réussie : 1 message(s) non lu(s) dans « INBOX »." in (
        response.content.decode()
    )


def test_connection_test_failure_is_explained(commune_a, admin_a):
    """A wrong password is said in French."""
    with ImapTestServer(users={"mairie": "autre"}) as server:
        mailbox = _mailbox(commune_a, port=server.port)
        response = signed_in_client(admin_a).post(
            _url("mailbox-test", mailbox=mailbox.pk), follow=True
        )
    assert "La connexion a échoué : Le serveur IMAP a refusé l" in response.content.decode()


def test_poll_now_queues_a_poll_task(mailbox_a, admin_a, django_capture_on_commit_callbacks):
    """ "Relever maintenant" queues one poll of that mailbox."""
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_client(admin_a).post(_url("mailbox-poll", mailbox=mailbox_a.pk))
    assert response.status_code == 302
    [queued] = DBTaskResult.objects.filter(task_path=tasks.poll_mailbox.module_path)
    assert queued.args_kwargs["args"] == [mailbox_a.pk]


def test_mailbox_list_shows_state_with_few_queries(
    commune_a, admin_a, django_assert_max_num_queries
):
    """The list shows each mailbox's last error, in a fixed number of queries."""
    for index in range(5):
        mailbox = _mailbox(commune_a)
        mailbox.last_error = f"Erreur n° {index}"
        mailbox.save()
    client = signed_in_client(admin_a)
    client.get(_url("mailboxes"))
    with django_assert_max_num_queries(12):
        response = client.get(_url("mailboxes"))
    page = response.content.decode()
    assert "Erreur n° 4" in page
    assert "tres-secret-42" not in page


# --- Triage ---------------------------------------------------------------------------------


def test_triage_list_shows_items_to_triage_with_few_queries(
    commune_a, mailbox_a, agent_a, django_assert_max_num_queries
):
    """Subjects and senders are listed; the query count does not grow with the page."""
    for name in ("plain.eml", "html_only.eml", "latin1_quoted_printable.eml"):
        _item(commune_a, name, mailbox=mailbox_a)
    client = signed_in_client(agent_a)
    client.get(_url("mail-triage"))
    with django_assert_max_num_queries(12):
        response = client.get(_url("mail-triage"))
    page = response.content.decode()
    assert "Lampadaire éteint rue Haute" in page
    assert "Renée Léger &lt;renee.leger@example.test&gt;" in page
    assert "À trier : 3 courriels" in page


def test_dismissed_items_leave_the_list_to_triage(item_a, agent_a):
    """Dismissing redirects to the list, where the item no longer shows; the filter finds it."""
    client = signed_in_client(agent_a)
    response = client.post(_url("mail-item-dismiss", mail_item=item_a.pk))
    assert response.status_code == 302
    assert "Nid-de-poule" not in client.get(_url("mail-triage")).content.decode()
    page = client.get(_url("mail-triage"), {"statut": "dismissed"}).content.decode()
    assert "Nid-de-poule chemin des Vignes" in page


def test_item_page_offers_only_procedures_of_the_agent_families(commune_a, item_a, agent_a):
    """The procedure list holds the agent's families only; choosing one opens its form."""
    grant(agent_a, commune_a, Family.ROADS)
    roads = make_procedure(commune_a, slug="voirie", title="Signaler", family=Family.ROADS)
    make_procedure(commune_a, slug="ccas", title="Aide du CCAS", family=Family.SOCIAL)
    client = signed_in_client(agent_a)
    page = client.get(_url("mail-item", mail_item=item_a.pk)).content.decode()
    assert "Signaler (Voirie et espace public)" in page
    assert "Aide du CCAS" not in page
    assert "Un nid-de-poule profond s&#x27;est formé chemin des Vignes." in page
    response = client.get(_url("mail-item", mail_item=item_a.pk), {"procedure": roads.pk})
    assert response["Location"] == _url(
        "mail-item-convert", mail_item=item_a.pk, online_procedure=roads.pk
    )


def test_convert_page_of_a_procedure_not_granted_is_404(commune_a, item_a, agent_a):
    """A procedure of a family the agent does not hold cannot be used."""
    social = make_procedure(commune_a, slug="ccas", family=Family.SOCIAL)
    url = _url("mail-item-convert", mail_item=item_a.pk, online_procedure=social.pk)
    client = signed_in_client(agent_a)
    assert client.get(url).status_code == 404
    assert client.post(url, {"field-details": "x"}).status_code == 404
    assert Request.objects.count() == 0


def test_convert_flow_through_the_pages(commune_a, item_a, agent_a):
    """Prefilled e-mail; a mistake keeps what was typed; then the request is created."""
    grant(agent_a, commune_a, Family.ROADS)
    roads = make_procedure(commune_a, slug="voirie", family=Family.ROADS)
    url = _url("mail-item-convert", mail_item=item_a.pk, online_procedure=roads.pk)
    client = signed_in_client(agent_a)
    page = client.get(url).content.decode()
    assert 'value="dominique.roux@example.test"' in page
    assert "Les pièces jointes du courriel seront ajoutées d'office" in page
    answers = {
        "field-topic": "road",
        "field-details": "Trou profond.",
        "email": "dominique.roux@example.test",
    }
    response = client.post(url, answers)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Des réponses sont à corriger" in page
    assert "Trou profond." in page
    assert Request.objects.count() == 0
    response = client.post(url, {**answers, "field-full_name": "Dominique Roux"})
    request = Request.objects.get()
    assert response["Location"] == _url("request", citizen_request=request.pk)
    assert request.personal() == {"full_name": "Dominique Roux"}
    item_a.refresh_from_db()
    assert item_a.status == MailItemStatus.CONVERTED
    page = client.get(_url("mail-item", mail_item=item_a.pk)).content.decode()
    assert f"n° {request.number}" in page
    assert "Nid-de-poule" not in page


def test_attachments_and_original_are_downloads(item_a, agent_a):
    """Attachments are served as downloads, never inline; a wrong number is a 404."""
    client = signed_in_client(agent_a)
    response = client.get(_url("mail-item-attachment", mail_item=item_a.pk, attachment_number=1))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="trou.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"\x89PNG")
    missing = _url("mail-item-attachment", mail_item=item_a.pk, attachment_number=9)
    assert client.get(missing).status_code == 404
    original = client.get(_url("mail-item-original", mail_item=item_a.pk))
    assert original.content == (FIXTURES / "multipart_attachment.eml").read_bytes()
