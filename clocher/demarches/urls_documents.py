"""Back-office routes of démarches: documents (acknowledgment and decision PDFs, decision texts)."""

from django.urls import path

from clocher.demarches.views import documents

urlpatterns = [
    path(
        "demandes/<int:citizen_request>/accuse-de-reception.pdf",
        documents.acknowledgment_pdf_staff,
        name="acknowledgment-pdf-staff",
    ),
    path(
        "demandes/<int:citizen_request>/decision.pdf",
        documents.decision_pdf_staff,
        name="decision-pdf-staff",
    ),
    path("modeles-de-decision/", documents.decision_templates, name="decision-templates"),
]
