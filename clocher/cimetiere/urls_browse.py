"""Routes of the registry pages: cemeteries, plan, plots, concessions, deceased, operations."""

from django.urls import path

from clocher.cimetiere.views import browse

urlpatterns = [
    path("", browse.home, name="home"),
    path("cimetieres/nouveau/", browse.cemetery_create, name="cemetery-create"),
    path("cimetieres/<int:cemetery>/", browse.cemetery, name="cemetery"),
    path("cimetieres/<int:cemetery>/carres/nouveau/", browse.section_create, name="section-create"),
    path(
        "cimetieres/<int:cemetery>/emplacements/nouveaux/", browse.plots_create, name="plots-create"
    ),
    path("cimetieres/<int:cemetery>/contours/", browse.geometry_import, name="geometry-import"),
    path("emplacements/<int:plot>/", browse.plot, name="plot"),
    path("emplacements/<int:plot>/modifier/", browse.plot_edit, name="plot-edit"),
    path("emplacements/<int:plot>/inhumation/", browse.burial_create, name="burial-create"),
    path("emplacements/<int:plot>/exhumation/", browse.exhumation_create, name="exhumation-create"),
    path("emplacements/<int:plot>/translation/", browse.transfer_create, name="transfer-create"),
    path("emplacements/<int:plot>/reduction/", browse.reduction_create, name="reduction-create"),
    path(
        "emplacements/<int:plot>/retrait-urne/",
        browse.urn_removal_create,
        name="urn-removal-create",
    ),
    path(
        "emplacements/<int:plot>/dispersion/",
        browse.ash_scattering_create,
        name="ash-scattering-create",
    ),
    path(
        "emplacements/<int:plot>/ossuaire/", browse.ossuary_move_create, name="ossuary-move-create"
    ),
    path("concessions/<int:concession>/", browse.concession, name="concession"),
    path("defunts/", browse.deceased_search, name="deceased-search"),
    path("operations/", browse.operations, name="operations"),
    path("operations/<int:operation>/", browse.operation, name="operation"),
]
