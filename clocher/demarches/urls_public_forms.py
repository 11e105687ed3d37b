"""Public routes of démarches: the catalogue and filling in a procedure's form.

Joined last by ``public_urls.py``: ``<slug:procedure_slug>/`` would catch the other parts' routes.
"""

from django.urls import path

from clocher.demarches.views import public

urlpatterns = [
    path("", public.catalogue, name="catalogue"),
    path("<slug:procedure_slug>/", public.start, name="start"),
    path("<slug:procedure_slug>/formulaire/", public.fill, name="fill"),
    path("<slug:procedure_slug>/enregistre/", public.saved, name="saved"),
    path("<slug:procedure_slug>/reprendre/<str:token>/", public.resume, name="resume"),
    path("<slug:procedure_slug>/recapitulatif/", public.summary, name="summary"),
    path("<slug:procedure_slug>/envoyee/", public.confirmation, name="confirmation"),
]
