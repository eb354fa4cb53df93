"""A bank links to the controlled document version it was frozen under (`sop_version`).
Existing banks whose `sop_reference` reads like "SOP-BB-012 v3" are linked to that version of
their institution's document when it exists (the text is then cleared: the link says it);
any other text is kept as it is."""

import re

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CITED = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+)\s+v(\d+)\s*$")


def link_cited_versions(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    CellBank = apps.get_model("biobank", "CellBank")
    DocumentVersion = apps.get_model("qms", "DocumentVersion")
    for bank in CellBank.objects.exclude(sop_reference="").filter(sop_version__isnull=True):
        match = CITED.match(bank.sop_reference)
        if match is None:
            continue
        version = DocumentVersion.objects.filter(
            document__institution_id=bank.institution_id,
            document__number=match[1].upper(),
            number=int(match[2]),
        ).first()
        if version is not None:
            CellBank.objects.filter(pk=bank.pk).update(sop_version=version, sop_reference="")


def unlink(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    CellBank = apps.get_model("biobank", "CellBank")
    for bank in CellBank.objects.filter(sop_version__isnull=False).select_related(
        "sop_version__document"
    ):
        label = f"{bank.sop_version.document.number} v{bank.sop_version.number}"
        CellBank.objects.filter(pk=bank.pk).update(sop_reference=label, sop_version=None)


class Migration(migrations.Migration):
    dependencies = [
        ("biobank", "0005_history_event_note"),
        ("qms", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="cellbank",
            name="sop_version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="qms.documentversion",
                verbose_name="SOP version",
            ),
        ),
        migrations.RunPython(link_cited_versions, unlink),
    ]
