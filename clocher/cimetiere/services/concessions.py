"""Writes on concessions: grant, renew, end (CGCT L2223-13 to L2223-15).

Each service is keyword-only and atomic, checks its legal preconditions with the legal clock
(``clocher.cimetiere.legal_clock``) and raises :class:`LegalRefusal` (plain French, with the
article) when the law does not allow the step; nothing is written then. These are not
security-relevant actions, so they are not written to the audit journal; the rows themselves
(concession, renewal, ``ended_on``) are the history.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from clocher.cimetiere.legal_clock import (
    LegalRefusal,
    check_concedable,
    check_duration,
    check_renewal,
    check_repossession_after_expiry,
    concession_clock,
)
from clocher.cimetiere.models import (
    Beneficiary,
    Concession,
    ConcessionEndReason,
    ConcessionKind,
    ConcessionRenewal,
    ConcessionScope,
    Holder,
    Plot,
    Tariff,
)

if TYPE_CHECKING:
    from clocher.tenancy.models import Commune

__all__ = [
    "LegalRefusal",
    "beneficiary_add",
    "concession_end",
    "concession_grant",
    "concession_renew",
    "holder_save",
    "next_concession_number",
    "tariff_in_force",
    "tariff_set",
]

HOLDER_FIELDS = ("full_name", "address", "phone", "email", "is_deceased")


def _same_commune(commune: Commune, *objects: Any) -> None:
    for obj in objects:
        if obj.commune_id != commune.pk:
            raise ValueError(f"{obj!r} does not belong to commune {commune.pk}")


def tariff_in_force(
    commune: Commune,
    plot_kind: str,
    kind: str,
    duration_years: int | None,
    surface: Decimal | None,
    *,
    on: datetime.date,
) -> Tariff | None:
    """The council's tariff (L2223-15) valid on ``on`` for that plot kind, concession kind and
    duration, in the smallest surface category that holds ``surface`` (a tariff without
    ``max_surface_m2`` has no upper bound). With an unknown surface, the smallest category.
    Among equal candidates, the most recent ``valid_from``. None when the council set none."""
    tariffs = (
        Tariff.objects.for_commune(commune)
        .filter(plot_kind=plot_kind, kind=kind, valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    )
    if kind == ConcessionKind.TEMPORARY:
        tariffs = tariffs.filter(duration_years=duration_years)
    if surface is not None:
        tariffs = tariffs.filter(Q(max_surface_m2__isnull=True) | Q(max_surface_m2__gte=surface))
    candidates = list(tariffs)
    if not candidates:
        return None

    def order(tariff: Tariff) -> tuple[bool, Decimal, int]:
        bounded = tariff.max_surface_m2 is not None
        limit = tariff.max_surface_m2 if bounded else Decimal(0)
        return (not bounded, limit or Decimal(0), -tariff.valid_from.toordinal())

    return min(candidates, key=order)


@transaction.atomic
def concession_grant(
    *,
    commune: Commune,
    actor: Any,
    plot: Plot,
    kind: str,
    duration_years: int | None = None,
    act_date: datetime.date,
    number: str,
    scope: str = ConcessionScope.UNKNOWN,
    surface_m2: Decimal | None = None,
    price_paid: Decimal | None = None,
    holders: list[dict[str, Any]],
) -> Concession:
    """Grant a concession on ``plot`` (L2223-13). Refused when the plot cannot be conceded
    (common ground, ossuary…, L2223-13/L2223-18), already has an active concession, or the
    duration is not one of L2223-14 (temporary ≤ 15 years with its duration, 30, 50,
    perpetual)."""
    _same_commune(commune, plot)
    plot = Plot.objects.select_for_update().get(pk=plot.pk)
    check_concedable(plot)
    check_duration(kind, duration_years)
    active = Concession.objects.for_commune(commune).filter(plot=plot, ended_on__isnull=True)
    if active.exists():
        current = active.first()
        raise LegalRefusal(
            _(
                "L'emplacement %(plot)s porte déjà une concession en cours (n° %(number)s) : "
                "une seconde concession n'est possible qu'après sa fin (L2223-13, L2223-15)."
            )
            % {"plot": str(plot), "number": (current.number if current else "") or "?"},
            article="L2223-13",
        )
    concession = Concession.objects.create(
        commune=commune,
        plot=plot,
        number=number,
        act_date=act_date,
        kind=kind,
        duration_years=duration_years if kind == ConcessionKind.TEMPORARY else None,
        scope=scope,
        surface_m2=surface_m2 if surface_m2 is not None else plot.surface_m2,
        price_paid=price_paid,
    )
    for position, holder in enumerate(holders):
        values = {key: holder[key] for key in HOLDER_FIELDS if key in holder}
        Holder.objects.create(commune=commune, concession=concession, position=position, **values)
    return concession


@transaction.atomic
def concession_renew(
    *,
    commune: Commune,
    actor: Any,
    concession: Concession,
    kind: str | None = None,
    duration_years: int | None = None,
    decided_on: datetime.date,
    requested_by: str = "",
    requester_relationship: str = "",
) -> ConcessionRenewal:
    """Renew ``concession`` (L2223-15) for a new period that starts at the previous expiry,
    at the tariff in force on ``decided_on``. Allowed from 12 months before expiry until the last
    day of the two-year window; refused for a perpetual or ended concession. Any heir may ask
    (``requested_by``); the renewal benefits all heirs and the holder does not change.
    ``kind`` defaults to the current period's kind (and duration, for a temporary one)."""
    _same_commune(commune, concession)
    concession = Concession.objects.select_for_update().select_related("plot").get(pk=concession.pk)
    clock = concession_clock(concession, today=decided_on)
    check_renewal(clock, decided_on=decided_on)
    assert clock.expires_on is not None  # guaranteed by check_renewal
    new_kind = kind or clock.kind
    if new_kind == ConcessionKind.TEMPORARY and duration_years is None and kind is None:
        duration_years = clock.duration_years
    check_duration(new_kind, duration_years)
    years = duration_years if new_kind == ConcessionKind.TEMPORARY else None
    surface = concession.surface_m2 if concession.surface_m2 is not None else None
    if surface is None:
        surface = concession.plot.surface_m2
    tariff = tariff_in_force(commune, concession.plot.kind, new_kind, years, surface, on=decided_on)
    return ConcessionRenewal.objects.create(
        commune=commune,
        concession=concession,
        decided_on=decided_on,
        period_start=clock.expires_on,
        kind=new_kind,
        duration_years=years,
        price_paid=tariff.price if tariff else None,
        tariff=tariff,
        requested_by=requested_by,
        requester_relationship=requester_relationship,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def concession_end(
    *,
    commune: Commune,
    actor: Any,
    concession: Concession,
    on: datetime.date,
    reason: str,
) -> Concession:
    """End ``concession`` on ``on``; the row stays in the plot's history.

    A repossession after expiry is refused before ``repossessable_from`` (two full years after
    expiry, L2223-15) and for a concession without expiry. A repossession for abandonment
    (L2223-17) is recorded as asked: its steps are checked by the abandonment procedure.
    Retrocession and conversion may happen at any time."""
    _same_commune(commune, concession)
    concession = Concession.objects.select_for_update().get(pk=concession.pk)
    if reason not in ConcessionEndReason.values:
        raise ValueError(f"unknown end reason {reason!r}")
    if concession.ended_on is not None:
        raise LegalRefusal(_("Cette concession a déjà pris fin."), article="L2223-15")
    if reason == ConcessionEndReason.REPOSSESSED_AFTER_EXPIRY:
        check_repossession_after_expiry(concession_clock(concession, today=on), on=on)
    concession.ended_on = on
    concession.end_reason = reason
    concession.save(update_fields=["ended_on", "end_reason"])
    return concession


# --- Tariffs, holders and beneficiaries (secretary's pages) ------------------------------------


@transaction.atomic
def tariff_set(
    *,
    commune: Commune,
    actor: Any,
    plot_kind: str,
    kind: str,
    duration_years: int | None = None,
    max_surface_m2: Decimal | None = None,
    price: Decimal,
    valid_from: datetime.date,
    deliberation_reference: str = "",
) -> Tariff:
    """Record a price voted by the municipal council (L2223-15). The tariff still open for the
    same category (plot kind, concession kind, duration, surface limit) that started before
    ``valid_from`` is closed the day before; one starting on or after ``valid_from`` is refused
    (the council's deliberations follow each other in time)."""
    years = duration_years if kind == ConcessionKind.TEMPORARY else None
    check_duration(kind, years)
    same = (
        Tariff.objects.for_commune(commune)
        .select_for_update()
        .filter(plot_kind=plot_kind, kind=kind, duration_years=years, max_surface_m2=max_surface_m2)
    )
    if same.filter(valid_from__gte=valid_from).exists():
        raise LegalRefusal(
            _(
                "Un tarif de cette catégorie est déjà en vigueur à partir de cette date ou "
                "après : le nouveau tarif doit commencer plus tard (L2223-15)."
            ),
            article="L2223-15",
        )
    day_before = valid_from - datetime.timedelta(days=1)
    same.filter(valid_from__lt=valid_from).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=day_before)
    ).update(valid_until=day_before)
    return Tariff.objects.create(
        commune=commune,
        plot_kind=plot_kind,
        kind=kind,
        duration_years=years,
        max_surface_m2=max_surface_m2,
        price=price,
        valid_from=valid_from,
        deliberation_reference=deliberation_reference,
    )


