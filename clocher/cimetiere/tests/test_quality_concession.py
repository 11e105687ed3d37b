"""The data-quality score of a concession: what is missing, in French, and a score out of 100."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clocher.cimetiere.models import ConcessionKind, ConcessionScope, Holder
from clocher.cimetiere.quality import concession_quality, concessions_quality, summarise_quality
from clocher.cimetiere.tests.factories import BurialFactory, ConcessionFactory
from clocher.core.testing.sealed_data import vault_file

pytestmark = pytest.mark.django_db


def _complete(commune):
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune, scope=ConcessionScope.FAMILY
    )
    plot = concession.plot
    plot.photo = vault_file(commune, data=b"jpeg", name="tombe.jpg", content_type="image/jpeg")
    plot.save()
    Holder.objects.create(
        commune=commune, concession=concession, full_name="DUPONT Marc", address="1 rue Haute"
    )
    BurialFactory.create(plot=plot, concession=concession)
    return concession


def test_complete_concession_scores_100(commune_a):
    """A concession with every fact known has no issue and a score of 100."""
    report = concession_quality(_complete(commune_a))
    assert (report.score, report.issues, report.is_complete) == (100, [], True)


def test_empty_concession_lists_every_missing_fact(commune_a):
    """An imported concession with only its kind lists what is missing, heaviest first."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a,
        number="",
        act_date=None,
        kind=ConcessionKind.TEMPORARY,
        duration_years=None,
    )
    report = concession_quality(concession)
    assert report.issues == [
        "Aucun concessionnaire connu",
        "Date de l'acte inconnue",
        "Numéro de l'acte inconnu",
        "Aucun défunt connu",
        "Pas de photo de l'emplacement",
        "Bénéficiaires inconnus (individuelle, collective ou familiale)",
        "Durée de la concession temporaire inconnue",
    ]
    assert report.score == 10


def test_holder_without_address_costs_ten_points(commune_a):
    """A holder with no address known: 90."""
    concession = _complete(commune_a)
    holder = concession.holders.get()
    holder.address = ""
    holder.save()
    report = concession_quality(concession)
    assert (report.score, report.issues) == (90, ["Adresse du concessionnaire inconnue"])


def test_bulk_quality_takes_three_queries(commune_a):
    """Reports of twenty concessions cost three queries, not one per concession."""
    concessions = [_complete(commune_a) for _index in range(20)]
    with CaptureQueriesContext(connection) as queries:
        reports = concessions_quality(concessions)
    assert len(queries) == 3
    assert {report.score for report in reports.values()} == {100}


def test_summary_counts_concessions_per_issue(commune_a):
    """The summary gives the average score and how many concessions lack each fact."""
    complete = _complete(commune_a)
    bare = ConcessionFactory.create(plot__section__cemetery__commune=commune_a, number="")
    summary = summarise_quality(concessions_quality([complete, bare]).values())
    assert summary.count == 2
    assert summary.average_score == 68  # (100 + 35) / 2, rounded
    assert summary.issue_counts[0] == ("Aucun concessionnaire connu", 1)
