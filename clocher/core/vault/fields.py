"""``EncryptedTextField``: a model field whose value is stored sealed with the commune's key.

The column holds only ciphertext. Reading the attribute decrypts (and, for operator staff,
journals the read); assigning stores the plaintext in memory until the next save, which seals it.
The model must have a ``commune`` foreign key (every ``CommuneOwnedModel`` has one).

Encrypted values cannot be filtered or sorted in SQL; to look one up, store a
``vault.blind_index`` of it in another column.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from clocher.core.vault import envelope

_UNSET = object()


class _EncryptedDescriptor:
    def __init__(self, field: EncryptedTextField) -> None:
        self.field = field

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        cache = instance.__dict__
        plain_key = self.field.plain_cache_name
        if plain_key in cache:
            return cache[plain_key]
        ciphertext = cache.get(self.field.attname)
        if ciphertext in (None, b"", ""):
            value = "" if not self.field.null else None
        else:
            value = envelope.open_sealed(
                instance.commune_id,
                bytes(ciphertext),
                context=self.field.vault_context,
                compartment=self.field.compartment_of(instance),
            ).decode()
        cache[plain_key] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        if isinstance(value, bytes | memoryview):
            # Coming from the database: a ciphertext.
            instance.__dict__[self.field.attname] = bytes(value)
            instance.__dict__.pop(self.field.plain_cache_name, None)
            return
        instance.__dict__[self.field.plain_cache_name] = value
        instance.__dict__[self.field.dirty_name] = True
        # Django treats a field missing from __dict__ as deferred: keep the key present.
        instance.__dict__.setdefault(self.field.attname, None)


class EncryptedTextField(models.BinaryField):
    description = "Text sealed with the commune's data key"

    def __init__(self, *args: Any, compartment_field: str | None = None, **kwargs: Any) -> None:
        """``compartment_field`` names a field of the same model whose value selects a sub-key
        of the commune's key (``"family"`` in démarches): values of one compartment cannot be
        opened with another's key."""
        kwargs.setdefault("editable", True)
        self.compartment_field = compartment_field
        super().__init__(*args, **kwargs)

    def compartment_of(self, instance: Any) -> str | None:
        if not self.compartment_field:
            return None
        return str(getattr(instance, self.compartment_field))

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, _EncryptedDescriptor(self))

    @property
    def plain_cache_name(self) -> str:
        return f"_plain_{self.attname}"

    @property
    def dirty_name(self) -> str:
        return f"_dirty_{self.attname}"

    @property
    def vault_context(self) -> str:
        return f"{self.model._meta.label}.{self.attname}"

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        cache = model_instance.__dict__
        if cache.get(self.dirty_name):
            plaintext = cache.get(self.plain_cache_name)
            if plaintext in (None, ""):
                ciphertext = None if self.null and plaintext is None else b""
            else:
                ciphertext = envelope.seal(
                    model_instance.commune_id,
                    str(plaintext),
                    context=self.vault_context,
                    compartment=self.compartment_of(model_instance),
                )
            cache[self.attname] = ciphertext
            cache[self.dirty_name] = False
        return cache.get(self.attname)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        """Only ciphertext reaches the database. A clear value here means a path that skips
        ``pre_save`` (``bulk_update``, ``QuerySet.update``, a lookup): refuse it rather than
        store or compare personal data in clear."""
        if isinstance(value, str):
            if value:
                raise envelope.VaultError(
                    f"{self.vault_context} can only be written by save() (which seals it); "
                    "bulk_update(), update() and lookups on it would use the clear value."
                )
            value = b""
        return super().get_db_prep_value(value, connection, prepared)

    def value_from_object(self, obj: Any) -> Any:
        return getattr(obj, self.attname)

    def to_python(self, value: Any) -> Any:
        return value

    def get_default(self) -> Any:
        return "" if not self.null else None

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("default", None)
        kwargs.pop("editable", None)
        if self.compartment_field:
            kwargs["compartment_field"] = self.compartment_field
        return name, "clocher.core.vault.EncryptedTextField", args, kwargs
