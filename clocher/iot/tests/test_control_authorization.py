"""Authorization matrix of the remote-control pages: every role reads; only the commune
administrator and the technician send commands and write schedules; only the administrator
(and the operator's administrator) sets the quiet hours."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.iot.models import Command, ControlSettings, Device, Schedule
from clocher.iot.tests.factories_control import chirpstack_device, fixed_schedule, lighting_profile

pytestmark = pytest.mark.django_db

READERS = ["admin_a", "agent_a", "elected_a", "technician_a", "operator_admin", "operator_support"]
CONTROLLERS = ["admin_a", "technician_a"]
NOT_CONTROLLERS = ["agent_a", "elected_a", "operator_admin", "operator_support"]
SETTINGS_MANAGERS = ["admin_a", "operator_admin"]
NOT_SETTINGS_MANAGERS = ["agent_a", "elected_a", "technician_a", "operator_support"]


@pytest.fixture
def world(commune_a, operator, admin_a):
    from clocher.iot.services.commands import command_request

    lamp = chirpstack_device(
        commune_a, lighting_profile(operator), "70B3D57ED00000B1", name="Lampe"
    )
    schedule = fixed_schedule(commune_a, lamp)
    command = command_request(
        commune=commune_a,
        actor=admin_a,
        device=lamp,
        command_name="on",
        parameters={},
        confirmed=True,
    )
    slug = commune_a.slug
    return {
        "lamp": lamp,
        "schedule": schedule,
        "read_urls": [
            reverse("staff:iot:control", args=[slug, lamp.pk]),
            reverse("staff:iot:commands", args=[slug]),
            reverse("staff:iot:command", args=[slug, command.pk]),
            reverse("staff:iot:schedules", args=[slug]),
            reverse("staff:iot:schedule", args=[slug, schedule.pk]),
        ],
        "confirm_url": reverse("staff:iot:command_confirm", args=[slug, lamp.pk, "off"]),
        "network_url": reverse("staff:iot:device_network", args=[slug, lamp.pk]),
        "create_url": reverse("staff:iot:schedule_create", args=[slug]),
        "edit_url": reverse("staff:iot:schedule_edit", args=[slug, schedule.pk]),
        "toggle_url": reverse("staff:iot:schedule_toggle", args=[slug, schedule.pk]),
        "settings_url": reverse("staff:iot:control_settings", args=[slug]),
    }


def _snapshot():
    return (
        list(Command.objects.values_list("pk", "state")),
        list(Schedule.objects.values_list("pk", "is_active", "name")),
        list(Device.objects.values_list("network_application_id", flat=True)),
        ControlSettings.objects.count(),
    )


def _writes(world):
    schedule_data = {
        "name": "Volée",
        "target": "device",
        "device": world["lamp"].pk,
        "command_name": "off",
        "trigger": "fixed",
        "time_of_day": "23:00",
        "weekdays": ["1"],
        "public_holidays": "any",
        "school_holidays": "any",
    }
    return [
        (world["confirm_url"], {"confirmation": "on"}),
        (
            world["network_url"],
            {"network_server": "chirpstack", "network_application_id": "volee"},
        ),
        (world["create_url"], schedule_data),
        (world["edit_url"], schedule_data),
        (world["toggle_url"], {}),
        (world["settings_url"], {"quiet_hours_start": "20:00", "quiet_hours_end": "09:00"}),
    ]


def test_anonymous_goes_to_sign_in(world):
    client = Client()
    before = _snapshot()
    for url in [*world["read_urls"], world["confirm_url"], world["settings_url"]]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))
    for url, data in _writes(world):
        assert client.post(url, data).status_code == 302, url
    assert _snapshot() == before


def test_member_of_another_commune_gets_not_found(world, admin_b):
    client = signed_in_client(admin_b)
    before = _snapshot()
    for url in world["read_urls"]:
        assert client.get(url).status_code == 404, url
    for url, data in _writes(world):
        assert client.post(url, data).status_code == 404, url
    assert _snapshot() == before


def test_user_without_role_gets_not_found(world, outsider):
    client = signed_in_client(outsider)
    for url in world["read_urls"]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", READERS)
def test_every_role_reads_the_journal_and_schedules(world, role, request):
    client = signed_in_client(request.getfixturevalue(role))
    for url in world["read_urls"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", NOT_CONTROLLERS)
def test_other_roles_cannot_send_commands_nor_write_schedules(world, role, request):
    """Agents, elected officials and the operator's staff get 403, and nothing changes; the
    control page shows them no command form."""
    client = signed_in_client(request.getfixturevalue(role))
    before = _snapshot()
    for url in (world["confirm_url"], world["network_url"], world["create_url"], world["edit_url"]):
        assert client.get(url).status_code == 403, url
    for url, data in _writes(world)[:-1]:
        assert client.post(url, data).status_code == 403, url
    assert _snapshot() == before
    page = client.get(world["read_urls"][0]).content.decode()
    assert world["confirm_url"] not in page


@pytest.mark.parametrize("role", CONTROLLERS)
def test_administrator_and_technician_send_and_schedule(world, role, request):
    client = signed_in_client(request.getfixturevalue(role))
    for url in (world["confirm_url"], world["network_url"], world["create_url"], world["edit_url"]):
        assert client.get(url).status_code == 200, url
    assert client.post(world["confirm_url"], {"confirmation": "on"}).status_code == 302
    assert Command.objects.filter(command_name="off").count() == 1
    assert client.post(world["toggle_url"]).status_code == 302
    assert Schedule.objects.get().is_active is False


@pytest.mark.parametrize("role", NOT_SETTINGS_MANAGERS)
def test_quiet_hours_are_not_for_everyone(world, role, request):
    client = signed_in_client(request.getfixturevalue(role))
    assert client.get(world["settings_url"]).status_code == 403
    assert client.post(world["settings_url"], _writes(world)[-1][1]).status_code == 403
    assert ControlSettings.objects.count() == 0


@pytest.mark.parametrize("role", SETTINGS_MANAGERS)
def test_administrators_set_the_quiet_hours(world, role, request):
    client = signed_in_client(request.getfixturevalue(role))
    assert client.get(world["settings_url"]).status_code == 200
    assert client.post(world["settings_url"], _writes(world)[-1][1]).status_code == 302
    assert ControlSettings.objects.get().quiet_hours_end.hour == 9
