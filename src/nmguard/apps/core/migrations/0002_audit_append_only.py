"""Database triggers that refuse UPDATE and DELETE on audit events and signatures.

The hash chain detects an edit made by someone who can drop these triggers (a DBA); the triggers
stop everyone else, including a bug in our own code, from editing the trail at all.
"""

from django.db import migrations

from nmguard.apps.core.append_only import create_statements, drop_statements


def forwards(apps, schema_editor):
    for sql in create_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    for sql in drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
