"""Back-office pages of Cité IoT, under ``/mairie/<commune>/iot/`` (``staff:iot``)."""

from django.urls import include, path

from clocher.iot import views

app_name = "iot"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("appareils/<int:device>/", views.device, name="device"),
    path("batiments/<str:building>/", views.building, name="building"),
    path("en-attente/<str:dev_eui>/", views.claim, name="claim"),
    path("importer/", views.devices_import, name="import"),
    path("rapports/", include("clocher.iot.reports.urls")),
]
