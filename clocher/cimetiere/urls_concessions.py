"""Routes of the secretary's concession pages: grant, renew, repossess, people, tariffs."""

from django.urls import path

from clocher.cimetiere.views import concessions

urlpatterns = [
    path(
        "emplacements/<int:plot>/concession/",
        concessions.concession_grant,
        name="concession-grant",
    ),
    path(
        "concessions/<int:concession>/accordee/",
        concessions.concession_granted,
        name="concession-granted",
    ),
    path(
        "concessions/<int:concession>/renouveler/",
        concessions.concession_renew,
        name="concession-renew",
    ),
    path(
        "concessions/<int:concession>/reprise-apres-expiration/",
        concessions.concession_end,
        name="concession-end",
    ),
    path(
        "concessions/<int:concession>/ayants-droit/nouveau/",
        concessions.beneficiary_add,
        name="concession-beneficiary-add",
    ),
    path(
        "concessions/<int:concession>/titulaires/nouveau/",
        concessions.holder_add,
        name="concession-holder-add",
    ),
    path(
        "titulaires/<int:holder>/modifier/",
        concessions.holder_edit,
        name="concession-holder-edit",
    ),
    path("tarifs/", concessions.tariffs, name="tariffs"),
    path("tarifs/nouveau/", concessions.tariff_create, name="tariff-create"),
    path(
        "lettres-renouvellement.pdf",
        concessions.renewal_letters_due,
        name="renewal-letters-due",
    ),
]
