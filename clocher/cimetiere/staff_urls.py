"""Back-office pages of the cemetery, under ``/mairie/<commune>/cimetiere/``."""

from django.urls import path

from clocher.cimetiere import views

app_name = "cimetiere"
urlpatterns = [
    path("", views.home, name="home"),
]
