"""Back-office routes of démarches: mandates (acting for a citizen with their written consent)."""

from django.urls import path

from clocher.demarches.views import mandates

urlpatterns = [
    path("mandats/", mandates.mandate_list, name="mandates"),
    path("mandats/nouveau/", mandates.mandate_create, name="mandate-create"),
    path("mandats/formulaire-vierge.pdf", mandates.mandate_blank_form, name="mandate-blank-form"),
    path("mandats/<int:mandate>/", mandates.mandate_detail, name="mandate"),
    path("mandats/<int:mandate>/revoquer/", mandates.mandate_revoke, name="mandate-revoke"),
    path("mandats/<int:mandate>/consentement/", mandates.mandate_scan, name="mandate-scan"),
]
