"""Authorization matrix of the alerts pages: every role reads, the commune's administrator,
agents and technicians act (MANAGE_ALERTS); elected officials and operator staff only read;
the on-duty list (phone numbers) is for those who manage alerts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import MembershipFactory
from clocher.iot.models import Alert, AlertEvent, AlertRecipient, AlertRule
from clocher.iot.models.alerts import AlertStatus
from clocher.iot.services.alerting import alert_recipient_save, evaluate_readings
from clocher.iot.tests import factories
from clocher.iot.tests.alerts_support import co2, rule
from clocher.tenancy.models import Role

pytestmark = pytest.mark.django_db

READERS = ["admin_a", "agent_a", "elected_a", "technician_a", "operator_admin", "operator_support"]
MANAGERS = ["admin_a", "agent_a", "technician_a"]
NOT_MANAGERS = ["elected_a", "operator_admin", "operator_support"]


@pytest.fixture
def world(commune_a, operator):
    device = factories.device(commune_a, factories.profile(operator))
    ventilate = rule(commune_a, minimum_duration_minutes=0)
    [alert] = evaluate_readings(device, [co2(0, 1600)])
    duty_user = MembershipFactory(commune=commune_a, role=Role.AGENT).user
    recipient = alert_recipient_save(
        commune=commune_a,
        user=duty_user,
        by_email=True,
        by_sms=True,
        phone="0612345678",
        minimum_severity="warning",
    )
    slug = commune_a.slug
    return {
        "alert": alert,
        "rule": ventilate,
        "recipient": recipient,
        "read_urls": [
            reverse("staff:iot:alerts", args=[slug]),
            reverse("staff:iot:alert", args=[slug, alert.pk]),
            reverse("staff:iot:alert-rules", args=[slug]),
        ],
        "manage_pages": [
            reverse("staff:iot:alert-rule-new", args=[slug]),
            reverse("staff:iot:alert-rule", args=[slug, ventilate.pk]),
            reverse("staff:iot:alert-duty", args=[slug]),
            reverse("staff:iot:alert-recipient-new", args=[slug]),
            reverse("staff:iot:alert-recipient", args=[slug, recipient.pk]),
        ],
        "actions": [
            (reverse("staff:iot:alert-acknowledge", args=[slug, alert.pk]), {}),
            (reverse("staff:iot:alert-comment", args=[slug, alert.pk]), {"comment-text": "Vu"}),
            (reverse("staff:iot:alert-close", args=[slug, alert.pk]), {"close-text": ""}),
            (reverse("staff:iot:alert-rules-defaults", args=[slug]), {}),
            (
                reverse("staff:iot:alert-rule-activation", args=[slug, ventilate.pk]),
                {"active": "0"},
            ),
            (
                reverse("staff:iot:alert-recipient-remove", args=[slug, recipient.pk]),
                {},
            ),
            (
                reverse("staff:iot:alert-duty", args=[slug]),
                {"quiet_hours_start": "", "quiet_hours_end": "", "cool_down_minutes": "5"},
            ),
        ],
    }


def _unchanged(world) -> None:
    alert = Alert.objects.get(pk=world["alert"].pk)
    assert alert.status == AlertStatus.OPEN
    assert AlertEvent.objects.filter(alert=alert).exclude(kind="opened").count() == 0
    assert AlertRule.objects.count() == 1
    assert AlertRule.objects.get().is_active
    assert AlertRecipient.objects.count() == 1


def test_anonymous_goes_to_sign_in(world):
    """Every page sends an anonymous visitor to sign in; no action changes anything."""
    client = Client()
    for url in [*world["read_urls"], *world["manage_pages"]]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))
    for url, data in world["actions"]:
        assert client.post(url, data).status_code == 302, url
    _unchanged(world)


def test_member_of_another_commune_gets_not_found(world, admin_b):
    """An administrator of commune B sees none of A's alert pages and changes nothing."""
    client = signed_in_client(admin_b)
    for url in [*world["read_urls"], *world["manage_pages"]]:
        assert client.get(url).status_code == 404, url
    for url, data in world["actions"]:
        assert client.post(url, data).status_code == 404, url
    _unchanged(world)


@pytest.mark.parametrize("role", READERS)
def test_every_role_reads_alerts_and_rules(world, role, request):
    """Every commune role and the operator's staff read the alerts, an alert and the rules."""
    client = signed_in_client(request.getfixturevalue(role))
    for url in world["read_urls"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_readers_cannot_act_or_see_the_on_duty_list(world, role, request):
    """Elected officials and operator staff get 403 on every action and on the on-duty list;
    the alert page shows them no action button."""
    client = signed_in_client(request.getfixturevalue(role))
    for url in world["manage_pages"]:
        assert client.get(url).status_code == 403, url
    for url, data in world["actions"]:
        assert client.post(url, data).status_code == 403, url
    _unchanged(world)
    page = client.get(world["read_urls"][1]).content.decode()
    assert "Prendre en compte" not in page
    assert "06 12" not in page and "+33612345678" not in page


@pytest.mark.parametrize("role", MANAGERS)
def test_managers_act_on_alerts(world, role, request):
    """The commune's administrator, agents and technicians open every page, acknowledge,
    comment and close."""
    user = request.getfixturevalue(role)
    client = signed_in_client(user)
    for url in world["manage_pages"]:
        assert client.get(url).status_code == 200, url
    acknowledge, comment, close = world["actions"][:3]
    for url, data in (acknowledge, comment, close):
        assert client.post(url, data).status_code == 302, url
    alert = Alert.objects.get(pk=world["alert"].pk)
    assert alert.status == AlertStatus.CLOSED
    assert alert.acknowledged_by == user
    assert alert.closed_by == user
    assert list(AlertEvent.objects.filter(alert=alert).values_list("kind", "actor")) == [
        ("opened", None),
        ("acknowledged", user.pk),
        ("comment", user.pk),
        ("closed", user.pk),
    ]
