"""Routes of the documents: PDFs from shared templates, public registers, template copies."""

from django.urls import path

from clocher.cimetiere.views import documents

urlpatterns = [
    path("documents/", documents.documents, name="documents"),
    path("documents/modele/", documents.template_edit, name="document-template-edit"),
    path(
        "documents/modele/reinitialiser/",
        documents.template_reset,
        name="document-template-reset",
    ),
    path(
        "documents/modele/exemple.pdf",
        documents.template_example_pdf,
        name="document-template-example",
    ),
    path(
        "concessions/<int:concession>/titre.pdf",
        documents.concession_deed,
        name="document-concession-deed",
    ),
    path(
        "concessions/<int:concession>/lettre-renouvellement.pdf",
        documents.renewal_letter,
        name="document-renewal-letter",
    ),
    path(
        "operations/<int:operation>/autorisation-inhumation.pdf",
        documents.burial_authorisation,
        name="document-burial-authorisation",
    ),
    path(
        "operations/<int:operation>/autorisation-exhumation.pdf",
        documents.exhumation_authorisation,
        name="document-exhumation-authorisation",
    ),
    path("registres/ossuaire/", documents.ossuary_register, name="ossuary-register"),
    path(
        "registres/ossuaire.pdf",
        documents.ossuary_register_pdf,
        name="document-ossuary-register",
    ),
    path("registres/cendres/", documents.ash_register, name="ash-register"),
    path("registres/cendres.pdf", documents.ash_register_pdf, name="document-ash-register"),
    path(
        "carres/<int:section>/liste.pdf",
        documents.section_listing,
        name="document-section-listing",
    ),
]
