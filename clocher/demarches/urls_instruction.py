"""Back-office routes of démarches: instruction (inbox, request page and its actions)."""

from django.urls import path

from clocher.demarches.views import inbox, request

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("demandes/actions-groupees/", inbox.bulk_action, name="inbox-bulk"),
    path("demandes/<int:citizen_request>/", request.request_page, name="request"),
    path(
        "demandes/<int:citizen_request>/statut/",
        request.status_change,
        name="request-status",
    ),
    path(
        "demandes/<int:citizen_request>/attribution/",
        request.assign,
        name="request-assign",
    ),
    path("demandes/<int:citizen_request>/note/", request.note_add, name="request-note"),
    path(
        "demandes/<int:citizen_request>/message/",
        request.message_citizen,
        name="request-message",
    ),
    path(
        "demandes/<int:citizen_request>/corrections/",
        request.correction,
        name="request-correction",
    ),
    path(
        "demandes/<int:citizen_request>/decision/",
        request.decide,
        name="request-decide",
    ),
    path(
        "demandes/<int:citizen_request>/echeance/",
        request.deadline_set,
        name="request-deadline",
    ),
    path(
        "demandes/<int:citizen_request>/fichiers/<int:request_file>/",
        request.file_download,
        name="request-file",
    ),
]
