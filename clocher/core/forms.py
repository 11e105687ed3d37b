"""The base of every Clocher form: errors tied to their field for assistive technologies."""

from __future__ import annotations

from typing import Any

from django import forms


class AccessibleFormMixin:
    """Marks invalid inputs with ``aria-invalid`` and points ``aria-describedby`` at the help text
    and the error message, so a screen reader reads them with the field."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            bound = self[name]  # type: ignore[index]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}_helptext")
            if name in self.errors:  # type: ignore[attr-defined]
                field.widget.attrs["aria-invalid"] = "true"
                described.append(f"{bound.auto_id}_error")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


class Form(AccessibleFormMixin, forms.Form):
    pass


class ModelForm(AccessibleFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
