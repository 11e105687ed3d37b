"""Back-office routes of démarches: exports."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
