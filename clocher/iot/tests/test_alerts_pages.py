"""The alerts pages: lists and filters, an alert's actions and history, rules with their
validation messages, the default set, the on-duty list and quiet hours, the summaries on the
overview and device pages."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.queries import rls_scope_queries
from clocher.iot.models import Alert, AlertEvent, AlertRecipient, AlertRule, AlertSettings
from clocher.iot.models.alerts import AlertStatus, RuleKind, RuleScope, Severity
from clocher.iot.services.alerting import alert_close, evaluate_readings
from clocher.iot.tests import factories
from clocher.iot.tests.alerts_support import co2, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def classroom(commune_a, operator):
    device = factories.device(commune_a, factories.profile(operator))
    device.name = "CO2 salle 3"
    device.site = "École"
    device.save()
    return device


@pytest.fixture
def open_alert(commune_a, classroom):
    rule(commune_a, minimum_duration_minutes=0)
    [alert] = evaluate_readings(classroom, [co2(0, 1600)])
    return alert


def _url(name, commune, *args):
    return reverse(f"staff:iot:{name}", args=[commune.slug, *args])


def test_list_shows_the_alerts_not_closed_by_default(commune_a, classroom, open_alert, agent_a):
    """The list shows open alerts; a closed one appears only with the "closed" filter."""
    other = factories.device(commune_a, classroom.profile, dev_eui="0000000000000002")
    [closed] = evaluate_readings(other, [co2(0, 1700)])
    alert_close(commune=commune_a, actor=agent_a, alert=closed)
    client = signed_in_client(agent_a)
    response = client.get(_url("alerts", commune_a))
    assert [alert.pk for alert in response.context["alerts"]] == [open_alert.pk]
    content = response.content.decode()
    assert "1 alerte ouverte" in content
    assert "CO2 salle 3" in content
    closed_list = client.get(_url("alerts", commune_a), {"status": "closed"})
    assert [alert.pk for alert in closed_list.context["alerts"]] == [closed.pk]
    everything = client.get(_url("alerts", commune_a), {"status": "all"})
    assert len(everything.context["alerts"]) == 2


def test_list_filters_by_severity_and_device(commune_a, classroom, open_alert, agent_a):
    """Severity and device filters narrow the list."""
    client = signed_in_client(agent_a)
    assert client.get(_url("alerts", commune_a), {"severity": "critical"}).context["alerts"] == []
    by_device = client.get(_url("alerts", commune_a), {"device": classroom.pk})
    assert [alert.pk for alert in by_device.context["alerts"]] == [open_alert.pk]


def test_list_query_count_does_not_grow(
    commune_a, classroom, agent_a, django_assert_max_num_queries
):
    """Thirty alerts are listed in a fixed number of queries."""
    rule(commune_a, minimum_duration_minutes=0)
    for number in range(30):
        device = factories.device(commune_a, classroom.profile, dev_eui=f"{number + 10:016X}")
        evaluate_readings(device, [co2(0, 1600)])
    client = signed_in_client(agent_a)
    client.get(_url("alerts", commune_a))
    with django_assert_max_num_queries(12 + rls_scope_queries()):
        response = client.get(_url("alerts", commune_a))
    assert len(response.context["alerts"]) == 30


def test_alert_page_acknowledge_comment_close(commune_a, open_alert, technician_a):
    """A technician acknowledges, comments and closes; each step is in the history with them."""
    client = signed_in_client(technician_a)
    page = client.get(_url("alert", commune_a, open_alert.pk)).content.decode()
    assert "Valeur 1600 ppm (seuil 1500 ppm)." in page
    assert "Prendre en compte" in page
    response = client.post(_url("alert-acknowledge", commune_a, open_alert.pk))
    assert response.status_code == 302
    client.post(
        _url("alert-comment", commune_a, open_alert.pk), {"comment-text": "Fenêtre ouverte"}
    )
    client.post(_url("alert-close", commune_a, open_alert.pk), {"close-text": "Classe aérée"})
    open_alert.refresh_from_db()
    assert open_alert.status == AlertStatus.CLOSED
    events = list(AlertEvent.objects.filter(alert=open_alert).values_list("kind", "text"))
    assert events == [
        ("opened", "Valeur 1600 ppm (seuil 1500 ppm)."),
        ("acknowledged", ""),
        ("comment", "Fenêtre ouverte"),
        ("closed", "Classe aérée"),
    ]
    page = client.get(_url("alert", commune_a, open_alert.pk)).content.decode()
    assert "Fenêtre ouverte" in page
    assert "Clore l&#x27;alerte" not in page


def test_an_empty_comment_is_refused_with_a_message(commune_a, open_alert, agent_a):
    """An empty comment answers 400 with the message tied to the field; nothing is added."""
    client = signed_in_client(agent_a)
    response = client.post(_url("alert-comment", commune_a, open_alert.pk), {"comment-text": "  "})
    assert response.status_code == 400
    assert response.context["comment_form"].errors["text"] == ["Écrivez le commentaire."]
    assert AlertEvent.objects.filter(alert=open_alert).count() == 1


def test_acknowledging_twice_says_so(commune_a, open_alert, agent_a):
    """A second acknowledgment changes nothing and says why."""
    client = signed_in_client(agent_a)
    client.post(_url("alert-acknowledge", commune_a, open_alert.pk))
    response = client.post(_url("alert-acknowledge", commune_a, open_alert.pk), follow=True)
    assert "Cette alerte est déjà prise en compte ou close." in response.content.decode()
    assert AlertEvent.objects.filter(alert=open_alert, kind="acknowledged").count() == 1


def _rule_data(**fields):
    data = {
        "label": "Trop chaud",
        "kind": RuleKind.THRESHOLD_ABOVE,
        "severity": Severity.WARNING,
        "scope": RuleScope.COMMUNE,
        "device": "",
        "profile": "",
        "site": "",
        "quantity": "temperature",
        "threshold": "28",
        "hysteresis": "1",
        "minimum_duration_minutes": "30",
        "max_change_per_hour": "",
        "direction": "",
        "silent_factor": "3",
        "battery_percent": "20",
        "escalate_after_minutes": "",
    }
    data.update(fields)
    return data


def test_create_a_rule(commune_a, classroom, admin_a):
    """A valid rule is saved and the rules' version moves (the ingestion index is refreshed)."""
    client = signed_in_client(admin_a)
    page = client.get(_url("alert-rule-new", commune_a)).content.decode()
    # The quantities of the commune's devices: the code the rule takes, the label people read.
    assert "co2 (CO₂), humidity (Humidité), temperature (Température)" in page
    response = client.post(
        _url("alert-rule-new", commune_a),
        _rule_data(scope=RuleScope.SITE, site="École", device=str(classroom.pk)),
    )
    assert response.status_code == 302
    saved = AlertRule.objects.get()
    assert (saved.label, saved.scope, saved.site, saved.threshold) == (
        "Trop chaud",
        "site",
        "École",
        28.0,
    )
    assert saved.device is None  # only the choice that goes with the scope is kept
    assert saved.created_by == admin_a
    assert AlertSettings.objects.get(commune=commune_a).rules_version == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"threshold": ""}, "threshold", "Indiquez le seuil."),
        ({"quantity": ""}, "quantity", "Indiquez la mesure surveillée, par exemple co2 ou level."),
        ({"scope": "device"}, "device", "Choisissez l'objet surveillé."),
        ({"scope": "site"}, "site", "Choisissez le site surveillé."),
        ({"hysteresis": "-2"}, "hysteresis", "L'hystérésis ne peut pas être négative."),
        (
            {"escalate_after_minutes": "30"},
            "escalate_after_minutes",
            "Seules les alertes critiques sont signalées aux élus : choisissez la gravité "
            "« Critique » ou laissez ce champ vide.",
        ),
        (
            {"kind": "rate_of_change", "max_change_per_hour": "-1", "direction": "rising"},
            "max_change_per_hour",
            "La variation maximale doit être positive.",
        ),
        (
            {"kind": "rate_of_change", "max_change_per_hour": "0.2"},
            "direction",
            "Choisissez le sens de la variation surveillée.",
        ),
        ({"kind": "silent", "silent_factor": "0.5"}, "silent_factor", None),
        ({"kind": "low_battery", "battery_percent": "0"}, "battery_percent", None),
        ({"minimum_duration_minutes": "20000"}, "minimum_duration_minutes", None),
    ],
)
def test_rule_errors_are_tied_to_their_field(commune_a, admin_a, fields, field, message):
    """Each mistake answers 400 with a French message on its field; what was typed stays."""
    client = signed_in_client(admin_a)
    response = client.post(_url("alert-rule-new", commune_a), _rule_data(**fields))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    if message is not None:
        assert errors[field] == [message]
    assert 'value="Trop chaud"' in response.content.decode()
    assert not AlertRule.objects.exists()


