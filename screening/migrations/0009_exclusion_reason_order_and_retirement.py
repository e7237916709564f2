"""Exclusion reasons in the lead's order, and retirement.

Until now reasons were listed alphabetically, and the screening page gave keys 1-9 in that order;
each project's existing reasons are numbered in that same order, so no key a reviewer learnt
moves with this migration.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def number_in_alphabetical_order(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    reason_model = apps.get_model("screening", "ExclusionReason")
    alias = schema_editor.connection.alias
    numbered = []
    project_id, position = None, 0
    # The order the lists showed before: name, then id (the old Meta.ordering), per project.
    for reason in reason_model.objects.using(alias).order_by("project_id", "name", "id"):
        if reason.project_id != project_id:
            project_id, position = reason.project_id, 0
        position += 1
        reason.position = position
        numbered.append(reason)
    reason_model.objects.using(alias).bulk_update(numbered, ["position"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0008_highlight_terms"),
    ]

    operations = [
        migrations.AddField(
            model_name="exclusionreason",
            name="position",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="exclusionreason",
            name="retired_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterModelOptions(
            name="exclusionreason",
            options={"ordering": ["proposed", "position", "id"]},
        ),
        # Backwards, the position column is dropped with its field: nothing to undo here.
        migrations.RunPython(number_in_alphabetical_order, migrations.RunPython.noop),
    ]
