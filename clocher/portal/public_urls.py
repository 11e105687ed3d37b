from django.urls import path

from clocher.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.commune_home, name="commune-home"),
    path("logo", views.commune_logo, name="commune-logo"),
]
