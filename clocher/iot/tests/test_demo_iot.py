"""The demo commune: objects of every kind fed through the real pipeline, feeding dashboards,
alerts (from the default rules) and the decision reports; schedules for the actuators; a live
feed every five minutes on the demo instance only; loading twice changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import CommuneFactory, OperatorFactory, UserFactory
from clocher.iot import demo
from clocher.iot.models import (
    Alert,
    AlertRecipient,
    AlertRule,
    Device,
    Measurement,
    ProfileAdoption,
    Rollup,
    Schedule,
    Uplink,
    UplinkStatus,
)
from clocher.iot.reports.common import PARIS
from clocher.tenancy.models import Commune
from clocher.tenancy.services import membership_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_commune():
    """The demo commune under the demo operator, with its secretary and technician."""
    operator = OperatorFactory(slug=demo.DEMO_OPERATOR)
    commune: Commune = CommuneFactory(operator=operator, slug=demo.FULL_DEMO_COMMUNE)  # type: ignore[assignment]
    staff = {}
    for email, role in zip(demo.ON_DUTY, ("commune_admin", "technician"), strict=True):
        user = UserFactory(email=email)
        membership_grant(commune=commune, user=user, role=role)
        staff[email] = user
    demo.load(commune, staff=staff)
    return commune, staff


def _dev_eui(commune, spec):
    return demo.dev_eui_of(commune, spec.suffix)


def test_every_kind_of_object_is_registered_placed_and_fed(demo_commune):
    """Sensors and actuators, all on the map; actuators addressable on ChirpStack with their
    commands; every profile adopted; every sensor fed hour by hour, every uplink decoded."""
    commune, _staff = demo_commune
    devices = Device.objects.for_commune(commune).select_related("profile")
    assert devices.count() == len(demo.DEVICES) + len(demo.ACTUATORS)
    assert not devices.filter(latitude=None).exists()
    assert not devices.filter(longitude=None).exists()
    assert not Uplink.objects.for_commune(commune).exclude(status=UplinkStatus.STORED).exists()
    for spec in demo.DEVICES:
        device = devices.get(dev_eui=_dev_eui(commune, spec))
        assert Measurement.objects.filter(device=device).count() >= demo.HOURS, device.name
        assert Rollup.objects.filter(device=device, period="hour").exists(), device.name
    for spec in demo.ACTUATORS:
        device = devices.get(dev_eui=_dev_eui(commune, spec))
        assert device.network_server == "chirpstack"
        assert device.network_application_id == demo.CHIRPSTACK_APPLICATION
        assert device.profile.commands, device.name
    for spec in demo.DEVICES[:5]:  # heard on ChirpStack: the address noted from its uplinks
        device = devices.get(dev_eui=_dev_eui(commune, spec))
        assert device.network_application_id == demo.CHIRPSTACK_APPLICATION
    adopted = set(
        ProfileAdoption.objects.for_commune(commune).values_list("profile__slug", flat=True)
    )
    assert adopted == {spec.profile for spec in (*demo.DEVICES, *demo.ACTUATORS)}


def test_alerts_come_from_the_default_rules_on_the_ingested_readings(demo_commune):
    """The default rules are applied, two people are on duty, and the history opened a real
    CO2 alert in the big ones' class and a low-battery alert for the paper container."""
    commune, staff = demo_commune
    presets = set(AlertRule.objects.for_commune(commune).values_list("preset", flat=True))
    assert {"co2-ventilate", "low-battery", "silent", "river-rising"} <= presets
    on_duty = set(AlertRecipient.objects.for_commune(commune).values_list("user_id", flat=True))
    assert on_duty == {user.pk for user in staff.values()}
    co2 = Alert.objects.for_commune(commune).filter(
        rule__preset="co2-ventilate", device__name="CO2 — classe des grands"
    )
    assert co2.exists()
    assert all(alert.value > 1500 for alert in co2)
    assert not Alert.objects.for_commune(commune).filter(device__name__contains="petits").exists()
    battery = Alert.objects.for_commune(commune).get(rule__preset="low-battery")
    assert battery.device.name == "Conteneur à papier — stade"
    assert battery.status == "open"


