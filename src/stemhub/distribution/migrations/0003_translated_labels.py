"""Field and model names in words (English, translated by the catalogue), and licence
version 2: the terms of version 1 in English and Chinese, signed together. Version 1 stays as
its researchers signed it; never edit version 2 here either (a new wording is a new row)."""

import hashlib
import json

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TITLE = "Licence to use cell lines for one research project"
TEXT = """\
1. No cost. The provider gives the cells free of charge.

2. Not transferable. The cells, their progeny and anything derived from them stay with your laboratory. You do not pass them on to anyone else, inside or outside your institution, without the provider's written consent.

3. For this project only. You use the cells only for the project described in this request and only for the use you declared (basic research, commercial or clinical). A new project needs a new request.

4. Ownership and intellectual property stay with the provider. This licence gives you the right to use the cells, not to own them. You do not claim patents or other rights on the cells themselves or on unmodified derivatives.

5. Results are shared. You tell the provider about publications and results that used the cells (with their DOI), cite the line by its standard name, and report how the cells did after thawing. The provider may use your post-thaw report to improve its banking.

6. Consent and law. You respect the limits of the donor's consent shown on the line's record and the law where you work; you hold the ethics approval you named.

7. Ending. The provider may end this licence if these terms are broken; you then destroy the remaining cells and tell the provider you have done so.

8. Languages. This licence is written in Chinese and English; both texts are equally binding.
""".strip()
TITLE_ZH = "细胞系使用许可协议（仅限一个研究项目）"
TEXT_ZH = """\
1. 免费。提供机构免费提供细胞。

2. 不得转让。细胞、其子代以及由其衍生的任何材料均只留在您的实验室。未经提供机构书面同意，您不得将其转交他人，无论对方在您所在机构之内还是之外。

3. 仅用于本项目。您只能将细胞用于本申请所述的项目，并且只能用于您声明的用途（基础研究、商业或临床）。新的项目须另行申请。

4. 所有权和知识产权归提供机构。本许可协议授予您使用细胞的权利，而非细胞的所有权。您不得就细胞本身或未经修饰的衍生物主张专利或其他权利。

5. 共享成果。您应将使用了这些细胞的出版物和成果（连同其 DOI）告知提供机构，以标准名称引用该细胞系，并报告细胞复苏后的情况。提供机构可利用您的复苏后报告改进其细胞库工作。

6. 知情同意与法律。您须遵守细胞系记录中所示的供者知情同意范围以及您工作所在地的法律；您须持有您所填写的伦理审批。

7. 终止。如违反本条款，提供机构可终止本许可协议；届时您须销毁剩余的细胞，并告知提供机构已销毁。

8. 语言。本许可协议以中文和英文写成，两种文本具有同等效力。
""".strip()


