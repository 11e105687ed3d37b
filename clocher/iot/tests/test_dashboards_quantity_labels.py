"""Pages name the measured quantities in the reader's language; the code stays in the data."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from clocher.core.testing.clients import signed_in_client
from clocher.iot.codecs.builtin import BUILTIN_DECODERS
from clocher.iot.quantities import QUANTITY_LABELS, quantity_label
from clocher.iot.services.ingestion import Reading, store_readings
from clocher.iot.tests.factories import numbered_device, profile


def test_every_quantity_of_a_builtin_decoder_has_a_label():
    """A decoder added without labels for its quantities fails here, not on a secretary's screen."""
    unlabelled = {
        (slug, quantity)
        for slug, decoder in BUILTIN_DECODERS.items()
        for quantity in decoder.quantities
        if quantity not in QUANTITY_LABELS
    }
    assert unlabelled == set()


def test_labels_follow_the_active_language_and_unknown_codes_show_as_they_are():
    with translation.override("fr"):
        assert quantity_label("energy_off_peak") == "Énergie (heures creuses)"
        assert quantity_label("temperature") == "Température"
    with translation.override("en"):
        assert quantity_label("energy_off_peak") == "Energy (off-peak hours)"
        assert quantity_label("temperature") == "Temperature"
    assert quantity_label("pm25") == "pm25"


@pytest.mark.django_db
def test_overview_and_device_page_show_labels_not_codes(commune_a, operator, agent_a):
    elsys = profile(operator)
    now = timezone.now()
    sensor = numbered_device(commune_a, elsys, 1, last_seen_at=now)
    moment = now - datetime.timedelta(minutes=5)
    store_readings(
        sensor,
        [
            Reading("temperature", moment, 21.5, "°C"),
            Reading("pm25", moment, 12.0, ""),  # a quantity no profile declares: its code
        ],
    )
    client = signed_in_client(agent_a)
    overview = client.get(reverse("staff:iot:overview", args=[commune_a.slug]))
    content = overview.content.decode()
    assert "<li>Température : 21,500 °C</li>" in content
    assert "<li>pm25 : 12</li>" in content
    assert "<li>temperature :" not in content
    device_url = reverse("staff:iot:device", args=[commune_a.slug, sensor.pk])
    page = client.get(f"{device_url}?quantity=temperature")
    [chart] = page.context["charts"]
    assert (chart.quantity, chart.label) == ("temperature", "Température")
    text = page.content.decode()
    assert f'<title id="{chart.chart_id}-title">Température de {sensor.name}</title>' in text
    assert "Température : valeurs par période" in text
