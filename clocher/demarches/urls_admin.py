"""Back-office routes of démarches: admin."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
