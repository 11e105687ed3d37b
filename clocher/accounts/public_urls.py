"""A commune's optional citizen account, under ``/communes/<commune_slug>/compte/``
(namespace ``public:citizen``). The magic link carries its token in the query string
(``lien/?jeton=…``) and the FranceConnect button posts the provider's name, so no route has a
parameter other than the commune. The OIDC callback is the shared ``accounts:oidc-callback``."""

from django.urls import path

from clocher.accounts import public_views

app_name = "citizen"
urlpatterns = [
    path("", public_views.space_view, name="space"),
    path("connexion/", public_views.login_view, name="login"),
    path("lien/", public_views.link_view, name="link"),
    path("deconnexion/", public_views.logout_view, name="logout"),
    path("oidc/", public_views.oidc_start_view, name="oidc-start"),
]
