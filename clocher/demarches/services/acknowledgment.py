"""The acknowledgment of receipt (accusé de réception), CRPA L112-11 and R112-5."""

from __future__ import annotations


def acknowledgment_issue_for(request_id: int) -> None:
    raise NotImplementedError
