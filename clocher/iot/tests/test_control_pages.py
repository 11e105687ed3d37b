"""The remote-control pages as a person uses them: prepare, confirm (device and effect spelled
out), refusals shown on the form, schedules with their next occurrences, clear validation."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clocher.core.testing.clients import signed_in_client
from clocher.iot.models import Command, ControlSettings, Schedule
from clocher.iot.tests.factories_control import (
    bell_profile,
    chirpstack_device,
    fixed_schedule,
    lighting_profile,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def lamp(commune_a, operator):
    return chirpstack_device(
        commune_a, lighting_profile(operator), "70B3D57ED00000C1", name="Lampadaire place"
    )


@pytest.fixture
def client(technician_a):
    return signed_in_client(technician_a)


def _url(name, commune, *args):
    return reverse(f"staff:iot:{name}", args=[commune.slug, *args])


def test_the_device_page_links_to_its_commands(client, commune_a, lamp):
    page = client.get(_url("device", commune_a, lamp.pk)).content.decode()
    assert _url("control", commune_a, lamp.pk) in page


def test_the_control_page_lists_the_profiles_commands(client, commune_a, lamp):
    page = client.get(_url("control", commune_a, lamp.pk)).content.decode()
    for label in ("Allumer", "Éteindre", "Varier l&#x27;intensité"):
        assert label in page
    assert 'name="level"' in page and 'min="0"' in page and 'max="100"' in page


def test_confirmation_page_spells_out_the_device_and_effect(client, commune_a, lamp):
    """Preparing "dim 40" shows the device, the bytes and the topic; nothing is sent yet."""
    response = client.get(_url("command_confirm", commune_a, lamp.pk, "dim"), {"level": "40"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Lampadaire place" in page and "70B3D57ED00000C1" in page
    assert "port 10, contenu 0228" in page
    assert (
        "application/17c82e96-be03-4f38-aef3-f83d48582d97/device/70b3d57ed00000c1/command/down"
        in page
    )
    assert Command.objects.count() == 0


def test_without_the_confirmation_box_nothing_is_sent(client, commune_a, lamp):
    response = client.post(_url("command_confirm", commune_a, lamp.pk, "dim"), {"level": "40"})
    assert response.status_code == 200
    assert "Cochez la case pour confirmer l&#x27;envoi de la commande." in response.content.decode()
    assert Command.objects.count() == 0


def test_a_confirmed_command_is_stored_and_shown_in_the_journal(
    client, commune_a, lamp, technician_a
):
    response = client.post(
        _url("command_confirm", commune_a, lamp.pk, "dim"), {"level": "40", "confirmation": "on"}
    )
    assert response.status_code == 302
    command = Command.objects.get()
    assert (command.requested_by, command.parameters) == (technician_a, {"level": 40})
    page = client.get(_url("control", commune_a, lamp.pk)).content.decode()
    assert "En file d&#x27;attente" in page and "level = 40" in page


def test_a_wrong_parameter_is_tied_to_its_field(client, commune_a, lamp):
    response = client.post(
        _url("command_confirm", commune_a, lamp.pk, "dim"), {"level": "140", "confirmation": "on"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_level_error"' in page
    assert 'value="140"' in page  # what was typed is kept
    assert Command.objects.count() == 0


def test_an_unknown_command_is_not_found(client, commune_a, lamp):
    assert client.get(_url("command_confirm", commune_a, lamp.pk, "explode")).status_code == 404


def _quiet_now(commune):
    now = timezone.now().astimezone(PARIS)
    ControlSettings.objects.create(
        commune=commune,
        quiet_hours_start=(now - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        quiet_hours_end=(now + timedelta(hours=1)).time().replace(second=0, microsecond=0),
    )


def test_bells_in_quiet_hours_need_an_override_and_its_reason(client, commune_a, operator):
    bells = chirpstack_device(commune_a, bell_profile(operator), "70B3D57ED00000C2", name="Cloches")
    _quiet_now(commune_a)
    url = _url("command_confirm", commune_a, bells.pk, "ring")
    page = client.get(url).content.decode()
    assert "Heures de silence" in page and 'name="override_reason"' in page
    response = client.post(url, {"confirmation": "on"})
    assert 'id="id_override_quiet_hours_error"' in response.content.decode()
    response = client.post(url, {"confirmation": "on", "override_quiet_hours": "on"})
    assert 'id="id_override_reason_error"' in response.content.decode()
    assert Command.objects.count() == 0
    response = client.post(
        url,
        {
            "confirmation": "on",
            "override_quiet_hours": "on",
            "override_reason": "Tocsin : incendie",
        },
    )
    assert response.status_code == 302
    assert Command.objects.get().override_reason == "Tocsin : incendie"


def test_the_rate_limit_message_is_shown(client, commune_a, lamp, settings):
    settings.IOT_COMMANDS_PER_DEVICE_PER_MINUTE = 1
    url = _url("command_confirm", commune_a, lamp.pk, "on")
    assert client.post(url, {"confirmation": "on"}).status_code == 302
    response = client.post(url, {"confirmation": "on"})
    assert "Trop de commandes pour cet objet : au plus 1 par minute." in response.content.decode()
    assert Command.objects.count() == 1


def test_network_address_form(client, commune_a, lamp):
    url = _url("device_network", commune_a, lamp.pk)
    response = client.post(url, {"network_server": "tts", "network_application_id": "app/1"})
    page = response.content.decode()
    assert "Les caractères / + # et $ initial ne sont pas permis." in page
    assert "The Things Stack a besoin de l&#x27;identifiant de l&#x27;objet." in page
    response = client.post(
        url,
        {
            "network_server": "tts",
            "network_application_id": "eclairage@ttn",
            "network_device_id": "lampe-1",
        },
    )
    assert response.status_code == 302
    lamp.refresh_from_db()
    assert (lamp.network_server, lamp.network_application_id, lamp.network_device_id) == (
        "tts",
        "eclairage@ttn",
        "lampe-1",
    )


def _schedule_data(lamp, **changes):
    data = {
        "name": "Éclairage du soir",
        "target": "device",
        "device": lamp.pk,
        "command_name": "dim",
        "parametre_level": "60",
        "trigger": "sunset",
        "time_of_day": "",
        "offset_minutes": "-10",
        "weekdays": ["1", "2", "3", "4", "5", "6", "7"],
        "public_holidays": "any",
        "school_holidays": "any",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_schedule_validation_errors_are_clear(client, commune_a, lamp):
    url = _url("schedule_create", commune_a)
    page = client.post(
        url, _schedule_data(lamp, trigger="fixed", time_of_day="", weekdays=None)
    ).content.decode()
    assert "Donnez l&#x27;heure, au format HH:MM." in page
    assert "Choisissez au moins un jour." in page
    page = client.post(url, _schedule_data(lamp)).content.decode()
    assert "Ni la commune ni ces objets n&#x27;ont de coordonnées" in page
    page = client.post(
        url, _schedule_data(lamp, trigger="fixed", time_of_day="18:00", parametre_level="140")
    ).content.decode()
    assert "Valeur attendue de 0 à 100, par pas de 1." in page
    assert 'value="140"' in page
    page = client.post(url, _schedule_data(lamp, target="building", device="")).content.decode()
    assert "Choisissez le bâtiment." in page
    assert Schedule.objects.count() == 0


def test_a_sunset_schedule_shows_its_next_five_occurrences(client, commune_a, lamp, technician_a):
    commune_a.latitude, commune_a.longitude = Decimal("47.32167"), Decimal("5.04139")
    commune_a.save()
    response = client.post(_url("schedule_create", commune_a), _schedule_data(lamp))
    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert (schedule.trigger, schedule.offset_minutes, schedule.parameters) == (
        "sunset",
        -10,
        {"level": 60},
    )
    assert schedule.created_by == technician_a
    page = client.get(response["Location"]).content.decode()
    section = page.split("Prochaines exécutions", 1)[1].split("</ol>", 1)[0]
    times = re.findall(r'<time datetime="([^"]+)">', section)
    assert len(times) == 5
    first = datetime.fromisoformat(times[0]).astimezone(PARIS)
    assert 16 <= first.hour <= 22  # a sunset, 10 minutes early
    listing = client.get(_url("schedules", commune_a)).content.decode()
    assert "Éclairage du soir" in listing


def test_deactivating_stops_the_next_occurrences(client, commune_a, lamp):
    schedule = fixed_schedule(commune_a, lamp)
    assert client.post(_url("schedule_toggle", commune_a, schedule.pk)).status_code == 302
    page = client.get(_url("schedule", commune_a, schedule.pk)).content.decode()
    assert "La programmation est désactivée." in page and "Réactiver" in page


def test_editing_keeps_the_values(client, commune_a, lamp):
    schedule = fixed_schedule(commune_a, lamp, command="dim", parameters={"level": 30})
    page = client.get(_url("schedule_edit", commune_a, schedule.pk)).content.decode()
    assert 'value="30"' in page and 'value="18:00:00"' in page
    response = client.post(
        _url("schedule_edit", commune_a, schedule.pk),
        _schedule_data(lamp, trigger="fixed", time_of_day="19:30", parametre_level="50"),
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.time_of_day is not None
    assert (schedule.time_of_day.hour, schedule.time_of_day.minute, schedule.parameters) == (
        19,
        30,
        {"level": 50},
    )


def test_the_journal_page_does_not_query_per_command(client, commune_a, lamp, admin_a, settings):
    """Ten commands cost no more queries than two."""
    from clocher.iot.services.commands import command_request

    settings.IOT_COMMANDS_PER_DEVICE_PER_MINUTE = 100

    def ask(count):
        for _index in range(count):
            command_request(
                commune=commune_a,
                actor=admin_a,
                device=lamp,
                command_name="on",
                parameters={},
                confirmed=True,
            )

    url = _url("commands", commune_a)
    ask(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    ask(8)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    control_url = _url("control", commune_a, lamp.pk)
    with CaptureQueriesContext(connection) as device_page:
        assert client.get(control_url).status_code == 200
    ask(5)
    with CaptureQueriesContext(connection) as device_page_more:
        assert client.get(control_url).status_code == 200
    assert len(device_page_more.captured_queries) == len(device_page.captured_queries)
