"""Back-office routes of démarches: entering a request on a citizen's behalf (counter, phone,
letter, e-mail)."""

from django.urls import path

from clocher.demarches.views import counter

urlpatterns = [
    path("guichet/", counter.counter, name="counter"),
    path("guichet/<int:online_procedure>/", counter.counter_entry, name="counter-entry"),
    path(
        "guichet/enregistree/<int:citizen_request>/",
        counter.counter_done,
        name="counter-done",
    ),
]
