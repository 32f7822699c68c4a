from django.db import migrations


def set_fillfactor(apps, schema_editor):
    # Room in each page lets PostgreSQL update a message in place (a HOT
    # update) when no indexed column changes, as at the hand-over.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE sending_message SET (fillfactor = 70)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE sending_message RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("sending", "0001_initial")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
