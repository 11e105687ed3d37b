"""Back-office routes of démarches: mandates."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
