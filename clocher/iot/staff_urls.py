"""Back-office pages of Cité IoT, under ``/mairie/<commune>/iot/`` (``staff:iot``)."""

from django.urls import include, path

from clocher.iot import views, views_alerts, views_catalog, views_control, views_health

app_name = "iot"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("appareils/<int:device>/", views.device, name="device"),
    path("batiments/<path:building>/", views.building, name="building"),
    path("en-attente/<str:dev_eui>/", views.claim, name="claim"),
    path("importer/", views.devices_import, name="import"),
    path("sante/", views_health.health_page, name="health"),
    # Remote control.
    path("appareils/<int:device>/commandes/", views_control.device_control, name="control"),
    path(
        "appareils/<int:device>/commandes/<str:command_name>/",
        views_control.command_confirm,
        name="command_confirm",
    ),
    path(
        "appareils/<int:device>/adresse-reseau/",
        views_control.device_network,
        name="device_network",
    ),
    path("commandes/", views_control.commands_journal, name="commands"),
    path("commandes/<int:command>/", views_control.command_detail, name="command"),
    path("programmations/", views_control.schedules, name="schedules"),
    path("programmations/nouvelle/", views_control.schedule_create, name="schedule_create"),
    path("programmations/<int:schedule>/", views_control.schedule_detail, name="schedule"),
    path(
        "programmations/<int:schedule>/modifier/",
        views_control.schedule_edit,
        name="schedule_edit",
    ),
    path(
        "programmations/<int:schedule>/activation/",
        views_control.schedule_toggle,
        name="schedule_toggle",
    ),
    path("reglages-commandes/", views_control.control_settings, name="control_settings"),
    path("appareils/<int:device>/modifier/", views_catalog.device_edit, name="device-edit"),
    path("profils/", views_catalog.profiles_page, name="profiles"),
    path("profils/adopter/", views_catalog.profile_adopt, name="profile-adopt"),
    path(
        "profils/<int:profile_adoption>/arreter/", views_catalog.profile_stop, name="profile-stop"
    ),
    path("donnees-ouvertes/", views_catalog.opendata_page, name="opendata"),
    path(
        "donnees-ouvertes/<int:device>/<str:quantity>/",
        views_catalog.opendata_publish,
        name="opendata-publish",
    ),
    path(
        "donnees-ouvertes/<int:device>/<str:quantity>/retirer/",
        views_catalog.opendata_unpublish,
        name="opendata-unpublish",
    ),
    path("rapports/", include("clocher.iot.reports.urls")),
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
