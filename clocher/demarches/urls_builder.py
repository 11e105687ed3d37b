"""Back-office routes of démarches: builder."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
