"""Back-office routes of démarches: admin (which families each agent processes)."""

from django.urls import path

from clocher.demarches.views import grants

urlpatterns = [
    path("acces/", grants.grants, name="grants"),
]
