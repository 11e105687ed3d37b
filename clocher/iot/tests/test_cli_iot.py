"""`clocher iot create-integration | profiles | add-device`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clocher.iot.codecs.builtin import BUILTIN_DECODERS
from clocher.iot.models import Device, DeviceProfile
from clocher.iot.services.integrations import integration_for_token

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("iot", *args, stdout=out)
    return out.getvalue()


def test_create_integration_prints_a_working_token(commune_a):
    """The printed token authenticates an integration of that commune and kind."""
    output = _run("create-integration", "--commune", "agey", "--kind", "tts", "--label", "TTS")
    token = output.strip().splitlines()[-1]
    integration = integration_for_token(token)
    assert integration is not None
    assert (integration.commune_id, integration.kind, integration.label) == (
        commune_a.pk,
        "tts",
        "TTS",
    )
    assert token not in integration.token_hash


def test_create_integration_unknown_commune(db):
    """An unknown commune is a clear error."""
    with pytest.raises(CommandError, match="Commune inconnue"):
        _run("create-integration", "--commune", "nowhere", "--kind", "tts")


def test_profiles_loads_builtins_once(operator):
    """`profiles` loads the built-in profiles when there are none, and lists slug and model."""
    output = _run("profiles")
    elsys = BUILTIN_DECODERS["elsys-ers-co2"]
    assert f"elsys-ers-co2\t{elsys.model}" in output.splitlines()
    assert len(output.splitlines()) == len(BUILTIN_DECODERS)
    _run("profiles")
    assert DeviceProfile.objects.count() == len(BUILTIN_DECODERS)


def test_add_device(commune_a):
    """`add-device` registers the device with its profile and name."""
    output = _run(
        "add-device",
        "--commune",
        "agey",
        "--dev-eui",
        "a81758fffe030a8f",
        "--profile",
        "elsys-ers-co2",
        "--name",
        "Salle CM1",
    )
    device = Device.objects.get()
    assert (device.dev_eui, device.name, device.profile.slug) == (
        "A81758FFFE030A8F",
        "Salle CM1",
        "elsys-ers-co2",
    )
    assert "A81758FFFE030A8F" in output


def test_add_device_refuses_a_registered_dev_eui(commune_a, commune_b):
    """The same DevEUI in another commune is refused with a clear message."""
    _run(
        "add-device",
        "--commune",
        "agey",
        "--dev-eui",
        "A81758FFFE030A8F",
        "--profile",
        "elsys-ers-co2",
    )
    with pytest.raises(CommandError, match="déjà enregistré"):
        _run(
            "add-device",
            "--commune",
            "beire",
            "--dev-eui",
            "A81758FFFE030A8F",
            "--profile",
            "elsys-ers-co2",
        )
    assert Device.objects.count() == 1


def test_add_device_bad_eui_and_unknown_profile(commune_a):
    """A malformed DevEUI or an unknown profile: clear errors, nothing registered."""
    with pytest.raises(CommandError, match="n'est pas un DevEUI"):
        _run("add-device", "--commune", "agey", "--dev-eui", "XYZ", "--profile", "elsys-ers-co2")
    with pytest.raises(CommandError, match="Profil inconnu"):
        _run(
            "add-device", "--commune", "agey", "--dev-eui", "A81758FFFE030A8F", "--profile", "nope"
        )
    assert not Device.objects.exists()
