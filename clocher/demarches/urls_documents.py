"""Back-office routes of démarches: documents."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
