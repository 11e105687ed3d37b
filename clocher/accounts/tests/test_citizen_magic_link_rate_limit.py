"""Magic links are limited per address, so the form cannot be used to flood a mailbox."""

from __future__ import annotations

import pytest

from clocher.accounts.tests.helpers import ask_magic_link

pytestmark = pytest.mark.django_db


def test_sixth_request_in_an_hour_is_refused_clearly(client, commune_a, mailoutbox):
    """Five links per address and hour; the sixth request gets a clear message and no mail."""
    responses = [ask_magic_link(client, commune_a, "habitant@example.test") for _ in range(6)]

    assert [r.status_code for r in responses] == [200] * 5 + [429]
    assert "Vous avez demandé trop de liens pour cette adresse." in responses[-1].text
    assert 'id="id_email_error"' in responses[-1].text
    assert len(mailoutbox) == 5


def test_limit_is_per_address(client, commune_a, mailoutbox):
    """Another address is not affected by the limit of the first."""
    for _ in range(6):
        ask_magic_link(client, commune_a, "habitant@example.test")

    response = ask_magic_link(client, commune_a, "voisine@example.test")

    assert response.status_code == 200
    assert mailoutbox[-1].to == ["voisine@example.test"]


def test_limit_follows_the_setting(client, commune_a, mailoutbox, settings):
    """MAGIC_LINK_RATE_LIMIT sets the allowance."""
    settings.MAGIC_LINK_RATE_LIMIT = 1

    statuses = [
        ask_magic_link(client, commune_a, "habitant@example.test").status_code for _ in range(2)
    ]

    assert statuses == [200, 429]
    assert len(mailoutbox) == 1
