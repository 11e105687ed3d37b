"""Data-quality score of a concession: what the register does not know yet, in plain French.

Most communes start from a spreadsheet with holes. Rather than refusing unknown values, the
import keeps them empty and this score tells the secretary what to look for: each missing fact
costs points (its weight), the score is 100 minus the weights of what is missing.

``concession_quality(concession)`` for one concession page; ``concessions_quality(concessions)``
for a list, in three queries whatever its length.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clocher.cimetiere.models import (
    Burial,
    Concession,
    ConcessionKind,
    ConcessionScope,
    Holder,
    Plot,
)

# What is missing → (weight, French label). Weights add up to 100.
ISSUES: dict[str, tuple[int, Promise]] = {
    "no_holder": (25, _("Aucun concessionnaire connu")),
    "no_act_date": (20, _("Date de l'acte inconnue")),
    "no_act_number": (15, _("Numéro de l'acte inconnu")),
    "no_holder_address": (10, _("Adresse du concessionnaire inconnue")),
    "no_deceased": (10, _("Aucun défunt connu")),
    "no_photo": (10, _("Pas de photo de l'emplacement")),
    "unknown_scope": (5, _("Bénéficiaires inconnus (individuelle, collective ou familiale)")),
    "no_duration": (5, _("Durée de la concession temporaire inconnue")),
}


@dataclass(frozen=True)
class QualityReport:
    score: int
    issues: list[str] = field(default_factory=list)  # French, most important first
    codes: list[str] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return not self.codes


def _report(codes: list[str]) -> QualityReport:
    codes = sorted(codes, key=lambda code: -ISSUES[code][0])
    score = 100 - sum(ISSUES[code][0] for code in codes)
    return QualityReport(
        score=max(score, 0), issues=[str(ISSUES[code][1]) for code in codes], codes=codes
    )


def _codes(
    concession: Concession, *, holders: list[Holder], burial_count: int, has_photo: bool
) -> list[str]:
    codes = []
    if not holders:
        codes.append("no_holder")
    elif not any(holder.address for holder in holders):
        codes.append("no_holder_address")
    if not concession.act_date:
        codes.append("no_act_date")
    if not concession.number:
        codes.append("no_act_number")
    if not burial_count:
        codes.append("no_deceased")
    if not has_photo:
        codes.append("no_photo")
    if concession.scope == ConcessionScope.UNKNOWN:
        codes.append("unknown_scope")
    if concession.kind == ConcessionKind.TEMPORARY and not concession.duration_years:
        codes.append("no_duration")
    return codes


def concession_quality(concession: Concession) -> QualityReport:
    """The quality report of one concession."""
    return concessions_quality([concession])[concession.pk]


def concessions_quality(concessions: Iterable[Concession]) -> dict[int, QualityReport]:
    """Reports of many concessions, keyed by concession id, in three queries (holders, burial
    counts, plot photos) whatever the number of concessions."""
    items = list(concessions)
    if not items:
        return {}
    ids = [item.pk for item in items]
    communes = {item.commune_id for item in items}
    holders: dict[int, list[Holder]] = defaultdict(list)
    for holder in Holder.objects.filter(commune_id__in=communes, concession_id__in=ids):
        holders[holder.concession_id].append(holder)
    burial_counts = dict(
        Burial.objects.filter(commune_id__in=communes, concession_id__in=ids)
        .values("concession_id")
        .annotate(count=Count("id"))
        .values_list("concession_id", "count")
    )
    plots_with_photo = set(
        Plot.objects.filter(
            commune_id__in=communes, pk__in={item.plot_id for item in items}, photo__isnull=False
        ).values_list("pk", flat=True)
    )
    return {
        item.pk: _report(
            _codes(
                item,
                holders=holders.get(item.pk, []),
                burial_count=burial_counts.get(item.pk, 0),
                has_photo=item.plot_id in plots_with_photo,
            )
        )
        for item in items
    }


@dataclass(frozen=True)
class QualitySummary:
    """Quality of a set of concessions: average score and how many lack each fact."""

    count: int
    average_score: int
    issue_counts: list[tuple[str, int]]  # (French label, number of concessions), biggest first


def summarise_quality(reports: Iterable[QualityReport]) -> QualitySummary:
    reports = list(reports)
    counts: dict[str, int] = defaultdict(int)
    for report in reports:
        for code in report.codes:
            counts[code] += 1
    average = round(sum(report.score for report in reports) / len(reports)) if reports else 100
    ordered = sorted(counts.items(), key=lambda item: (-item[1], -ISSUES[item[0]][0]))
    return QualitySummary(
        count=len(reports),
        average_score=average,
        issue_counts=[(str(ISSUES[code][1]), count) for code, count in ordered],
    )
