"""API of the tenancy: the communes of the instance (public) and the caller's key (``/me``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from clocher.core.api.auth import api_key_auth
from clocher.core.api.pagination import Pagination, paginate
from clocher.tenancy.models import Commune
from clocher.tenancy.selectors import communes_active

router = Router(tags=["Communes"])


class CommuneSummary(Schema):
    slug: str
    name: str
    insee_code: str
    population: int | None


class CommuneDetail(CommuneSummary):
    latitude: float | None
    longitude: float | None
    address: str
    email: str
    phone: str
    opening_hours: str


class KeyCommune(Schema):
    slug: str
    name: str
    insee_code: str


class MeOut(Schema):
    commune: KeyCommune
    name: str
    prefix: str
    scopes: list[str]


@router.get("/communes", response=list[CommuneSummary], auth=None, summary="Communes de l'instance")
@paginate(Pagination)
def commune_list(request: HttpRequest) -> object:
    """Les communes actives de l'instance, par nom. Public, sans clé."""
    return communes_active().order_by("name", "pk")


@router.get(
    "/communes/{commune_slug}",
    response=CommuneDetail,
    auth=None,
    summary="Fiche publique d'une commune",
)
def commune_detail(request: HttpRequest, commune_slug: str) -> Commune:
    """Les informations publiques d'une commune active. Public, sans clé."""
    return get_object_or_404(communes_active(), slug=commune_slug)


@router.get("/me", response=MeOut, auth=api_key_auth, summary="La clé d'API utilisée")
def me(request: HttpRequest) -> dict[str, object]:
    """La commune, le nom et les portées de la clé d'API qui fait l'appel."""
    api_key = request.api_key  # type: ignore[attr-defined]
    return {
        "commune": api_key.commune,
        "name": api_key.name,
        "prefix": api_key.prefix,
        "scopes": list(api_key.scopes),
    }