def test_edit_and_deactivate_a_rule(commune_a, open_alert, admin_a):
    """Editing changes the threshold; deactivating closes the rule's open alerts."""
    ventilate = open_alert.rule
    client = signed_in_client(admin_a)
    response = client.post(
        _url("alert-rule", commune_a, ventilate.pk),
        _rule_data(label="Aérer", quantity="co2", threshold="1400", hysteresis="100"),
    )
    assert response.status_code == 302
    ventilate.refresh_from_db()
    assert (ventilate.label, ventilate.threshold) == ("Aérer", 1400.0)
    client.post(_url("alert-rule-activation", commune_a, ventilate.pk), {"active": "0"})
    ventilate.refresh_from_db()
    assert ventilate.is_active is False
    open_alert.refresh_from_db()
    assert open_alert.status == AlertStatus.CLOSED
    assert AlertEvent.objects.get(alert=open_alert, kind="closed").text == "Règle désactivée."
    rules_page = client.get(_url("alert-rules", commune_a)).content.decode()
    assert "Désactivée" in rules_page
    client.post(_url("alert-rule-activation", commune_a, ventilate.pk), {"active": "1"})
    ventilate.refresh_from_db()
    assert ventilate.is_active is True


def test_apply_the_default_rules_once(commune_a, admin_a):
    """One click adds the four default rules; a second adds nothing."""
    client = signed_in_client(admin_a)
    assert (
        "Appliquer les règles par défaut"
        in client.get(_url("alert-rules", commune_a)).content.decode()
    )
    client.post(_url("alert-rules-defaults", commune_a))
    presets = dict(AlertRule.objects.values_list("preset", "kind"))
    assert presets == {
        "co2-ventilate": "threshold_above",
        "low-battery": "low_battery",
        "silent": "silent",
        "river-rising": "rate_of_change",
    }
    ventilate = AlertRule.objects.get(preset="co2-ventilate")
    assert (ventilate.label, ventilate.threshold, ventilate.hysteresis) == (
        "Aérer maintenant",
        1500.0,
        100.0,
    )
    assert ventilate.minimum_duration_minutes == 10
    river = AlertRule.objects.get(preset="river-rising")
    assert (river.severity, river.escalate_after_minutes) == ("critical", 30)
    client.post(_url("alert-rules-defaults", commune_a))
    assert AlertRule.objects.count() == 4
    assert (
        "Appliquer les règles par défaut"
        not in client.get(_url("alert-rules", commune_a)).content.decode()
    )