def add_version_2(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor | None) -> None:
    """Version 2, bilingual; its SHA-256 is `models.licence_sha256` of both texts (spelled out
    here, as a migration must not change when the models do)."""
    LicenceVersion = apps.get_model("distribution", "LicenceVersion")
    both = json.dumps({"en": TEXT, "zh-hans": TEXT_ZH}, ensure_ascii=False, sort_keys=True)
    LicenceVersion.objects.get_or_create(
        number=2,
        defaults={
            "title": TITLE,
            "text": TEXT,
            "title_zh": TITLE_ZH,
            "text_zh": TEXT_ZH,
            "sha256": hashlib.sha256(both.encode()).hexdigest(),
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_language"),
        ("biobank", "0003_bank_viability_validators"),
        ("distribution", "0002_licence_version_1"),
        ("registry", "0004_line_types_by_species"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="allocation",
            options={
                "ordering": ["request", "id"],
                "verbose_name": "allocation",
                "verbose_name_plural": "allocations",
            },
        ),
        migrations.AlterModelOptions(
            name="distributionrequest",
            options={
                "ordering": ["-submitted_at", "-id"],
                "verbose_name": "distribution request",
                "verbose_name_plural": "distribution requests",
            },
        ),
        migrations.AlterModelOptions(
            name="licencesignature",
            options={
                "verbose_name": "licence signature",
                "verbose_name_plural": "licence signatures",
            },
        ),
        migrations.AlterModelOptions(
            name="licenceversion",
            options={
                "ordering": ["-number"],
                "verbose_name": "licence version",
                "verbose_name_plural": "licence versions",
            },
        ),
        migrations.AlterModelOptions(
            name="receipt",
            options={"verbose_name": "receipt", "verbose_name_plural": "receipts"},
        ),
        migrations.AlterModelOptions(
            name="requestevent",
            options={
                "ordering": ["at", "id"],
                "verbose_name": "request event",
                "verbose_name_plural": "request events",
            },
        ),
        migrations.AlterModelOptions(
            name="resultreport",
            options={
                "ordering": ["at", "id"],
                "verbose_name": "result report",
                "verbose_name_plural": "result reports",
            },
        ),
        migrations.AlterModelOptions(
            name="shipment",
            options={"verbose_name": "shipment", "verbose_name_plural": "shipments"},
        ),
        migrations.AlterModelOptions(
            name="thawreport",
            options={
                "verbose_name": "post-thaw report",
                "verbose_name_plural": "post-thaw reports",
            },
        ),
        migrations.AddField(
            model_name="licenceversion",
            name="text_zh",
            field=models.TextField(blank=True, verbose_name="text in Chinese"),
        ),
        migrations.AddField(
            model_name="licenceversion",
            name="title_zh",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in Chinese"),
        ),
        migrations.AlterField(
            model_name="allocation",
            name="allocated_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="allocated at"
            ),
        ),
        migrations.AlterField(
            model_name="allocation",
            name="allocated_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="allocated by",
            ),
        ),
        migrations.AlterField(
            model_name="allocation",
            name="bank",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="biobank.cellbank",
                verbose_name="cell bank",
            ),
        ),
        migrations.AlterField(
            model_name="allocation",
            name="place",
            field=models.CharField(
                help_text="Storage place when allocated", max_length=500, verbose_name="place"
            ),
        ),
        migrations.AlterField(
            model_name="allocation",
            name="request",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="allocations",
                to="distribution.distributionrequest",
                verbose_name="request",
            ),
        ),
        migrations.AlterField(
            model_name="allocation",
            name="vial",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="allocation",
                to="biobank.vial",
                verbose_name="vial",
            ),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="checks",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Automatic check notes shown to the reviewers",
                verbose_name="automatic checks",
            ),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="committee_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="decided by the access committee member",
            ),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="ethics_reference",
            field=models.CharField(max_length=200, verbose_name="ethics approval reference"),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="intended_use",
            field=models.CharField(
                choices=[
                    ("basic_research", "Basic research"),
                    ("commercial", "Commercial"),
                    ("clinical", "Clinical"),
                ],
                max_length=16,
                verbose_name="intended use",
            ),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="licence",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="distribution.licenceversion",
                verbose_name="licence",
            ),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="line",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="requests",
                to="registry.cellline",
                verbose_name="cell line",
            ),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="needs_committee",
            field=models.BooleanField(
                default=False,
                help_text="The line was under managed access when requested",
                verbose_name="needs the access committee",
            ),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="principal_investigator",
            field=models.CharField(max_length=200, verbose_name="principal investigator"),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="project_summary",
            field=models.TextField(verbose_name="project summary"),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="project_title",
            field=models.CharField(max_length=300, verbose_name="project title"),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="provider",
            field=models.ForeignKey(
                help_text="The institution that holds the line: its curators review the request",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.institution",
                verbose_name="provider",
            ),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="recipient_country",
            field=models.CharField(
                help_text="ISO 3166-1 alpha-2", max_length=2, verbose_name="recipient country"
            ),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="recipient_institution",
            field=models.CharField(max_length=200, verbose_name="recipient institution"),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="researcher",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="distribution_requests",
                to=settings.AUTH_USER_MODEL,
                verbose_name="researcher",
            ),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="reviewed by",
            ),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="status",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("awaiting_committee", "Awaiting the access committee"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("withdrawn", "Withdrawn"),
                    ("allocated", "Vials allocated"),
                    ("shipped", "Shipped"),
                    ("received", "Received"),
                    ("reported", "Post-thaw results reported"),
                ],
                default="submitted",
                max_length=24,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="submitted_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="submitted at"
            ),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AlterField(
            model_name="distributionrequest",
            name="vials_requested",
            field=models.PositiveSmallIntegerField(verbose_name="vials requested"),
        ),
        migrations.AlterField(
            model_name="licencesignature",
            name="digest",
            field=models.CharField(max_length=64, verbose_name="digest"),
        ),
        migrations.AlterField(
            model_name="licencesignature",
            name="licence",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="distribution.licenceversion",
                verbose_name="licence",
            ),
        ),
        migrations.AlterField(
            model_name="licencesignature",
            name="meaning",
            field=models.CharField(
                default="accepted the licence terms", max_length=100, verbose_name="meaning"
            ),
        ),
        migrations.AlterField(
            model_name="licencesignature",
            name="printed_name",
            field=models.CharField(max_length=200, verbose_name="printed name"),
        ),
        migrations.AlterField(
            model_name="licencesignature",
            name="request",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="signature",
                to="distribution.distributionrequest",
                verbose_name="request",
            ),
        ),
        migrations.AlterField(
            model_name="licencesignature",
            name="signed_at",
            field=models.DateTimeField(verbose_name="signed at"),
        ),
        migrations.AlterField(
            model_name="licencesignature",
            name="signer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="signer",
            ),
        ),
        migrations.AlterField(
            model_name="licenceversion",
            name="effective_from",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="effective from"
            ),
        ),
        migrations.AlterField(
            model_name="licenceversion",
            name="number",
            field=models.PositiveIntegerField(unique=True, verbose_name="version"),
        ),
        migrations.AlterField(
            model_name="licenceversion",
            name="sha256",
            field=models.CharField(
                help_text="Of the texts, as the researcher saw them",
                max_length=64,
                verbose_name="SHA-256",
            ),
        ),
        migrations.AlterField(
            model_name="licenceversion",
            name="text",
            field=models.TextField(verbose_name="text"),
        ),
        migrations.AlterField(
            model_name="licenceversion",
            name="title",
            field=models.CharField(max_length=200, verbose_name="title"),
        ),
        migrations.AlterField(
            model_name="receipt",
            name="at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="recorded at"
            ),
        ),
        migrations.AlterField(
            model_name="receipt",
            name="condition",
            field=models.TextField(
                blank=True,
                help_text="State of the package on arrival",
                verbose_name="condition on arrival",
            ),
        ),
        migrations.AlterField(
            model_name="receipt",
            name="confirmed_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="confirmed by",
            ),
        ),
        migrations.AlterField(
            model_name="receipt",
            name="received_on",
            field=models.DateField(verbose_name="received on"),
        ),
        migrations.AlterField(
            model_name="receipt",
            name="request",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="receipt",
                to="distribution.distributionrequest",
                verbose_name="request",
            ),
        ),
        migrations.AlterField(
            model_name="requestevent",
            name="actor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.AlterField(
            model_name="requestevent",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="at"),
        ),
        migrations.AlterField(
            model_name="requestevent",
            name="from_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("submitted", "Submitted"),
                    ("awaiting_committee", "Awaiting the access committee"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("withdrawn", "Withdrawn"),
                    ("allocated", "Vials allocated"),
                    ("shipped", "Shipped"),
                    ("received", "Received"),
                    ("reported", "Post-thaw results reported"),
                ],
                max_length=24,
                verbose_name="from status",
            ),
        ),
        migrations.AlterField(
            model_name="requestevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("approved", "Approved by the curator"),
                    ("committee_approved", "Approved by the access committee"),
                    ("rejected", "Rejected"),
                    ("withdrawn", "Withdrawn"),
                    ("allocated", "Vials allocated"),
                    ("shipped", "Shipped"),
                    ("received", "Receipt confirmed"),
                    ("thaw_reported", "Post-thaw results reported"),
                    ("result_reported", "Result shared"),
                ],
                max_length=24,
                verbose_name="event",
            ),
        ),
        migrations.AlterField(
            model_name="requestevent",
            name="note",
            field=models.TextField(blank=True, verbose_name="note"),
        ),
        migrations.AlterField(
            model_name="requestevent",
            name="request",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="distribution.distributionrequest",
                verbose_name="request",
            ),
        ),
        migrations.AlterField(
            model_name="requestevent",
            name="to_status",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("awaiting_committee", "Awaiting the access committee"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("withdrawn", "Withdrawn"),
                    ("allocated", "Vials allocated"),
                    ("shipped", "Shipped"),
                    ("received", "Received"),
                    ("reported", "Post-thaw results reported"),
                ],
                max_length=24,
                verbose_name="to status",
            ),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="recorded at"
            ),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="doi",
            field=models.CharField(blank=True, max_length=200, verbose_name="DOI"),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="reported_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="reported by",
            ),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="request",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="results",
                to="distribution.distributionrequest",
                verbose_name="request",
            ),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="summary",
            field=models.TextField(blank=True, verbose_name="summary"),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="title",
            field=models.CharField(max_length=500, verbose_name="title"),
        ),
        migrations.AlterField(
            model_name="shipment",
            name="courier",
            field=models.CharField(max_length=100, verbose_name="courier"),
        ),
        migrations.AlterField(
            model_name="shipment",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="created at"
            ),
        ),
        migrations.AlterField(
            model_name="shipment",
            name="dry_shipper",
            field=models.CharField(
                help_text="Dry shipper id or serial", max_length=100, verbose_name="dry shipper"
            ),
        ),
        migrations.AlterField(
            model_name="shipment",
            name="expected_on",
            field=models.DateField(blank=True, null=True, verbose_name="expected on"),
        ),
        migrations.AlterField(
            model_name="shipment",
            name="pack",
            field=models.JSONField(
                help_text="What the shipment carries, as promised when it left",
                verbose_name="shipment pack",
            ),
        ),
        migrations.AlterField(
            model_name="shipment",
            name="request",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="shipment",
                to="distribution.distributionrequest",
                verbose_name="request",
            ),
        ),
        migrations.AlterField(
            model_name="shipment",
            name="shipped_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="shipped by",
            ),
        ),
        migrations.AlterField(
            model_name="shipment",
            name="shipped_on",
            field=models.DateField(verbose_name="shipped on"),
        ),
        migrations.AlterField(
            model_name="shipment",
            name="temperature_logger",
            field=models.CharField(
                help_text="Temperature logger id", max_length=100, verbose_name="temperature logger"
            ),
        ),
        migrations.AlterField(
            model_name="shipment",
            name="tracking_number",
            field=models.CharField(max_length=100, verbose_name="tracking number"),
        ),
        migrations.AlterField(
            model_name="thawreport",
            name="at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="recorded at"
            ),
        ),
        migrations.AlterField(
            model_name="thawreport",
            name="attachment",
            field=models.CharField(
                choices=[
                    ("good", "Good (most colonies attached)"),
                    ("partial", "Partial"),
                    ("poor", "Poor"),
                    ("none", "None"),
                ],
                max_length=8,
                verbose_name="attachment",
            ),
        ),
        migrations.AlterField(
            model_name="thawreport",
            name="problems",
            field=models.TextField(blank=True, verbose_name="problems"),
        ),
        migrations.AlterField(
            model_name="thawreport",
            name="recovery",
            field=models.DecimalField(
                decimal_places=2,
                help_text="% of the promised cells recovered",
                max_digits=6,
                verbose_name="recovery",
            ),
        ),
        migrations.AlterField(
            model_name="thawreport",
            name="reported_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="reported by",
            ),
        ),
        migrations.AlterField(
            model_name="thawreport",
            name="request",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="thaw_report",
                to="distribution.distributionrequest",
                verbose_name="request",
            ),
        ),
        migrations.AlterField(
            model_name="thawreport",
            name="thawed_on",
            field=models.DateField(verbose_name="thawed on"),
        ),
        migrations.AlterField(
            model_name="thawreport",
            name="viability",
            field=models.DecimalField(
                decimal_places=2, help_text="% viable cells", max_digits=5, verbose_name="viability"
            ),
        ),
        migrations.RunPython(add_version_2, migrations.RunPython.noop),
    ]
