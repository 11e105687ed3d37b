"""Back-office pages of Cité IoT, under ``/mairie/<commune>/iot/`` (``staff:iot``)."""

from django.urls import path

from clocher.iot import views, views_alerts

app_name = "iot"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("appareils/<int:device>/", views.device, name="device"),
    path("batiments/<str:building>/", views.building, name="building"),
    path("en-attente/<str:dev_eui>/", views.claim, name="claim"),
    path("importer/", views.devices_import, name="import"),
    # Alerts (views_alerts).
    path("alertes/", views_alerts.alerts, name="alerts"),
    path("alertes/<int:alert>/", views_alerts.alert, name="alert"),
    path(
        "alertes/<int:alert>/prendre-en-compte/",
        views_alerts.alert_acknowledge,
        name="alert-acknowledge",
    ),
    path("alertes/<int:alert>/commenter/", views_alerts.alert_comment, name="alert-comment"),
    path("alertes/<int:alert>/clore/", views_alerts.alert_close, name="alert-close"),
    path("alertes/regles/", views_alerts.alert_rules, name="alert-rules"),
    path(
        "alertes/regles/par-defaut/",
        views_alerts.alert_rules_defaults,
        name="alert-rules-defaults",
    ),
    path("alertes/regles/nouvelle/", views_alerts.alert_rule_new, name="alert-rule-new"),
    path("alertes/regles/<int:alert_rule>/", views_alerts.alert_rule, name="alert-rule"),
    path(
        "alertes/regles/<int:alert_rule>/activation/",
        views_alerts.alert_rule_activation,
        name="alert-rule-activation",
    ),
    path("alertes/astreinte/", views_alerts.alert_duty, name="alert-duty"),
    path(
        "alertes/astreinte/ajouter/",
        views_alerts.alert_recipient_new,
        name="alert-recipient-new",
    ),
    path(
        "alertes/astreinte/<int:alert_recipient>/",
        views_alerts.alert_recipient,
        name="alert-recipient",
    ),
    path(
        "alertes/astreinte/<int:alert_recipient>/retirer/",
        views_alerts.alert_recipient_remove,
        name="alert-recipient-remove",
    ),
]
