"""Staff sign-in, second factor and OpenID Connect, under ``/compte/`` (namespace ``accounts``)."""

from django.urls import path

from clocher.accounts import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("verification/", views.verify_view, name="verify"),
    path("double-authentification/", views.enrol_view, name="enrol"),
    path("securite/", views.security_view, name="security"),
    path("securite/codes-de-secours/", views.recovery_codes_view, name="recovery-codes"),
    path("apres-connexion/", views.after_login_view, name="after-login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("oidc/<slug:provider>/", views.oidc_start_view, name="oidc-start"),
    path("oidc/<slug:provider>/retour/", views.oidc_callback_view, name="oidc-callback"),
]
