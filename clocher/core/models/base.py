"""The base of every commune-owned model.

Every model that belongs to a commune inherits :class:`CommuneOwnedModel`. That gives it:

- a ``commune`` foreign key (indexed), so scoping is always one ``WHERE commune_id = …``; a
  table written at a high rate whose other keys lead with a column that already narrows to one
  commune may redeclare it with ``commune_foreign_key(db_index=False)``;
- the ``for_commune()`` queryset method that selectors build on;
- on PostgreSQL, a Row-Level Security policy applied after each migration (see ``core.rls``);
- coverage by the isolation test, once its URL parameter is registered in ``core.scoping``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models

if TYPE_CHECKING:
    from clocher.tenancy.models import Commune


class CommuneScopedQuerySet(models.QuerySet[Any]):
    def for_commune(self, commune: Commune) -> Self:
        return self.filter(commune=commune)


def commune_foreign_key(
    *, db_index: bool = True, db_constraint: bool = True
) -> models.ForeignKey[Commune, Commune]:
    """The ``commune`` field of a commune-owned model (``db_constraint=False``: the protection
    against deleting a commune that still owns rows is Django's alone, see ``iot.Measurement``)."""
    return models.ForeignKey(
        "tenancy.Commune",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=db_index,
        db_constraint=db_constraint,
    )


class CommuneOwnedModel(models.Model):
    commune = commune_foreign_key()

    objects = CommuneScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class JournalQuerySet(CommuneScopedQuerySet):
    """The rows of an append-only journal: never updated nor deleted in bulk."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError(self.model.append_only_message)

    def delete(self) -> Any:
        raise TypeError(self.model.append_only_message)


class JournalEntry:
    """Mixin (before ``CommuneOwnedModel``) of an append-only journal's entry: written once,
    never changed, never deleted; pair it with ``objects = JournalQuerySet.as_manager()``."""

    append_only_message = "The journal is append-only."
    pk: Any

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError(self.append_only_message)
        super().save(*args, **kwargs)  # type: ignore[misc]

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(self.append_only_message)


def commune_owned_models() -> list[type[models.Model]]:
    """Every concrete installed model that belongs to a commune."""
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if issubclass(model, CommuneOwnedModel) and not model._meta.abstract
    ]
