from django.urls import path

from clocher.backoffice.views import staff_activation
from clocher.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    # The link of a staff invitation e-mail (the account has no password yet, so this page lives
    # outside the signed-in back-office).
    path("activer-mon-compte/<uidb64>/<token>/", staff_activation, name="staff-activation"),
]
