"""The operator console, mounted at ``/console/`` (``console:…``)."""

from django.urls import path

from clocher.cimetiere.views import console_documents
from clocher.console import views
from clocher.demarches.views import console_catalogue
from clocher.iot import views_catalog as iot_catalog
from clocher.iot import views_health as iot_health

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("communes/", views.communes, name="communes"),
    path("communes/nouvelle/", views.commune_create, name="commune-create"),
    path("comptes/", views.accounts, name="accounts"),
    path("iot/sante/", iot_health.console_health, name="iot-health"),
    path("modeles/cimetiere/", console_documents.shared_templates, name="cemetery-templates"),
    path(
        "modeles/cimetiere/modifier/",
        console_documents.shared_template_edit,
        name="cemetery-template-edit",
    ),
    path("modeles/demarches/", console_catalogue.templates, name="demarches-templates"),
    path(
        "modeles/demarches/charger/",
        console_catalogue.templates_load,
        name="demarches-templates-load",
    ),
    path(
        "modeles/demarches/<slug:template_slug>/",
        console_catalogue.template_edit,
        name="demarches-template",
    ),
    path("profils-objets/", iot_catalog.console_profiles, name="iot-profiles"),
    path("profils-objets/charger/", iot_catalog.console_profiles_load, name="iot-profiles-load"),
    path(
        "profils-objets/nouveau/",
        iot_catalog.console_profile_create,
        name="iot-profile-create",
    ),
    path(
        "profils-objets/<slug:profile_slug>/modifier/",
        iot_catalog.console_profile_edit,
        name="iot-profile",
    ),
    path(
        "profils-objets/<slug:profile_slug>/publication/",
        iot_catalog.console_profile_publish,
        name="iot-profile-publish",
    ),
    path(
        "profils-objets/<slug:profile_slug>/supprimer/",
        iot_catalog.console_profile_delete,
        name="iot-profile-delete",
    ),
]