def test_put_someone_on_duty(commune_a, admin_a, agent_a):
    """A member goes on duty by e-mail and SMS; the number is stored sealed, in E.164."""
    client = signed_in_client(admin_a)
    response = client.post(
        _url("alert-recipient-new", commune_a),
        {
            "user": agent_a.pk,
            "by_email": "on",
            "by_sms": "on",
            "phone": "06 12 34 56 78",
            "minimum_severity": "warning",
        },
    )
    assert response.status_code == 302
    recipient = AlertRecipient.objects.get()
    assert recipient.user == agent_a
    assert recipient.phone == "+33612345678"
    assert b"+33612345678" not in bytes(
        AlertRecipient.objects.values_list("phone", flat=True).get()
    )
    page = client.get(_url("alert-duty", commune_a)).content.decode()
    assert "+33612345678" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"by_sms": "on", "phone": ""}, "phone", "Indiquez un numéro de mobile pour les SMS."),
        (
            {"by_sms": "on", "phone": "12 34"},
            "phone",
            "Numéro de téléphone non reconnu : écrivez par exemple 06 12 34 56 78.",
        ),
        (
            {"by_email": None},
            "by_email",
            "Choisissez au moins un moyen de prévenir cette personne.",
        ),
        ({"user": ""}, "user", "Choisissez la personne d'astreinte."),
    ],
)
def test_on_duty_errors(commune_a, admin_a, agent_a, fields, field, message):
    """Each mistake on the on-duty form is tied to its field; nothing is saved."""
    data = {"user": agent_a.pk, "by_email": "on", "phone": "", "minimum_severity": "warning"}
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}  # None: unticked
    response = signed_in_client(admin_a).post(_url("alert-recipient-new", commune_a), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert not AlertRecipient.objects.exists()


def test_someone_of_another_commune_cannot_be_put_on_duty(commune_a, admin_a, admin_b):
    """Only the commune's members are offered; another commune's administrator is refused."""
    response = signed_in_client(admin_a).post(
        _url("alert-recipient-new", commune_a),
        {"user": admin_b.pk, "by_email": "on", "minimum_severity": "warning"},
    )
    assert response.status_code == 400
    assert "user" in response.context["form"].errors
    assert not AlertRecipient.objects.exists()


def test_change_and_remove_someone_on_duty(commune_a, admin_a, agent_a):
    """The minimum severity is changed, then the person is taken off the list."""
    client = signed_in_client(admin_a)
    client.post(
        _url("alert-recipient-new", commune_a),
        {"user": agent_a.pk, "by_email": "on", "minimum_severity": "warning"},
    )
    recipient = AlertRecipient.objects.get()
    response = client.post(
        _url("alert-recipient", commune_a, recipient.pk),
        {"by_email": "on", "minimum_severity": "critical"},
    )
    assert response.status_code == 302
    recipient.refresh_from_db()
    assert recipient.minimum_severity == "critical"
    client.post(_url("alert-recipient-remove", commune_a, recipient.pk))
    assert not AlertRecipient.objects.exists()


def test_quiet_hours_form(commune_a, admin_a):
    """Quiet hours are saved; a start without an end is refused on the end field."""
    client = signed_in_client(admin_a)
    page = client.get(_url("alert-duty", commune_a)).content.decode()
    assert 'value="22:00"' in page and 'value="07:00"' in page
    response = client.post(
        _url("alert-duty", commune_a),
        {"quiet_hours_start": "21:30", "quiet_hours_end": "", "cool_down_minutes": "30"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["quiet_hours_end"] == [
        "Indiquez aussi la fin des heures de silence."
    ]
    response = client.post(
        _url("alert-duty", commune_a),
        {"quiet_hours_start": "21:30", "quiet_hours_end": "06:30", "cool_down_minutes": "45"},
    )
    assert response.status_code == 302
    settings = AlertSettings.objects.get(commune=commune_a)
    assert settings.quiet_hours_start == datetime.time(21, 30)
    assert settings.quiet_hours_end == datetime.time(6, 30)
    assert settings.cool_down_minutes == 45


def test_overview_and_device_page_show_open_alerts(commune_a, classroom, open_alert, elected_a):
    """The IoT overview and the device page say how many alerts are open, with a link."""
    client = signed_in_client(elected_a)
    overview = client.get(reverse("staff:iot:overview", args=[commune_a.slug])).content.decode()
    assert "1 alerte ouverte" in overview
    assert _url("alerts", commune_a) in overview
    device_page = client.get(
        reverse("staff:iot:device", args=[commune_a.slug, classroom.pk])
    ).content.decode()
    assert "1 alerte ouverte" in device_page
    assert f"{_url('alerts', commune_a)}?device={classroom.pk}" in device_page


def test_open_alerts_selector_for_the_air_quality_report(commune_a, classroom, open_alert):
    """``open_alerts`` gives the open CO2 alerts of chosen devices (closed ones left out)."""
    from clocher.iot.selectors_alerts import open_alerts

    assert list(open_alerts(commune_a, quantity="co2")) == [open_alert]
    assert list(open_alerts(commune_a, device_ids=[classroom.pk], quantity="co2")) == [open_alert]
    assert list(open_alerts(commune_a, quantity="level")) == []
    assert list(open_alerts(commune_a, device_ids=[])) == []
    Alert.objects.filter(pk=open_alert.pk).update(status=AlertStatus.CLOSED)
    assert list(open_alerts(commune_a)) == []
