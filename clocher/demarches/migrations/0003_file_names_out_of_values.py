"""Requests keep their files' original names in the vault only, not in clear in ``values``.

A file field not flagged personal had its answer stored in clear in ``Request.values`` as
``{"file": "<vault file id>", "name": "<original name>", "size": n}``, and an original name
often carries a person's name. Requests are now stored with ``{"file": ..., "size": ...}``
(``demarches.formschema.file_references``) and readers take the name from the vault, where it is
sealed with the file (``VaultFile.name_ciphertext``). This migration rewrites the requests stored
before, in file fields and in file fields of repeatable blocks, found through each request's form
version.

A name is dropped only when the reference's vault file exists, in the request's commune, with a
sealed name. **A reference whose vault file is missing (or whose id is not a vault id) keeps its
clear name**: it is then the only record of that name. That should not happen — a request's
files are protected from deletion while the request exists, and anonymisation removes file
answers altogether — but a file deleted outside Clocher would leave one. The sealed names are not
decrypted here, so the migration runs without the key ring; they were written from the same
upload as the clear names (public form, counter entry, e-mail triage, API).

The sealed personal values are not touched (their names are sealed already). Reversing leaves
the values as they are: readers accept both forms.
"""

import uuid

from django.db import migrations

CHUNK = 500


def _file_fields(schema):
    """(field name, None) for a file field, (block name, [file sub-field names]) for a
    repeatable block holding file fields."""
    fields = schema.get("fields") if isinstance(schema, dict) else None
    found = []
    for item in fields if isinstance(fields, list) else []:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "file":
            found.append((str(item.get("name", "")), None))
        elif item.get("type") == "repeat" and isinstance(item.get("fields"), list):
            subs = [
                str(sub.get("name", ""))
                for sub in item["fields"]
                if isinstance(sub, dict) and sub.get("type") == "file"
            ]
            if subs:
                found.append((str(item.get("name", "")), subs))
    return found


def _named_references(values, file_fields):
    """The file references of ``values`` that carry a name (the dicts themselves)."""
    for name, subs in file_fields:
        value = values.get(name)
        if not isinstance(value, list):
            continue
        if subs is None:
            lists = [value]
        else:
            lists = [item.get(sub) for item in value if isinstance(item, dict) for sub in subs]
        for references in lists:
            for reference in references if isinstance(references, list) else []:
                if (
                    isinstance(reference, dict)
                    and isinstance(reference.get("file"), str)
                    and "name" in reference
                ):
                    yield reference


def _vault_id(value):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def drop_clear_file_names(apps, schema_editor):
    Request = apps.get_model("demarches", "Request")
    FormVersion = apps.get_model("demarches", "FormVersion")
    VaultFile = apps.get_model("core", "VaultFile")
    fields_by_version = {}
    rows = Request.objects.only("pk", "commune_id", "form_version_id", "values").order_by("pk")
    for request in rows.iterator(chunk_size=CHUNK):
        values = request.values
        if not isinstance(values, dict) or not values:
            continue
        if request.form_version_id not in fields_by_version:
            schema = (
                FormVersion.objects.filter(pk=request.form_version_id)
                .values_list("schema", flat=True)
                .first()
            )
            fields_by_version[request.form_version_id] = _file_fields(schema)
        references = list(_named_references(values, fields_by_version[request.form_version_id]))
        if not references:
            continue
        ids = {_vault_id(reference["file"]) for reference in references} - {None}
        sealed = {
            str(pk)
            for pk, name_ciphertext in VaultFile.objects.filter(
                commune_id=request.commune_id, pk__in=ids
            ).values_list("pk", "name_ciphertext")
            if name_ciphertext
        }
        changed = False
        for reference in references:
            if str(_vault_id(reference["file"])) in sealed:
                del reference["name"]
                changed = True
        if changed:
            Request.objects.filter(pk=request.pk).update(values=values)


class Migration(migrations.Migration):
    dependencies = [
        ("demarches", "0002_documents_decision_templates"),
        ("core", "0006_audit_actions_demarches"),
    ]

    operations = [
        migrations.RunPython(drop_clear_file_names, migrations.RunPython.noop, elidable=True),
    ]
