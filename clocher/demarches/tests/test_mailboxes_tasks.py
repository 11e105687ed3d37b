"""The periodic job: every 5 minutes, one poll task per active mailbox."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from clocher.core import scheduling
from clocher.demarches import tasks
from clocher.demarches.models import Mailbox, MailItem
from clocher.demarches.tests.imap_server import ImapTestServer

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def _mailbox(commune, *, port=1, is_active=True):
    mailbox = Mailbox(
        commune=commune,
        label="Accueil",
        host="127.0.0.1",
        port=port,
        use_ssl=False,
        username="mairie",
        is_active=is_active,
    )
    mailbox.password = "secret"
    mailbox.save()
    return mailbox


def test_poll_job_is_declared_every_five_minutes():
    """The scheduler knows the job and its period."""
    job = next(job for job in scheduling.jobs() if job.name == "demarches.poll_mailboxes")
    assert job.every == datetime.timedelta(minutes=5)
    assert job.task is tasks.poll_mailboxes


def test_job_queues_one_poll_per_active_mailbox(commune_a, commune_b):
    """Inactive mailboxes and communes that left are skipped."""
    active_a = _mailbox(commune_a)
    _mailbox(commune_a, is_active=False)
    active_b = _mailbox(commune_b)
    left = _mailbox(commune_b)
    commune_b.is_active = False
    commune_b.save(update_fields=["is_active"])
    assert tasks.poll_mailboxes.call() == 1
    queued = DBTaskResult.objects.filter(task_path=tasks.poll_mailbox.module_path)
    assert [result.args_kwargs["args"] for result in queued] == [[active_a.pk]]
    assert active_b.pk != active_a.pk != left.pk


def test_poll_task_stores_the_messages(commune_a):
    """The task body polls the mailbox end to end and returns how many were stored."""
    with ImapTestServer(users={"mairie": "secret"}) as server:
        server.add_message((FIXTURES / "plain.eml").read_bytes())
        mailbox = _mailbox(commune_a, port=server.port)
        assert tasks.poll_mailbox.call(mailbox.pk) == 1
    assert MailItem.objects.filter(mailbox=mailbox).count() == 1


def test_poll_task_never_raises_for_a_broken_mailbox(commune_a):
    """A mailbox whose server is unreachable gets an error message, the task returns 0."""
    mailbox = _mailbox(commune_a, port=1)
    assert tasks.poll_mailbox.call(mailbox.pk) == 0
    mailbox.refresh_from_db()
    assert mailbox.last_error.startswith("Le serveur 127.0.0.1 refuse la connexion sur le port 1")
    assert tasks.poll_mailbox.call(999_999) == 0  # deleted meanwhile
