"""Public pages of the cemetery, under ``/communes/<commune>/cimetiere/`` (``public:cimetiere``),
open only where the commune chose to publish them (``CemeterySettings.public_search_enabled``)."""

from django.urls import path

from clocher.cimetiere.views import public

app_name = "cimetiere"
urlpatterns = [
    path("", public.find_grave, name="find-grave"),
    path("reprises/", public.abandonment_notices, name="abandonment-notices"),
]
