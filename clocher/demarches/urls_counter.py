"""Back-office routes of démarches: counter."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
