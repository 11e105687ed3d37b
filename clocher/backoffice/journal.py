"""Presenting the personal-data access journal to a commune admin in plain words."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

_SPECIAL_PLACES = {
    "core.VaultFile.content": lambda: _("Contenu d’un fichier déposé"),
    "core.VaultFile.name": lambda: _("Nom d’un fichier déposé"),
    "accounts.CitizenAccount.email": lambda: _("Compte d’un habitant — adresse e-mail"),
    "accounts.CitizenAccount.display_name": lambda: _("Compte d’un habitant — nom"),
}


def describe_place(place: str) -> str:
    """``"accounts.CitizenAccount.email"`` → ``"Compte usager — e-mail"``, from the models'
    verbose names; an unknown place is shown as it is rather than hidden."""
    label = place.split(":", 1)[0]
    if label in _SPECIAL_PLACES:
        return str(_SPECIAL_PLACES[label]())
    parts = label.split(".")
    if len(parts) != 3:
        return place
    app_label, model_name, field_name = parts
    try:
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(field_name)
    except (LookupError, FieldDoesNotExist):
        return place
    verbose_field = getattr(field, "verbose_name", field_name)
    return f"{model._meta.verbose_name} — {verbose_field}"