def test_schedules_of_the_lighting_and_the_bells(demo_commune):
    """Sunset lighting, switched off at 23:00, and the bells at noon, every day."""
    commune, _staff = demo_commune
    schedules = {s.name: s for s in Schedule.objects.for_commune(commune)}
    lighting_on = schedules["Éclairage public : allumage au coucher du soleil"]
    assert (lighting_on.trigger, lighting_on.command_name) == ("sunset", "on")
    lighting_off = schedules["Éclairage public : extinction à 23:00"]
    assert (lighting_off.time_of_day, lighting_off.command_name) == (datetime.time(23), "off")
    bells = schedules["Cloches : sonnerie de midi"]
    assert (bells.time_of_day, bells.command_name) == (datetime.time(12), "ring")
    assert bells.device.name == "Cloches de l'église"
    assert all(s.weekdays == [1, 2, 3, 4, 5, 6, 7] for s in schedules.values())


def test_loading_twice_changes_nothing(demo_commune):
    commune, staff = demo_commune
    counts = (
        Uplink.objects.for_commune(commune).count(),
        Device.objects.for_commune(commune).count(),
        Schedule.objects.for_commune(commune).count(),
        AlertRule.objects.for_commune(commune).count(),
        AlertRecipient.objects.for_commune(commune).count(),
        Alert.objects.for_commune(commune).count(),
    )
    demo.load(commune, staff=staff)
    assert counts == (
        Uplink.objects.for_commune(commune).count(),
        Device.objects.for_commune(commune).count(),
        Schedule.objects.for_commune(commune).count(),
        AlertRule.objects.for_commune(commune).count(),
        AlertRecipient.objects.for_commune(commune).count(),
        Alert.objects.for_commune(commune).count(),
    )


def _page(client, commune, name, query=""):
    response = client.get(reverse(f"staff:iot:{name}", args=[commune.slug]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_each_report_shows_the_demo(demo_commune):
    """Each decision report has something to say about the demo commune."""
    commune, staff = demo_commune
    client = signed_in_client(staff[demo.ON_DUTY[0]])
    air = _page(client, commune, "report_air_quality")
    assert "CO2 — classe des grands" in air
    containers = _page(client, commune, "report_containers")
    assert "Conteneur à papier — stade" in containers
    leaks = _page(client, commune, "report_leaks")
    assert "Compteur d&#x27;eau — mairie" in leaks
    river = _page(client, commune, "report_river")
    assert "Niveau de l&#x27;Ouche — pont de la mairie" in river
    # Energy: the previous complete month against the same month a year earlier, corrected by
    # the outdoor temperature (the demo has daily readings of both).
    today = timezone.now().astimezone(PARIS).date()
    previous = today.replace(day=1) - datetime.timedelta(days=1)
    energy = _page(client, commune, "report_energy", f"?mois={previous:%Y-%m}")
    assert "Compteur électrique — école" in energy
    assert "Température extérieure — mairie" in energy
    assert "Non disponible" not in energy


def test_live_feed_adds_one_reading_per_sensor_once_per_slot(demo_commune):
    """A tick feeds every demo sensor for the current five-minute slot; the same slot again adds
    nothing; the next slot adds one more each."""
    assert demo_commune
    now = timezone.now()
    fed = len(demo.DEVICES) + len(demo.ACTUATORS)  # the actuators send their status frame
    assert demo.live_tick(now=now) == fed
    assert demo.live_tick(now=now) == 0
    assert demo.live_tick(now=now + demo.LIVE_STEP) == fed
    commune, _staff = demo_commune
    actuator = Device.objects.get(dev_eui=demo.dev_eui_of(commune, demo.ACTUATORS[0].suffix))
    assert actuator.last_seen_at is not None  # never taken for a silent device while it runs


def test_live_feed_does_nothing_outside_the_demo(operator):
    """A commune named like the demo's under another operator is not fed."""
    commune: Commune = CommuneFactory(operator=operator, slug=demo.FULL_DEMO_COMMUNE)  # type: ignore[assignment]
    demo.load(commune, staff={})
    uplinks = Uplink.objects.for_commune(commune).count()
    assert demo.live_tick() == 0
    assert Uplink.objects.for_commune(commune).count() == uplinks
