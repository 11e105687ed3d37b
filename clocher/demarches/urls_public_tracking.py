"""Public routes of démarches: tracking."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
