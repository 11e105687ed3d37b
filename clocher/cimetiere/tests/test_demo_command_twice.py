"""``clocher demo`` run twice leaves the cemetery tables as the first run made them."""

from __future__ import annotations

import io

from django.core.management import call_command

from clocher.cimetiere.models import (
    AshScatteringEntry,
    Burial,
    Cemetery,
    Concession,
    Deceased,
    Holder,
    Operation,
    OssuaryEntry,
    Plot,
    Tariff,
)

MODELS = (
    Cemetery,
    Plot,
    Concession,
    Holder,
    Deceased,
    Burial,
    Operation,
    OssuaryEntry,
    AshScatteringEntry,
    Tariff,
)


def test_demo_command_twice_creates_nothing_new(db):
    """The second run of ``clocher demo`` creates no cemetery row; each commune has one."""
    call_command("demo", force=True, stdout=io.StringIO())
    first = {model.__name__: model.objects.count() for model in MODELS}
    call_command("demo", force=True, stdout=io.StringIO())
    second = {model.__name__: model.objects.count() for model in MODELS}
    assert second == first
    assert first["Cemetery"] == 3