def next_concession_number(commune: Commune, *, year: int) -> str:
    """A suggestion for the next act number: the highest trailing number of the commune's acts
    plus one, keeping that act's prefix (« 2024-017 » → « 2024-018 »); « <year>-001 » at first."""
    best: tuple[int, str, int] | None = None
    numbers = Concession.objects.for_commune(commune).exclude(number="")
    for number in numbers.values_list("number", flat=True):
        digits = len(number) - len(number.rstrip("0123456789"))
        if not digits:
            continue
        value = int(number[-digits:])
        if best is None or value > best[0]:
            best = (value, number[:-digits], digits)
    if best is None:
        return f"{year}-001"
    value, prefix, width = best
    return f"{prefix}{value + 1:0{width}d}"


@transaction.atomic
def holder_save(
    *, commune: Commune, actor: Any, concession: Concession, holder: Holder | None, **values: Any
) -> Holder:
    """Add a holder to ``concession`` or update one's contact details (sealed in the vault).
    The holder of record does not change at a renewal (L2223-15): this records a co-holder
    named in the act, or corrects an address."""
    _same_commune(commune, concession)
    fields = {key: values[key] for key in HOLDER_FIELDS if key in values}
    if holder is None:
        position = concession.holders.count()
        return Holder.objects.create(
            commune=commune, concession=concession, position=position, **fields
        )
    _same_commune(commune, holder)
    if holder.concession_id != concession.pk:
        raise ValueError(f"{holder!r} is not a holder of concession {concession.pk}")
    for key, value in fields.items():
        setattr(holder, key, value)
    holder.save(update_fields=list(fields))
    return holder


@transaction.atomic
def beneficiary_add(
    *,
    commune: Commune,
    actor: Any,
    concession: Concession,
    full_name: str,
    relationship: str = "",
    address: str = "",
) -> Beneficiary:
    """Record an ayant droit declared by a holder: a person entitled to be buried in the
    concession (L2223-13)."""
    _same_commune(commune, concession)
    if concession.ended_on is not None:
        raise LegalRefusal(
            _("Cette concession a pris fin : on ne peut plus y déclarer d'ayant droit."),
            article="L2223-13",
        )
    return Beneficiary.objects.create(
        commune=commune,
        concession=concession,
        full_name=full_name,
        relationship=relationship,
        address=address,
    )
