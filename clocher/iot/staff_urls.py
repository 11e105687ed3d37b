"""Back-office pages of Cité IoT, under ``/mairie/<commune>/iot/`` (``staff:iot``)."""

from django.urls import path

from clocher.iot import views, views_catalog

app_name = "iot"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("appareils/<int:device>/", views.device, name="device"),
    path("batiments/<str:building>/", views.building, name="building"),
    path("en-attente/<str:dev_eui>/", views.claim, name="claim"),
    path("importer/", views.devices_import, name="import"),
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
]
