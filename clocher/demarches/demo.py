"""Demo content of démarches (``clocher demo``)."""

from __future__ import annotations

from typing import Any


def load(commune: Any, staff: Any) -> None:
    """Adopt the catalogue in the demo commune and add a few requests (filled in later)."""
