"""Back-office routes of démarches: catalogue."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
