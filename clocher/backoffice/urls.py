"""The back-office shell at ``/mairie/<commune_slug>/`` (namespace ``staff:backoffice``)."""

from django.urls import path

from clocher.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("membres/", views.members, name="members"),
    path("membres/ajouter/", views.member_add, name="member-add"),
    path("membres/<int:membership>/retirer/", views.member_revoke, name="member-revoke"),
    path(
        "membres/<int:membership>/renvoyer-invitation/",
        views.member_resend_invitation,
        name="member-resend-invitation",
    ),
    path("parametres/", views.commune_settings, name="settings"),
    path("parametres/logo/", views.commune_logo, name="settings-logo"),
    path("journal-des-acces/", views.access_journal, name="access-journal"),
]
