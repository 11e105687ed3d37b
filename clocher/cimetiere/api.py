"""Cemetery API, under ``/api/v1/communes/{commune_slug}/cemetery/`` (``ModuleInfo.api_prefix``).

- ``GET …/concessions``: the commune's current concessions with their legal clock (commune API
  key with the ``cemetery:read`` scope; the key's commune must be the path's, otherwise 404).
- ``GET …/graves?name=…``: "find a grave", public, only where the commune opted in
  (``CemeterySettings.public_search_enabled``), otherwise 404. It gives the deceased's name, date
  of death and place (cemetery, section, plot), never anything about the holders.
"""

import dataclasses
import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema

from clocher.cimetiere import selectors
from clocher.cimetiere.legal_clock import clocks_for_commune
from clocher.cimetiere.models import Concession
from clocher.core.api.auth import api_key_auth, key_commune, require_scope
from clocher.core.api.errors import ApiError
from clocher.core.api.pagination import Pagination, paginate
from clocher.tenancy.selectors import communes_active

router = Router(tags=["cimetière"])

GRAVES_MAX_RESULTS = 50
NAME_MIN_LENGTH = 2

ApiConcessionState = Literal["active", "expiring", "renewal_window", "repossessable", "perpetual"]


class ConcessionOut(Schema):
    id: int
    number: str
    kind: str
    duration_years: int | None = Field(description="Durée de la période en cours, en années.")
    act_date: datetime.date | None
    expires_on: datetime.date | None = Field(description="null pour une concession perpétuelle.")
    renewal_window_ends_on: datetime.date | None = Field(
        description="Dernier jour du délai de deux ans pour renouveler (L2223-15)."
    )
    repossessable_from: datetime.date | None
    state: ApiConcessionState
    abandonment_eligible: bool
    last_burial_date: datetime.date | None
    cemetery: str
    section: str
    plot: str


class ConcessionFilter(Schema):
    state: ApiConcessionState | None = Field(None, description="Ne garder que cet état.")


class GraveOut(Schema):
    last_name: str
    first_names: str
    birth_name: str
    death_date: datetime.date | None
    cemetery: str
    section: str
    plot: str


class GravesOut(Schema):
    items: list[GraveOut]
    truncated: bool = Field(
        description=f"Vrai quand plus de {GRAVES_MAX_RESULTS} sépultures correspondent : "
        "précisez le nom."
    )


@router.get(
    "/concessions",
    response=list[ConcessionOut],
    auth=api_key_auth,
    summary="Concessions en cours et leurs échéances légales",
)
@require_scope("cemetery:read")
@paginate(Pagination)
def concession_list(
    request: HttpRequest, commune_slug: Path[str], filters: Query[ConcessionFilter]
) -> list[dict[str, Any]]:
    """Les concessions en cours (non terminées) de la commune, par numéro, avec leur échéance,
    leur état légal (`active`, `expiring` : expire dans les 12 mois, `renewal_window` : expirée,
    dans les deux ans où elle peut encore être renouvelée, `repossessable`, `perpetual`), la date
    à partir de laquelle la commune peut reprendre le terrain, la dernière inhumation et
    l'éligibilité à la procédure de reprise pour état d'abandon (R2223-12)."""
    commune = key_commune(request, commune_slug)
    clocks = clocks_for_commune(commune, today=timezone.localdate(), include_ended=False)
    rows = (
        Concession.objects.for_commune(commune)
        .filter(ended_on__isnull=True)
        .order_by("number", "pk")
        .values_list(
            "pk",
            "number",
            "act_date",
            "plot__number",
            "plot__section__name",
            "plot__cemetery__name",
        )
    )
    items = []
    for pk, number, act_date, plot, section, cemetery in rows:
        clock = clocks[pk]
        if filters.state and clock.state != filters.state:
            continue
        items.append(
            {
                "id": pk,
                "number": number,
                "kind": clock.kind,
                "duration_years": clock.duration_years,
                "act_date": act_date,
                "expires_on": clock.expires_on,
                "renewal_window_ends_on": clock.renewal_window_ends_on,
                "repossessable_from": clock.repossessable_from,
                "state": str(clock.state),
                "abandonment_eligible": clock.abandonment_eligible,
                "last_burial_date": clock.last_burial_date,
                "cemetery": cemetery,
                "section": section,
                "plot": plot,
            }
        )
    return items


class GraveSearch(Schema):
    name: str = Field(
        ..., min_length=NAME_MIN_LENGTH, max_length=100, description="Nom du défunt recherché."
    )


@router.get("/graves", response=GravesOut, auth=None, summary="Trouver une sépulture")
def grave_search(
    request: HttpRequest, commune_slug: Path[str], search: Query[GraveSearch]
) -> dict[str, Any]:
    """Où repose une personne défunte : nom, date de décès, cimetière, carré et emplacement.
    Public, sans clé, seulement pour les communes qui ont ouvert la recherche (sinon 404).
    La recherche ignore les accents et les majuscules ; au plus 50 résultats. Aucune donnée des
    concessionnaires n'est jamais donnée."""
    commune = communes_active().filter(slug=commune_slug).first()
    if commune is None or not selectors.public_search_enabled(commune):
        raise ApiError(404)
    if len(selectors.fold(search.name).replace(" ", "")) < NAME_MIN_LENGTH:
        raise ApiError(
            422,
            "invalid",
            details=[
                {
                    "field": "name",
                    "message": str(_("Entrez au moins 2 lettres du nom.")),
                    "code": "too_short",
                    "location": "query",
                }
            ],
        )
    graves, truncated = selectors.public_graves(commune, search.name, limit=GRAVES_MAX_RESULTS)
    items = [dataclasses.asdict(grave) for grave in graves]
    return {"items": items, "truncated": truncated}
