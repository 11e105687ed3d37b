"""Back-office routes of démarches: exports of requests, and the legal hold of a request that
keeps it from anonymisation (part E: privacy and records)."""

from django.urls import path

from clocher.demarches.views import exports

urlpatterns = [
    path("exports/", exports.export_list, name="exports"),
    path("exports/<int:export>/telecharger/", exports.export_download, name="export-download"),
    path(
        "demandes/<int:citizen_request>/conservation-legale/",
        exports.legal_hold,
        name="request-legal-hold",
    ),
]
