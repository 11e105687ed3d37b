"""Capacity forecast: how many years until each cemetery is full.

For each cemetery, the places available now, the places expected to come back over the years,
and the burial rate of recent years give the first year in which demand exceeds the stock.

- **Places** are counted on plots that receive the dead: conceded kinds and common ground (an
  ossuary, a scattering garden or a temporary depository holds no place).
- **Available now**: free plots (capacity less present burials), common-ground graves reusable
  five years after their last burial (CGCT R2223-5), concessions repossessable (two full years
  after expiry, L2223-15).
- **Coming back**: a concession that becomes repossessable in year *y* frees its plot that year,
  weighted by the share of expired concessions that were *not* renewed in the history window
  (when there is no such history, every concession is assumed renewed: the forecast then never
  counts on places that may not come back); a common-ground grave frees itself five years after
  its last burial.
- **Demand**: the mean number of burials per year over the history window (ash scatterings and
  the ossuary are not burials in a plot).

It is a planning estimate, stated as such in the page; the facts it uses are shown beside it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from clocher.cimetiere.legal_clock import (
    ConcessionState,
    PlotState,
    add_years,
    clocks_for_commune,
    duration_of,
    plot_states,
)
from clocher.cimetiere.models import (
    CONCEDABLE_KINDS,
    Burial,
    Cemetery,
    Concession,
    ConcessionRenewal,
    Plot,
    PlotKind,
)
from clocher.tenancy.models import Commune

PLACE_KINDS = {*CONCEDABLE_KINDS, PlotKind.COMMON_GROUND}
COMMON_GROUND_ROTATION_YEARS = 5
RENEWAL_WINDOW_YEARS = 2


@dataclass(frozen=True)
class CapacityForecast:
    cemetery: Cemetery
    places_total: int
    places_available: int
    burials_per_year: float
    history_years: int
    renewal_rate: float | None
    freed_by_year: dict[int, float] = field(default_factory=dict)
    full_in_year: int | None = None
    horizon_years: int = 30

    def freed_within(self, years: int, *, today: datetime.date) -> float:
        return sum(n for year, n in self.freed_by_year.items() if year < today.year + years)

    @property
    def is_filling(self) -> bool:
        return self.burials_per_year > 0


def _renewal_rate(commune: Commune, *, today: datetime.date, history_years: int) -> float | None:
    """Share of the expiries decided in the history window that were renewed.

    An expiry is *decided* once its two-year window is over; so the window looks at expiries
    between ``today − history − 2 years`` and ``today − 2 years``."""
    window_end = add_years(today, -RENEWAL_WINDOW_YEARS)
    window_start = add_years(window_end, -history_years)
    renewals: dict[int, dict[datetime.date, tuple[str, int | None]]] = defaultdict(dict)
    for concession_id, start, kind, years in ConcessionRenewal.objects.for_commune(
        commune
    ).values_list("concession_id", "period_start", "kind", "duration_years"):
        renewals[concession_id][start] = (kind, years)
    renewed = expired = 0
    for pk, kind, years, act_date in Concession.objects.for_commune(commune).values_list(
        "pk", "kind", "duration_years", "act_date"
    ):
        length = duration_of(kind, years)
        if act_date is None or length is None:
            continue
        end = add_years(act_date, length)
        while end <= window_end:
            following = renewals[pk].get(end)
            if end >= window_start:
                expired += 1
                renewed += following is not None
            if following is None:
                break
            length = duration_of(*following)
            if length is None:
                break
            end = add_years(end, length)
    return renewed / expired if expired else None


def cemetery_forecasts(
    commune: Commune,
    *,
    today: datetime.date,
    history_years: int = 5,
    horizon_years: int = 30,
) -> list[CapacityForecast]:
    """One forecast per cemetery of ``commune`` (a fixed number of queries)."""
    cemeteries = list(Cemetery.objects.for_commune(commune).order_by("name"))
    plots = list(
        Plot.objects.for_commune(commune)
        .filter(kind__in=PLACE_KINDS)
        .values_list("pk", "cemetery_id", "kind", "capacity")
    )
    states = plot_states(commune, today=today)
    present: dict[int, int] = defaultdict(int)
    last_burial: dict[int, datetime.date] = {}
    for plot_id, buried_on in (
        Burial.objects.for_commune(commune)
        .filter(is_present=True)
        .values_list("plot_id", "buried_on")
    ):
        present[plot_id] += 1
        if buried_on is not None and buried_on > last_burial.get(plot_id, datetime.date.min):
            last_burial[plot_id] = buried_on
    history_start = add_years(today, -history_years)
    burials_by_cemetery: dict[int, int] = defaultdict(int)
    for cemetery_id in (
        Burial.objects.for_commune(commune)
        .filter(buried_on__gte=history_start, buried_on__lt=today)
        .values_list("plot__cemetery_id", flat=True)
    ):
        burials_by_cemetery[cemetery_id] += 1
    rate_renewed = _renewal_rate(commune, today=today, history_years=history_years)
    share_freed = 1 - rate_renewed if rate_renewed is not None else 0.0
    repossessable_year: dict[int, int] = {}
    clocks = clocks_for_commune(commune, today=today, include_ended=False)
    concession_plots = dict(
        Concession.objects.for_commune(commune)
        .filter(ended_on__isnull=True)
        .values_list("pk", "plot_id")
    )
    for concession_id, clock in clocks.items():
        if clock.repossessable_from is not None and clock.state in (
            ConcessionState.ACTIVE,
            ConcessionState.EXPIRING,
            ConcessionState.RENEWAL_WINDOW,
        ):
            repossessable_year[concession_plots[concession_id]] = clock.repossessable_from.year

    totals: dict[int, int] = defaultdict(int)
    available: dict[int, int] = defaultdict(int)
    freed: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    last_year = today.year + horizon_years
    for plot_id, cemetery_id, kind, capacity in plots:
        totals[cemetery_id] += capacity
        state = states.get(plot_id)
        if state == PlotState.FREE:
            available[cemetery_id] += max(capacity - present[plot_id], 0)
        elif state in (PlotState.COMMON_GROUND_REUSABLE, PlotState.REPOSSESSABLE):
            available[cemetery_id] += capacity
        elif plot_id in repossessable_year and repossessable_year[plot_id] < last_year:
            freed[cemetery_id][repossessable_year[plot_id]] += capacity * share_freed
        elif kind == PlotKind.COMMON_GROUND and plot_id in last_burial:
            year = add_years(last_burial[plot_id], COMMON_GROUND_ROTATION_YEARS).year
            if year < last_year:
                freed[cemetery_id][year] += capacity

    forecasts = []
    for cemetery in cemeteries:
        per_year = burials_by_cemetery[cemetery.pk] / history_years
        stock = float(available[cemetery.pk])
        full_in_year = None
        if per_year > 0:
            for year in range(today.year, last_year):
                stock += freed[cemetery.pk].get(year, 0.0) - per_year
                if stock < 0:
                    full_in_year = year
                    break
        forecasts.append(
            CapacityForecast(
                cemetery=cemetery,
                places_total=totals[cemetery.pk],
                places_available=available[cemetery.pk],
                burials_per_year=per_year,
                history_years=history_years,
                renewal_rate=rate_renewed,
                freed_by_year=dict(freed[cemetery.pk]),
                full_in_year=full_in_year,
                horizon_years=horizon_years,
            )
        )
    return forecasts
