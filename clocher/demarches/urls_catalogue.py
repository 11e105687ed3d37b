"""Back-office routes of démarches: catalogue (procedures, adoption, publication, updates)."""

from django.urls import path

from clocher.demarches.views import catalogue

urlpatterns = [
    path("procedures/", catalogue.procedures, name="procedures"),
    path("procedures/adopter/", catalogue.procedure_adopt, name="procedure-adopt"),
    path("procedures/<int:online_procedure>/", catalogue.procedure, name="procedure"),
    path(
        "procedures/<int:online_procedure>/publier/",
        catalogue.procedure_publish,
        name="procedure-publish",
    ),
    path(
        "procedures/<int:online_procedure>/retirer/",
        catalogue.procedure_unpublish,
        name="procedure-unpublish",
    ),
    path(
        "procedures/<int:online_procedure>/mise-a-jour/",
        catalogue.procedure_update,
        name="procedure-update",
    ),
]
