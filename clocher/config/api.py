"""The JSON API, version 1: one NinjaAPI, one router per module."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Clocher API",
    version="1",
    urls_namespace="api-v1",
    description="API des services numériques mutualisés des communes.",
)
