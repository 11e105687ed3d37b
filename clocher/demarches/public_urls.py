"""Public pages of démarches, under ``/communes/<commune>/demarches/`` (``public:demarches``)."""

from django.urls import URLPattern

app_name = "demarches"
urlpatterns: list[URLPattern] = []
