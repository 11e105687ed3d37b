"""Sign-in forms for staff (password, second factor) and citizens (magic link by e-mail)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from clocher.core.forms import Form

_SEPARATORS = re.compile(r"[\s\-]")


def normalize_code(value: str) -> str:
    """A code as typed ("123 456", "ABCDE-FGHIJ") without spaces or dashes, in lower case."""
    return _SEPARATORS.sub("", value or "").lower()


class LoginForm(Form):
    """E-mail and password. The e-mail field is named ``username`` for django-axes."""

    username = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class SecondFactorForm(Form):
    """The code of the authenticator app, or one recovery code."""

    code = forms.CharField(
        label=_("Code à 6 chiffres ou code de secours"),
        help_text=_(
            "Le code affiché par votre application d'authentification, "
            "ou l'un de vos codes de secours (par exemple abcde-fghij)."
        ),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}|[a-z2-7]{10}", code):
            raise forms.ValidationError(
                _(
                    "Saisissez les 6 chiffres de votre application, "
                    "ou un code de secours de 10 caractères."
                )
            )
        return code


class EnrolmentForm(Form):
    """The first code produced by the newly configured authenticator app."""

    code = forms.CharField(
        label=_("Code à 6 chiffres affiché par l'application"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("Le code comporte exactement 6 chiffres."))
        return code


class MagicLinkRequestForm(Form):
    email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        max_length=254,
        help_text=_("Nous vous enverrons un lien de connexion valable une seule fois."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
