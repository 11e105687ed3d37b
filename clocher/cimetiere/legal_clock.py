"""The legal clock: every date and state that French funeral law attaches to a concession or plot.

Nothing here is stored: the clock is computed from the facts (act date, kind, renewals, burials,
``ended_on``). ``today`` is always passed in, never read inside the engine (callers use
``timezone.localdate()`` at the edges), so every rule can be tested on its boundary days.

The rules (CGCT):

- **Expiry** (L2223-14, L2223-15): start of the current period + its duration. The first period
  starts at the act date; each renewal starts a new period *at the previous expiry*, whatever day
  it was decided. Temporary: at most 15 years (``duration_years`` required); thirty years: 30;
  fifty years: 50; centenary (abolished in 1959, still in old registers): 100; perpetual: never.
  The concession covers ``[start, expires_on)``: on ``expires_on`` itself it has expired.
- **Expiring**: it expires within the next 12 months (``expires_on - 1 year <= today``).
- **Renewal window** (L2223-15): after expiry the holder or heirs may still renew for two *full*
  years, during which the commune cannot retake the ground. ``renewal_window_ends_on`` is the
  last day of that window; ``repossessable_from`` (``expires_on + 2 years``) the first day the
  commune may retake it.
- **Ended**: ``ended_on`` is set (repossessed, retroceded, converted).
- **Common ground** (R2223-5): a grave may be reopened 5 years after the last burial.
- **Abandonment procedure eligibility** (R2223-12): the act is at least 30 years old, the last
  burial at least 10 years ago, the concession is not maintained by the commune under a gift or
  bequest, and it has not ended. When not eligible, ``abandonment_reasons`` says why in French.

Anniversaries: adding years keeps the day and month; a date of 29 February lands on 28 February in
a year that is not a leap year (the period never runs past the anniversary the calendar lacks).
This is plain ``date.replace`` arithmetic, without ``dateutil``.

Performance: ``clocks_for_commune`` and ``plot_states`` read a commune's concessions, renewals
and burials in a constant number of queries (``values_list``, no model instances), then compute
in Python; see ``bench/cemetery_legal_clock.py``.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from clocher.cimetiere.models import (
    CONCEDABLE_KINDS,
    KIND_DURATION_YEARS,
    TEMPORARY_MAX_YEARS,
    Burial,
    CemeterySettings,
    Concession,
    ConcessionKind,
    ConcessionRenewal,
    Plot,
    PlotKind,
)

if TYPE_CHECKING:
    from clocher.cimetiere.models import Cemetery
    from clocher.tenancy.models import Commune

RENEWAL_WINDOW_YEARS = 2  # L2223-15: two full years after expiry
EXPIRING_NOTICE_YEARS = 1  # "expiring": expires within the next 12 months
COMMON_GROUND_ROTATION_YEARS = 5  # R2223-5
ABANDONMENT_ACT_MIN_YEARS = 30  # R2223-12
ABANDONMENT_LAST_BURIAL_MIN_YEARS = 10  # R2223-12
DEFAULT_RENEWAL_NOTICE_MONTHS = 6


class LegalRefusal(Exception):
    """A step the law does not allow (yet). ``message`` is plain French and cites the article."""

    def __init__(self, message: str, *, article: str = "") -> None:
        self.message = message
        self.article = article
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class ConcessionState(StrEnum):
    ACTIVE = "active"
    EXPIRING = "expiring"
    RENEWAL_WINDOW = "renewal_window"
    REPOSSESSABLE = "repossessable"
    PERPETUAL = "perpetual"
    ENDED = "ended"


class PlotState(StrEnum):
    FREE = "free"
    OCCUPIED = "occupied"
    EXPIRING = "expiring"
    RENEWAL_WINDOW = "renewal_window"
    REPOSSESSABLE = "repossessable"
    COMMON_GROUND_REUSABLE = "common_ground_reusable"
    UNDER_PROCEDURE = "under_procedure"


@dataclass(frozen=True)
class ConcessionClock:
    concession_id: int
    expires_on: datetime.date | None
    renewal_window_ends_on: datetime.date | None
    repossessable_from: datetime.date | None
    state: ConcessionState
    last_burial_date: datetime.date | None
    abandonment_eligible: bool
    abandonment_reasons: list[str] = field(default_factory=list)
    period_start: datetime.date | None = None
    kind: str = ""
    duration_years: int | None = None

    @property
    def renewal_opens_on(self) -> datetime.date | None:
        """First day a renewal may be decided: 12 months before expiry."""
        return add_years(self.expires_on, -EXPIRING_NOTICE_YEARS) if self.expires_on else None


# --- Date arithmetic ---------------------------------------------------------------------------


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved by ``years``; 29 February becomes 28 February in a non-leap year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months``; the day is clamped to the month's last day (31 → 30, 28…)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of ``day``'s month."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def format_date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def duration_of(kind: str, duration_years: int | None) -> int | None:
    """Years of one period of ``kind`` (L2223-14); None for perpetual (or unknown temporary)."""
    if kind == ConcessionKind.PERPETUAL:
        return None
    if kind == ConcessionKind.TEMPORARY:
        return duration_years or None
    return _KIND_YEARS.get(kind)


_KIND_YEARS: dict[str, int] = {
    str(kind.value): years for kind, years in KIND_DURATION_YEARS.items()
}


# --- One concession ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    """What the clock reads from one concession (kept small for the bulk path)."""

    concession_id: int
    kind: str
    duration_years: int | None
    act_date: datetime.date | None
    ended_on: datetime.date | None
    is_maintained_under_bequest: bool


def _current_period(
    act_date: datetime.date | None,
    kind: str,
    duration_years: int | None,
    renewals: list[tuple[datetime.date, str, int | None]],
) -> tuple[datetime.date | None, str, int | None, datetime.date | None, datetime.date | None]:
    """The current period (the last renewal if any, L2223-15, otherwise the act): its start, kind,
    years, expiry, and the first day the commune may retake the ground."""
    period_start: datetime.date | None = act_date
    if renewals:
        period_start, kind, duration_years = max(renewals, key=lambda renewal: renewal[0])
    years = duration_of(kind, duration_years)
    expires_on = add_years(period_start, years) if period_start and years else None
    repossessable_from = add_years(expires_on, RENEWAL_WINDOW_YEARS) if expires_on else None
    return period_start, kind, years, expires_on, repossessable_from


def _state(
    ended_on: datetime.date | None,
    kind: str,
    expires_on: datetime.date | None,
    repossessable_from: datetime.date | None,
    today: datetime.date,
) -> ConcessionState:
    if ended_on is not None:
        return ConcessionState.ENDED
    if kind == ConcessionKind.PERPETUAL:
        return ConcessionState.PERPETUAL
    if expires_on is None or repossessable_from is None:
        return ConcessionState.ACTIVE  # act date or duration unknown: nothing can be computed
    if today >= repossessable_from:
        return ConcessionState.REPOSSESSABLE
    if today >= expires_on:
        return ConcessionState.RENEWAL_WINDOW
    if today >= add_years(expires_on, -EXPIRING_NOTICE_YEARS):
        return ConcessionState.EXPIRING
    return ConcessionState.ACTIVE


def _compute(
    facts: _Facts,
    renewals: list[tuple[datetime.date, str, int | None]],
    burial_dates: list[datetime.date | None],
    today: datetime.date,
    texts: dict[str, str] | None = None,
) -> ConcessionClock:
    period_start, kind, years, expires_on, repossessable_from = _current_period(
        facts.act_date, facts.kind, facts.duration_years, renewals
    )
    window_ends_on = repossessable_from - datetime.timedelta(days=1) if repossessable_from else None
    state = _state(facts.ended_on, kind, expires_on, repossessable_from, today)

    known = [day for day in burial_dates if day is not None]
    last_burial = max(known) if known else None
    reasons = _abandonment_reasons(
        facts, last_burial, len(known) < len(burial_dates), today, texts or _reason_texts()
    )
    return ConcessionClock(
        concession_id=facts.concession_id,
        expires_on=expires_on,
        renewal_window_ends_on=window_ends_on,
        repossessable_from=repossessable_from,
        state=state,
        last_burial_date=last_burial,
        abandonment_eligible=not reasons,
        abandonment_reasons=reasons,
        period_start=period_start,
        kind=kind,
        duration_years=years,
    )


def _reason_texts() -> dict[str, str]:
    """The French reasons, translated once per computation (gettext is slow in a loop)."""
    return {
        "ended": _("concession terminée"),
        "bequest": _(
            "concession entretenue par la commune au titre d'un don ou d'un legs (R2223-12)"
        ),
        "act_unknown": _("date de l'acte inconnue"),
        "act_recent": _("acte de moins de 30 ans : possible à partir du %(date)s (R2223-12)"),
        "burial_recent": _(
            "dernière inhumation il y a moins de 10 ans : possible à partir du %(date)s (R2223-12)"
        ),
        "burial_unknown": _("date de la dernière inhumation inconnue (R2223-12)"),
    }


def _abandonment_reasons(
    facts: _Facts,
    last_burial: datetime.date | None,
    has_undated: bool,
    today: datetime.date,
    texts: dict[str, str],
) -> list[str]:
    """Why the abandonment procedure may not start (R2223-12); empty when it may."""
    reasons = []
    if facts.ended_on is not None:
        reasons.append(texts["ended"])
    if facts.is_maintained_under_bequest:
        reasons.append(texts["bequest"])
    if facts.act_date is None:
        reasons.append(texts["act_unknown"])
    else:
        thirty = add_years(facts.act_date, ABANDONMENT_ACT_MIN_YEARS)
        if today < thirty:
            reasons.append(texts["act_recent"] % {"date": format_date(thirty)})
    if last_burial is not None:
        ten = add_years(last_burial, ABANDONMENT_LAST_BURIAL_MIN_YEARS)
        if today < ten:
            reasons.append(texts["burial_recent"] % {"date": format_date(ten)})
    elif has_undated:
        reasons.append(texts["burial_unknown"])
    return reasons


def _facts_of(concession: Concession) -> _Facts:
    return _Facts(
        concession_id=concession.pk,
        kind=concession.kind,
        duration_years=concession.duration_years,
        act_date=concession.act_date,
        ended_on=concession.ended_on,
        is_maintained_under_bequest=concession.is_maintained_under_bequest,
    )


def concession_burials(concession: Concession) -> list[Burial]:
    """The burials the clock counts for ``concession``: those linked to it, and those of its plot
    that are linked to no concession (registers often omit the link)."""
    return list(
        Burial.objects.filter(commune_id=concession.commune_id, plot_id=concession.plot_id).filter(
            Q(concession_id=concession.pk) | Q(concession_id__isnull=True)
        )
    )


def concession_clock(
    concession: Concession,
    *,
    today: datetime.date,
    burials: Iterable[Burial] | None = None,
    renewals: Iterable[ConcessionRenewal] | None = None,
) -> ConcessionClock:
    """The legal dates and state of one concession on ``today``.

    ``burials`` and ``renewals`` may be given (already fetched) to avoid queries; otherwise they
    are read (burials: see :func:`concession_burials`).
    """
    if burials is None:
        burials = concession_burials(concession)
    if renewals is None:
        renewals = ConcessionRenewal.objects.filter(concession_id=concession.pk)
    return _compute(
        _facts_of(concession),
        [(r.period_start, r.kind, r.duration_years) for r in renewals],
        [burial.buried_on for burial in burials],
        today,
    )


# --- Bulk --------------------------------------------------------------------------------------

Renewals = dict[int, list[tuple[datetime.date, str, int | None]]]


def _renewals_by_concession(commune: Commune) -> Renewals:
    """(period start, kind, duration) of every renewal of the commune, by concession (1 query)."""
    renewals: Renewals = defaultdict(list)
    rows = ConcessionRenewal.objects.for_commune(commune).values_list(
        "concession_id", "period_start", "kind", "duration_years"
    )
    for concession_id, period_start, kind, duration_years in rows:
        renewals[concession_id].append((period_start, kind, duration_years))
    return renewals


def clocks_for_commune(
    commune: Commune, *, today: datetime.date, include_ended: bool = True
) -> dict[int, ConcessionClock]:
    """The clock of every concession of ``commune`` (ended ones too unless ``include_ended`` is
    false), by concession id. Three queries whatever the number of concessions."""
    concessions = Concession.objects.for_commune(commune)
    if not include_ended:
        concessions = concessions.filter(ended_on__isnull=True)
    rows = concessions.values_list(
        "pk",
        "plot_id",
        "kind",
        "duration_years",
        "act_date",
        "ended_on",
        "is_maintained_under_bequest",
    )
    renewals = _renewals_by_concession(commune)
    by_concession: dict[int, list[datetime.date | None]] = defaultdict(list)
    unlinked_by_plot: dict[int, list[datetime.date | None]] = defaultdict(list)
    burial_rows = Burial.objects.for_commune(commune).values_list(
        "plot_id", "concession_id", "buried_on"
    )
    for plot_id, concession_id, buried_on in burial_rows:
        if concession_id is None:
            unlinked_by_plot[plot_id].append(buried_on)
        else:
            by_concession[concession_id].append(buried_on)
    texts = _reason_texts()
    clocks: dict[int, ConcessionClock] = {}
    for pk, plot_id, kind, duration_years, act_date, ended_on, bequest in rows:
        facts = _Facts(pk, kind, duration_years, act_date, ended_on, bequest)
        dates = by_concession.get(pk, []) + unlinked_by_plot.get(plot_id, [])
        clocks[pk] = _compute(facts, renewals.get(pk, []), dates, today, texts)
    return clocks


def _bulk_states(
    commune: Commune, today: datetime.date, concession_filter: dict[str, Any]
) -> list[tuple[int, int, ConcessionState]]:
    """(concession id, plot id, state) of the filtered concessions: the state alone, without the
    abandonment reasons (2 queries)."""
    renewals = _renewals_by_concession(commune)
    rows = (
        Concession.objects.for_commune(commune)
        .filter(**concession_filter)
        .values_list("pk", "plot_id", "kind", "duration_years", "act_date", "ended_on")
    )
    found = []
    for pk, plot_id, kind, duration_years, act_date, ended_on in rows:
        _start, current_kind, _years, expires_on, repossessable_from = _current_period(
            act_date, kind, duration_years, renewals.get(pk, [])
        )
        found.append(
            (pk, plot_id, _state(ended_on, current_kind, expires_on, repossessable_from, today))
        )
    return found


# Hook for the abandonment procedure (R2223-13 to R2223-23), which comes later: a provider takes a
# commune and returns the ids of the plots whose concession is under procedure. Register it from
# the procedure's AppConfig.ready(); plot_states() then shows those plots as UNDER_PROCEDURE.
UnderProcedureProvider = Callable[["Commune"], set[int]]
_under_procedure_providers: list[UnderProcedureProvider] = []


def register_under_procedure_provider(provider: UnderProcedureProvider) -> None:
    if provider not in _under_procedure_providers:
        _under_procedure_providers.append(provider)


def plots_under_procedure(commune: Commune) -> set[int]:
    found: set[int] = set()
    for provider in _under_procedure_providers:
        found |= provider(commune)
    return found


_CONCESSION_TO_PLOT_STATE = {
    ConcessionState.ACTIVE: PlotState.OCCUPIED,
    ConcessionState.PERPETUAL: PlotState.OCCUPIED,
    ConcessionState.EXPIRING: PlotState.EXPIRING,
    ConcessionState.RENEWAL_WINDOW: PlotState.RENEWAL_WINDOW,
    ConcessionState.REPOSSESSABLE: PlotState.REPOSSESSABLE,
}


def _common_ground_state(dates: list[datetime.date | None], today: datetime.date) -> PlotState:
    """A common-ground grave with present burials: reusable 5 years after the last one (R2223-5);
    an undated burial keeps it occupied."""
    if any(day is None for day in dates):
        return PlotState.OCCUPIED
    last = max(day for day in dates if day is not None)
    if today >= add_years(last, COMMON_GROUND_ROTATION_YEARS):
        return PlotState.COMMON_GROUND_REUSABLE
    return PlotState.OCCUPIED


def plot_states(
    commune: Commune, *, today: datetime.date, cemetery: Cemetery | None = None
) -> dict[int, PlotState]:
    """The state of every plot of ``commune`` (or of one ``cemetery``) for the plan, by plot id.

    - a plot with an active concession takes the concession's state (active or perpetual →
      OCCUPIED; EXPIRING, RENEWAL_WINDOW, REPOSSESSABLE as is);
    - common ground: FREE when nobody rests there, COMMON_GROUND_REUSABLE 5 years after the last
      burial (R2223-5), OCCUPIED before;
    - any other plot: OCCUPIED while someone rests there, FREE otherwise;
    - UNDER_PROCEDURE, over everything else, for plots reported by the abandonment procedure
      (:func:`register_under_procedure_provider`).

    Four queries (plots, burials, active concessions, renewals), plus the providers'.
    """
    plots = Plot.objects.for_commune(commune)
    burials = Burial.objects.for_commune(commune)
    concession_filter: dict[str, Any] = {"ended_on__isnull": True}
    if cemetery is not None:
        plots = plots.filter(cemetery=cemetery)
        burials = burials.filter(plot__cemetery=cemetery)
        concession_filter["plot__cemetery"] = cemetery
    plot_kinds = dict(plots.values_list("pk", "kind"))
    present: dict[int, list[datetime.date | None]] = defaultdict(list)
    for plot_id, buried_on in burials.filter(is_present=True).values_list("plot_id", "buried_on"):
        present[plot_id].append(buried_on)
    concession_state = {
        plot_id: state for _pk, plot_id, state in _bulk_states(commune, today, concession_filter)
    }
    under_procedure = plots_under_procedure(commune) if _under_procedure_providers else set()
    states: dict[int, PlotState] = {}
    for plot_id, kind in plot_kinds.items():
        if plot_id in under_procedure:
            states[plot_id] = PlotState.UNDER_PROCEDURE
        elif plot_id in concession_state:
            states[plot_id] = _CONCESSION_TO_PLOT_STATE[concession_state[plot_id]]
        elif kind == PlotKind.COMMON_GROUND and present.get(plot_id):
            states[plot_id] = _common_ground_state(present[plot_id], today)
        elif present.get(plot_id):
            states[plot_id] = PlotState.OCCUPIED
        else:
            states[plot_id] = PlotState.FREE
    return states


# --- What is due this month --------------------------------------------------------------------


class DueKind(StrEnum):
    RENEWAL_LETTER = "renewal_letter"
    EXPIRY = "expiry"
    RENEWAL_WINDOW_CLOSES = "renewal_window_closes"
    COMMON_GROUND_REUSABLE = "common_ground_reusable"


@dataclass(frozen=True)
class DueItem:
    kind: DueKind
    label: str
    due_on: datetime.date
    concession: Concession | None = None
    plot: Plot | None = None


def renewal_notice_months(commune: Commune) -> int:
    settings = CemeterySettings.objects.for_commune(commune).first()
    return settings.renewal_notice_months if settings else DEFAULT_RENEWAL_NOTICE_MONTHS


def due_this_month(commune: Commune, *, today: datetime.date) -> list[DueItem]:
    """What the secretary has to do this month, by date:

    - renewal letters (L2223-15) for concessions expiring after this month but within the
      commune's notice period (``CemeterySettings.renewal_notice_months``, 6 by default), dated
      ``expiry - notice``; a letter whose date has passed stays listed until the expiry;
    - concessions expiring this month;
    - renewal windows closing this month (the commune may retake the ground the next day);
    - common-ground graves becoming reusable this month (R2223-5).
    """
    first, last = month_bounds(today)
    notice = renewal_notice_months(commune)
    horizon = month_bounds(add_months(first, notice))[1]
    clocks = clocks_for_commune(commune, today=today, include_ended=False)
    wanted: dict[int, list[tuple[DueKind, datetime.date]]] = defaultdict(list)
    for pk, clock in clocks.items():
        if clock.state in (ConcessionState.ENDED, ConcessionState.PERPETUAL):
            continue
        if clock.expires_on is None or clock.renewal_window_ends_on is None:
            continue
        if first <= clock.expires_on <= last:
            wanted[pk].append((DueKind.EXPIRY, clock.expires_on))
        elif last < clock.expires_on <= horizon:
            letter_on = add_months(clock.expires_on, -notice)
            if letter_on <= last:
                wanted[pk].append((DueKind.RENEWAL_LETTER, letter_on))
        if first <= clock.renewal_window_ends_on <= last:
            wanted[pk].append((DueKind.RENEWAL_WINDOW_CLOSES, clock.renewal_window_ends_on))
    concessions = Concession.objects.for_commune(commune).select_related("plot__section")
    by_pk = {c.pk: c for c in concessions.filter(pk__in=wanted)} if wanted else {}
    items: list[DueItem] = []
    for pk, entries in wanted.items():
        concession = by_pk[pk]
        clock = clocks[pk]
        for kind, due_on in entries:
            items.append(
                DueItem(
                    kind=kind,
                    label=_due_label(kind, concession, clock),
                    due_on=due_on,
                    concession=concession,
                    plot=concession.plot,
                )
            )
    items.extend(_common_ground_due(commune, first, last))
    items.sort(key=lambda item: (item.due_on, item.kind, item.label))
    return items


def _due_label(kind: DueKind, concession: Concession, clock: ConcessionClock) -> str:
    values = {
        "number": concession.number or "?",
        "plot": str(concession.plot),
        "expires": format_date(clock.expires_on) if clock.expires_on else "?",
        "window": format_date(clock.renewal_window_ends_on)
        if clock.renewal_window_ends_on
        else "?",
    }
    if kind == DueKind.RENEWAL_LETTER:
        return (
            _(
                "Lettre de renouvellement à envoyer : la concession n° %(number)s (%(plot)s) "
                "expire le %(expires)s."
            )
            % values
        )
    if kind == DueKind.EXPIRY:
        return (
            _("La concession n° %(number)s (%(plot)s) expire le %(expires)s (L2223-15).") % values
        )
    return (
        _(
            "Fin du délai de renouvellement de deux ans de la concession n° %(number)s "
            "(%(plot)s) le %(window)s : le terrain pourra être repris ensuite (L2223-15)."
        )
        % values
    )


def _common_ground_due(
    commune: Commune, first: datetime.date, last: datetime.date
) -> list[DueItem]:
    present: dict[int, list[datetime.date | None]] = defaultdict(list)
    rows = Burial.objects.for_commune(commune).filter(
        plot__kind=PlotKind.COMMON_GROUND, is_present=True
    )
    for plot_id, buried_on in rows.values_list("plot_id", "buried_on"):
        present[plot_id].append(buried_on)
    due: dict[int, datetime.date] = {}
    for plot_id, dates in present.items():
        if any(day is None for day in dates):
            continue
        reusable_on = add_years(
            max(d for d in dates if d is not None), COMMON_GROUND_ROTATION_YEARS
        )
        if first <= reusable_on <= last:
            due[plot_id] = reusable_on
    if not due:
        return []
    plots = Plot.objects.for_commune(commune).select_related("section").filter(pk__in=due)
    return [
        DueItem(
            kind=DueKind.COMMON_GROUND_REUSABLE,
            label=_(
                "Terrain commun %(plot)s : reprenable à partir du %(date)s, cinq ans après la "
                "dernière inhumation (R2223-5)."
            )
            % {"plot": str(plot), "date": format_date(due[plot.pk])},
            due_on=due[plot.pk],
            plot=plot,
        )
        for plot in plots
    ]


# --- Checks used by the services ---------------------------------------------------------------


def check_concedable(plot: Plot) -> None:
    """Only concession ground, vaults, urn plots and columbarium niches can be conceded
    (L2223-13, L2223-18)."""
    if plot.kind not in CONCEDABLE_KINDS:
        raise LegalRefusal(
            _(
                "Un emplacement de type « %(kind)s » ne peut pas faire l'objet d'une concession "
                "(articles L2223-13 et L2223-18 du CGCT)."
            )
            % {"kind": plot.get_kind_display()},
            article="L2223-13",
        )


def check_duration(kind: str, duration_years: int | None, *, granting: bool = True) -> None:
    """Only the durations of L2223-14: temporary (1 to 15 years), 30 years, 50 years, perpetual.
    Centenary concessions were abolished in 1959: none may be granted or renewed as such."""
    if kind == ConcessionKind.TEMPORARY:
        if not duration_years:
            raise LegalRefusal(
                _("Indiquez la durée d'une concession temporaire (15 ans au plus, L2223-14)."),
                article="L2223-14",
            )
        if duration_years > TEMPORARY_MAX_YEARS:
            raise LegalRefusal(
                _(
                    "Une concession temporaire dure 15 ans au plus (article L2223-14 du CGCT) : "
                    "%(years)s ans n'est pas possible."
                )
                % {"years": duration_years},
                article="L2223-14",
            )
    elif kind == ConcessionKind.CENTENARY and granting:
        raise LegalRefusal(
            _(
                "Les concessions centenaires ont été supprimées en 1959 : choisissez une "
                "concession temporaire, trentenaire, cinquantenaire ou perpétuelle (L2223-14)."
            ),
            article="L2223-14",
        )


def check_renewal(clock: ConcessionClock, *, decided_on: datetime.date) -> None:
    """A renewal (L2223-15) may be decided from 12 months before expiry until the last day of the
    two-year window; never for a perpetual or ended concession."""
    if clock.state == ConcessionState.ENDED:
        raise LegalRefusal(
            _("Cette concession a pris fin : elle ne peut plus être renouvelée."),
            article="L2223-15",
        )
    if clock.state == ConcessionState.PERPETUAL:
        raise LegalRefusal(
            _("Une concession perpétuelle n'expire pas : elle ne se renouvelle pas (L2223-14)."),
            article="L2223-14",
        )
    if clock.expires_on is None or clock.renewal_window_ends_on is None:
        raise LegalRefusal(
            _(
                "Échéance inconnue (date de l'acte inconnue) : complétez la date de l'acte avant "
                "de renouveler (L2223-15)."
            ),
            article="L2223-15",
        )
    opens_on = add_years(clock.expires_on, -EXPIRING_NOTICE_YEARS)
    if decided_on < opens_on:
        raise LegalRefusal(
            _(
                "Trop tôt pour renouveler : la concession expire le %(expires)s ; le "
                "renouvellement est possible à partir du %(opens)s (L2223-15)."
            )
            % {"expires": format_date(clock.expires_on), "opens": format_date(opens_on)},
            article="L2223-15",
        )
    if decided_on > clock.renewal_window_ends_on:
        raise LegalRefusal(
            _(
                "Trop tard pour renouveler : le délai de deux ans après l'échéance a pris fin le "
                "%(ends)s ; la commune peut reprendre le terrain (L2223-15)."
            )
            % {"ends": format_date(clock.renewal_window_ends_on)},
            article="L2223-15",
        )


def check_repossession_after_expiry(clock: ConcessionClock, *, on: datetime.date) -> None:
    """The commune may retake an expired concession only after two full years (L2223-15)."""
    if clock.state == ConcessionState.ENDED:
        raise LegalRefusal(_("Cette concession a déjà pris fin."), article="L2223-15")
    if clock.repossessable_from is None:
        raise LegalRefusal(
            _(
                "Cette concession n'a pas d'échéance connue (perpétuelle ou date de l'acte "
                "inconnue) : elle ne peut être reprise qu'au terme de la procédure pour état "
                "d'abandon (L2223-17)."
            ),
            article="L2223-17",
        )
    if on < clock.repossessable_from:
        raise LegalRefusal(
            _(
                "Reprise impossible avant le %(date)s : après l'échéance, la famille dispose de "
                "deux années entières pour renouveler (L2223-15)."
            )
            % {"date": format_date(clock.repossessable_from)},
            article="L2223-15",
        )
