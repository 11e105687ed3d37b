"""Back-office pages of Cité IoT, under ``/mairie/<commune>/iot/`` (``staff:iot``)."""

from django.urls import path

from clocher.iot import views, views_health

app_name = "iot"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("appareils/<int:device>/", views.device, name="device"),
    path("batiments/<str:building>/", views.building, name="building"),
    path("en-attente/<str:dev_eui>/", views.claim, name="claim"),
    path("importer/", views.devices_import, name="import"),
    path("sante/", views_health.health_page, name="health"),
]
