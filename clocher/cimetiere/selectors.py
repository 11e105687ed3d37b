"""Reads of the cemetery, always scoped to one commune.

Every function starts from ``Model.objects.for_commune(commune)`` (or from an object the URL
registry already resolved in the commune) and loads what its page shows in a fixed number of
queries, whatever the number of plots, burials or operations.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Count, Prefetch, Q, QuerySet

from clocher.cimetiere.models import (
    Burial,
    Cemetery,
    CemeterySettings,
    Concession,
    Deceased,
    Operation,
    Plot,
    Section,
)
from clocher.tenancy.models import Commune


def cemeteries_of_commune(commune: Commune) -> QuerySet[Cemetery]:
    """The commune's cemeteries with their number of plots and of people buried there now."""
    return Cemetery.objects.for_commune(commune).annotate(
        plot_count=Count("plots", distinct=True),
        section_count=Count("sections", distinct=True),
        present_burial_count=Count(
            "plots__burials", filter=Q(plots__burials__is_present=True), distinct=True
        ),
    )


def sections_of_cemetery(cemetery: Cemetery) -> QuerySet[Section]:
    return (
        Section.objects.for_commune(cemetery.commune)
        .filter(cemetery=cemetery)
        .annotate(plot_count=Count("plots"))
        .order_by("position", "name")
    )


class PlanPlot(NamedTuple):
    """What the plan needs of one plot: plain values, no model instance (10,000 of them)."""

    pk: int
    number: str
    kind: str
    section_id: int
    geometry: Any
    grid_x: int | None
    grid_y: int | None
    grid_width: int
    grid_height: int


_NUMBER_PARTS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[Any, ...]:
    """« A2 » before « A10 »: digits compare as numbers."""
    if text.isdigit():
        return ((0, int(text), ""),)
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in _NUMBER_PARTS.split(text)
        if part
    )


def plan_of_cemetery(cemetery: Cemetery) -> tuple[dict[int, Section], list[PlanPlot]]:
    """The sections (in plan order) and the plots of one cemetery, in two queries, the plots as
    plain tuples sorted by section then natural number."""
    commune = cemetery.commune
    sections = {
        section.pk: section
        for section in Section.objects.for_commune(commune)
        .filter(cemetery=cemetery)
        .only("id", "name", "position", "cemetery_id", "commune_id")
        .order_by("position", "name")
    }
    rows = (
        Plot.objects.for_commune(commune).filter(cemetery=cemetery).values_list(*PlanPlot._fields)
    )
    order = {pk: index for index, pk in enumerate(sections)}
    plots = [PlanPlot(*row) for row in rows]
    plots.sort(key=lambda plot: (order.get(plot.section_id, 0), natural_key(plot.number)))
    return sections, plots


def present_burial_counts(commune: Commune, plot_ids: list[int] | None = None) -> dict[int, int]:
    """How many people lie in each plot now (plots with nobody are absent from the dict)."""
    burials = Burial.objects.for_commune(commune).filter(is_present=True)
    if plot_ids is not None:
        burials = burials.filter(plot_id__in=plot_ids)
    return {
        row["plot_id"]: row["count"]
        for row in burials.values("plot_id").annotate(count=Count("id")).order_by()
    }


@dataclass
class PlotHistory:
    """Everything that ever happened on a plot: nothing is destroyed, so all of it is shown."""

    current_concession: Concession | None
    previous_concessions: list[Concession]
    present_burials: list[Burial]
    previous_burials: list[Burial]
    operations: list[Operation]


def plot_history(plot: Plot) -> PlotHistory:
    commune = plot.commune
    concessions = list(
        Concession.objects.for_commune(commune)
        .filter(plot=plot)
        .prefetch_related("holders")
        .order_by("act_date", "id")
    )
    current = next((c for c in reversed(concessions) if c.ended_on is None), None)
    burials = list(
        Burial.objects.for_commune(commune)
        .filter(plot=plot)
        .select_related("deceased")
        .order_by("buried_on", "id")
    )
    operations = list(
        Operation.objects.for_commune(commune)
        .filter(plot=plot)
        .select_related("deceased", "authorised_by", "recorded_by")
        .order_by("recorded_at", "id")
    )
    return PlotHistory(
        current_concession=current,
        previous_concessions=[c for c in concessions if c is not current],
        present_burials=[b for b in burials if b.is_present],
        previous_burials=[b for b in burials if not b.is_present],
        operations=operations,
    )


def concession_details(concession: Concession) -> Concession:
    """The concession with its holders, beneficiaries, renewals and burials loaded."""
    commune = concession.commune
    return (
        Concession.objects.for_commune(commune)
        .select_related("plot", "plot__section", "plot__cemetery")
        .prefetch_related(
            "holders",
            "beneficiaries",
            "renewals",
            Prefetch(
                "burials",
                queryset=Burial.objects.for_commune(commune)
                .select_related("deceased")
                .order_by("buried_on", "id"),
            ),
        )
        .get(pk=concession.pk)
    )


