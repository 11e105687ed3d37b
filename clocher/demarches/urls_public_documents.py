"""Public routes of démarches: the citizen's acknowledgment and decision, by tracking secret."""

from django.urls import path

from clocher.demarches.views import documents

urlpatterns = [
    path(
        "suivi/<str:token>/accuse-de-reception.pdf",
        documents.acknowledgment_pdf_public,
        name="acknowledgment-pdf",
    ),
    path("suivi/<str:token>/decision.pdf", documents.decision_pdf_public, name="decision-pdf"),
]
