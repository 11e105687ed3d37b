"""Every append-only journal refuses updates and deletions, one by one and in bulk."""

from __future__ import annotations

import pytest

from clocher.core.models import JournalQuerySet
from clocher.demarches.models import RequestEvent
from clocher.iot.models import AlertEvent, CommandEvent

JOURNALS = [RequestEvent, AlertEvent, CommandEvent]


@pytest.mark.parametrize("model", JOURNALS, ids=lambda model: model.__name__)
def test_bulk_changes_are_refused(model):
    """The manager's queryset refuses ``update`` and ``delete`` before touching the database."""
    queryset = model.objects.all()
    assert isinstance(queryset, JournalQuerySet)
    with pytest.raises(TypeError, match="append-only"):
        queryset.update(at=None)
    with pytest.raises(TypeError, match="append-only"):
        queryset.delete()


@pytest.mark.parametrize("model", JOURNALS, ids=lambda model: model.__name__)
def test_a_written_entry_cannot_be_saved_again_nor_deleted(model):
    """An entry that has a primary key (it was written) is never saved again nor deleted."""
    entry = model(pk=1)
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
