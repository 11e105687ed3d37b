"""``{{ code|quantity_label }}``: a measured quantity as people read it (``co2`` → « CO₂ »)."""

from __future__ import annotations

from django import template

from clocher.iot.quantities import quantity_label as label_of

register = template.Library()


@register.filter
def quantity_label(quantity: object) -> str:
    return label_of(str(quantity)) if quantity else ""
