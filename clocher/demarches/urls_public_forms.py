"""Public routes of démarches: the catalogue and filling in a procedure's form."""

from django.urls import path

from clocher.demarches.views import public

urlpatterns = [
    path("", public.catalogue, name="catalogue"),
]
