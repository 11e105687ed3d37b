"""Back-office routes of démarches: mailboxes."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
