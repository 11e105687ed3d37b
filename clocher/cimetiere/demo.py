"""Demo content of the cemetery module (filled in by the demo work)."""

from __future__ import annotations

from typing import Any


def load(*, commune: Any, staff: dict[str, Any]) -> None:
    """Idempotent: does nothing yet."""
