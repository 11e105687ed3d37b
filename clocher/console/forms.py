"""Forms of the operator console."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from clocher.core.forms import Form
from clocher.tenancy.models import Commune, Operator

insee_validator = RegexValidator(
    r"^(\d{5}|2[AB]\d{3})$",
    _("Un code INSEE a 5 caractères : 5 chiffres, ou 2A/2B puis 3 chiffres en Corse."),
)


class UserSearchForm(Form):
    q = forms.CharField(
        label=_("Nom ou e-mail"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class CommuneCreateForm(Form):
    name = forms.CharField(label=_("Nom de la commune"), max_length=200)
    insee_code = forms.CharField(
        label=_("Code INSEE"),
        max_length=5,
        validators=[insee_validator],
        help_text=_("Le code officiel géographique, par exemple 21231 (pas le code postal)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "size": 6}),
    )
    slug = forms.SlugField(
        label=_("Identifiant dans les adresses"),
        required=False,
        max_length=50,
        allow_unicode=False,
        help_text=_(
            "Lettres minuscules, chiffres et tirets ; laissé vide, il est tiré du nom "
            "(par exemple vaux-la-cloche)."
        ),
    )
    population = forms.IntegerField(
        label=_("Population"), required=False, min_value=0, max_value=10_000_000
    )
    operator = forms.ModelChoiceField(
        label=_("Opérateur"), queryset=Operator.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, operators: QuerySet[Operator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = operators  # type: ignore[attr-defined]
        if operators.count() == 1:
            self.fields["operator"].widget = forms.HiddenInput()
            self.fields["operator"].initial = operators.first()

    def clean_insee_code(self) -> str:
        code = str(self.cleaned_data["insee_code"]).strip().upper()
        insee_validator(code)
        existing = Commune.objects.filter(insee_code=code).first()
        if existing is not None:
            raise forms.ValidationError(
                _("Ce code INSEE est déjà celui de la commune %(name)s.") % {"name": existing.name}
            )
        return code

    def clean_slug(self) -> str:
        slug = str(self.cleaned_data.get("slug") or "").strip().lower()
        if slug and Commune.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Cet identifiant est déjà pris par une autre commune."))
        return slug

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name, code = cleaned.get("name"), cleaned.get("insee_code")
        if name and code and not cleaned.get("slug") and "slug" not in self.errors:
            base = slugify(name)[:44] or "commune"
            # Homonyms are common (several Saint-Martin): add the INSEE code to tell them apart.
            slug = (
                base if not Commune.objects.filter(slug=base).exists() else f"{base}-{code.lower()}"
            )
            if Commune.objects.filter(slug=slug).exists():
                self.add_error(
                    "slug", _("Choisissez un identifiant : celui tiré du nom est déjà pris.")
                )
            cleaned["slug"] = slug
        return cleaned
