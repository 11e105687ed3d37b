"""Back-office pages of the cemetery, under ``/mairie/<commune>/cimetiere/`` (``staff:cimetiere``).

Each part of the module keeps its routes in its own ``urls_*.py``; this file only joins them.
"""

from django.urls import path

from clocher.cimetiere import (
    urls_abandonment,
    urls_browse,
    urls_concessions,
    urls_documents,
    urls_import,
)
from clocher.cimetiere.views import forecast

app_name = "cimetiere"
urlpatterns = [
    *urls_browse.urlpatterns,
    *urls_import.urlpatterns,
    *urls_documents.urlpatterns,
    *urls_abandonment.urlpatterns,
    *urls_concessions.urlpatterns,
    path("prevision/", forecast.forecast, name="forecast"),
]
