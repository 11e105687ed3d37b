"""The audit journal as the database sees it: ids kept, and on PostgreSQL no UPDATE or DELETE.

- ``actor`` and ``commune`` become plain references: deleting a user must not rewrite the
  ``actor_id`` that an entry's hash covers.
- On PostgreSQL, a trigger refuses UPDATE and DELETE on ``core_auditentry`` whoever asks (raw SQL,
  a report tool, a psql session); only dropping the trigger, which needs the table's owner, or a
  TRUNCATE (used by the test suite between tests) gets past it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION clocher_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit journal is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""
TRIGGER = """
CREATE TRIGGER clocher_audit_append_only
BEFORE UPDATE OR DELETE ON core_auditentry
FOR EACH STATEMENT EXECUTE FUNCTION clocher_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS clocher_audit_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS clocher_audit_append_only();
"""


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(FUNCTION, params=None)
        schema_editor.execute(TRIGGER, params=None)


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_api_key'),
        ('tenancy', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='commune',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenancy.commune'),
        ),
        migrations.RunPython(install_trigger, remove_trigger, elidable=False),
    ]
