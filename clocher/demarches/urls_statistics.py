"""Back-office routes of démarches: statistics."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
