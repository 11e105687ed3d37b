"""Forms of the public pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clocher.core.forms import Form


class CommuneSearchForm(Form):
    q = forms.CharField(
        label=_("Nom, code postal ou code INSEE de la commune"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
