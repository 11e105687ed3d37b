"""Back-office routes of démarches: statistics per procedure (counts only, no personal data)."""

from django.urls import path

from clocher.demarches.views import statistics

urlpatterns = [
    path("statistiques/", statistics.statistics_page, name="statistics"),
    path("statistiques/chiffres.csv", statistics.statistics_csv, name="statistics-csv"),
]
