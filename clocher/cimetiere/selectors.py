"""Reads of the cemetery, always scoped to one commune."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from clocher.cimetiere.models import Cemetery
from clocher.tenancy.models import Commune


def cemeteries_of_commune(commune: Commune) -> QuerySet[Cemetery]:
    return Cemetery.objects.for_commune(commune).annotate(plot_count=Count("plots"))