def fold(text: str) -> str:
    """Lower case without accents: « Éloïse » and « eloise » compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


@dataclass
class DeceasedMatch:
    deceased: Deceased
    burials: list[Burial] = field(default_factory=list)


def deceased_search(commune: Commune, query: str, *, limit: int = 100) -> list[DeceasedMatch]:
    """The commune's deceased whose name contains every word of ``query``, ignoring accents and
    case, with the plots where they lie or lay. Two queries: names are compared in Python on
    the folded text (SQLite has no ``unaccent``; a commune holds thousands of names, not
    millions)."""
    words = [fold(word) for word in query.split() if fold(word)]
    if not words:
        return []
    names = Deceased.objects.for_commune(commune).values_list(
        "id", "last_name", "first_names", "birth_name"
    )
    matching_ids = []
    for pk, last_name, first_names, birth_name in names.iterator(chunk_size=5000):
        haystack = fold(f"{last_name} {first_names} {birth_name}")
        if all(word in haystack for word in words):
            matching_ids.append(pk)
            if len(matching_ids) >= limit:
                break
    if not matching_ids:
        return []
    deceased = (
        Deceased.objects.for_commune(commune)
        .filter(pk__in=matching_ids)
        .prefetch_related(
            Prefetch(
                "burials",
                queryset=Burial.objects.for_commune(commune)
                .select_related("plot", "plot__section", "plot__cemetery")
                .order_by("buried_on", "id"),
            )
        )
        .order_by("last_name", "first_names", "id")
    )
    return [
        DeceasedMatch(deceased=person, burials=list(person.burials.all())) for person in deceased
    ]


def operations_of_commune(commune: Commune, *, kind: str | None = None) -> QuerySet[Operation]:
    operations = (
        Operation.objects.for_commune(commune)
        .select_related(
            "plot", "plot__section", "plot__cemetery", "deceased", "authorised_by", "recorded_by"
        )
        .order_by("-recorded_at", "-id")
    )
    if kind:
        operations = operations.filter(kind=kind)
    return operations


def present_burials_of_plot(plot: Plot) -> QuerySet[Burial]:
    return (
        Burial.objects.for_commune(plot.commune)
        .filter(plot=plot, is_present=True)
        .select_related("deceased")
        .order_by("buried_on", "id")
    )


def plots_grouped_by_section(plots: list[Plot]) -> list[tuple[Any, list[Plot]]]:
    """``[(section, [plots…]), …]`` in plan order, for the plan's text alternative."""
    groups: dict[int, list[Plot]] = defaultdict(list)
    sections: dict[int, Any] = {}
    for plot in plots:
        groups[plot.section_id].append(plot)
        sections[plot.section_id] = plot.section
    return [(sections[key], groups[key]) for key in groups]


@dataclass(frozen=True)
class PublicGrave:
    """What "find a grave" may publish: the deceased and the place, never the holders."""

    last_name: str
    first_names: str
    birth_name: str
    death_date: Any
    cemetery: str
    section: str
    plot: str


def _name_words(text: str) -> list[str]:
    """Folded words of a name: hyphens and apostrophes separate words (« Saint-Just » → 2)."""
    return fold(text.replace("-", " ").replace("'", " ").replace("’", " ")).split()


def public_search_enabled(commune: Commune) -> bool:
    return CemeterySettings.objects.for_commune(commune).filter(public_search_enabled=True).exists()


def public_graves(commune: Commune, name: str, *, limit: int) -> tuple[list[PublicGrave], bool]:
    """The present graves whose deceased's names contain every word of ``name`` (accents and
    case ignored), at most ``limit`` of them, and whether more matched."""
    words = _name_words(name)
    if not words:
        return [], False
    rows = (
        Burial.objects.for_commune(commune)
        .filter(is_present=True)
        .order_by("deceased__last_name", "deceased__first_names", "pk")
        .values_list(
            "deceased__last_name",
            "deceased__first_names",
            "deceased__birth_name",
            "deceased__death_date",
            "plot__cemetery__name",
            "plot__section__name",
            "plot__number",
        )
    )
    found: list[PublicGrave] = []
    for last_name, first_names, birth_name, death_date, cemetery, section, plot in rows.iterator(
        chunk_size=5000
    ):
        haystack = fold(
            f"{last_name} {first_names} {birth_name}".replace("-", " ").replace("'", " ")
        )
        if not all(word in haystack for word in words):
            continue
        if len(found) == limit:
            return found, True
        found.append(
            PublicGrave(last_name, first_names, birth_name, death_date, cemetery, section, plot)
        )
    return found, False


def present_names_by_plot(commune: Commune, plot_ids: list[int]) -> dict[int, list[str]]:
    """The names of the people resting in each of ``plot_ids`` (one query)."""
    names: dict[int, list[str]] = defaultdict(list)
    rows = (
        Burial.objects.for_commune(commune)
        .filter(plot_id__in=plot_ids, is_present=True)
        .order_by("buried_on", "pk")
        .values_list("plot_id", "deceased__last_name", "deceased__first_names")
    )
    for plot_id, last_name, first_names in rows:
        names[plot_id].append(f"{last_name} {first_names}".strip())
    return names
