"""Public routes of démarches: the citizen's data of one request (see, export, erase), by the
secret of its tracking link."""

from django.urls import path

from clocher.demarches.views import rights

urlpatterns = [
    path("suivi/<str:token>/mes-donnees/", rights.my_data, name="my-data"),
    path("suivi/<str:token>/mes-donnees.json", rights.my_data_json, name="my-data-json"),
    path("suivi/<str:token>/mes-donnees.pdf", rights.my_data_pdf, name="my-data-pdf"),
    path("suivi/<str:token>/mes-donnees/effacer/", rights.my_data_erase, name="my-data-erase"),
]
