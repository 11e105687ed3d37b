"""Public routes of démarches: following a request by its secret link, a citizen account's
own requests."""

from django.urls import path

from clocher.demarches.views import public

urlpatterns = [
    path("suivi/<str:token>/", public.track, name="track"),
    path("mes-demandes/", public.my_requests, name="my-requests"),
]
