"""Back-office routes of démarches: instruction."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
