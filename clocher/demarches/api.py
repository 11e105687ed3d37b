"""Démarches API, under ``/api/v1/communes/{commune_slug}/`` (``ModuleInfo.api_prefix``)."""

from ninja import Router

router = Router(tags=["démarches"])
