"""Routes of the registry pages: cemeteries, plan, plots, concessions, deceased, operations."""

from django.urls import path

from clocher.cimetiere.views import browse

urlpatterns = [
    path("", browse.home, name="home"),
]
