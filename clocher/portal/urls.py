from django.urls import path

from clocher.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibilite/", views.accessibility, name="accessibility"),
]
