"""Public routes of démarches: rights."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
