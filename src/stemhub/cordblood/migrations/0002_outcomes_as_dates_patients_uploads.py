"""Outcomes as dates (last follow-up, status then, death, relapse, graft failure) instead of
day counts and per-milestone survival fields; diagnosis as a disease group with a detail; the
patient's date of birth and disease status; processing and freezing dates of units; a record of
every upload; the counts of each saved search; and the invariants of all of them."""

import datetime as dt

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

GROUPS = {
    "aml": "aml", "all": "all", "cml": "cml", "mds": "mds", "lymphoma": "lymphoma",
    "thalassaemia": "thalassaemia", "thalassemia": "thalassaemia", "saa": "saa",
    "aplastic anaemia": "saa", "aplastic anemia": "saa",
}
MALIGNANT = {"aml", "all", "cml", "mds", "lymphoma"}


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Free-text diagnoses become a group (known names) or "other" with the text kept as the
    detail; day counts become dates from the infusion, and the survival fields a status."""
    Patient = apps.get_model("cordblood", "Patient")
    for patient in Patient.objects.exclude(diagnosis=""):
        text = patient.diagnosis.strip()
        group = GROUPS.get(text.lower())
        patient.diagnosis_detail = "" if group else text[:200]
        patient.diagnosis = group or "other"
        if group:
            patient.malignant = group in MALIGNANT
        patient.save(update_fields=["diagnosis", "diagnosis_detail", "malignant"])
    Transplant = apps.get_model("cordblood", "Transplant")
    for transplant in Transplant.objects.all():
        start = transplant.infused_on
        if transplant.death_day is not None:
            transplant.died_on = start + dt.timedelta(days=transplant.death_day)
            transplant.vital_status = "dead"
        if transplant.last_followup_day is not None:
            transplant.last_followup_on = start + dt.timedelta(days=transplant.last_followup_day)
            if transplant.died_on is not None:
                transplant.last_followup_on = min(transplant.last_followup_on, transplant.died_on)
            elif transplant.vital_status != "dead":
                transplant.vital_status = "alive"
        transplant.save(update_fields=["died_on", "last_followup_on", "vital_status"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_access_committee_role'),
        ('cordblood', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='UnitUpload',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('filename', models.CharField(max_length=200)),
                ('mode', models.CharField(choices=[('full', 'Full'), ('delta', 'Delta')], max_length=8)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('applied', models.BooleanField()),
                ('rows', models.PositiveIntegerField(default=0)),
                ('created', models.PositiveIntegerField(default=0)),
                ('updated', models.PositiveIntegerField(default=0)),
                ('unchanged', models.PositiveIntegerField(default=0)),
                ('withdrawn', models.PositiveIntegerField(default=0)),
                ('skipped', models.PositiveIntegerField(default=0)),
                ('problem_count', models.PositiveIntegerField(default=0)),
                ('problems', models.JSONField(blank=True, default=list)),
            ],
            options={
                'ordering': ['-at', '-pk'],
            },
        ),
        migrations.AlterField(
            model_name='transplant',
            name='recorded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='patient',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='patient',
            name='dsa',
            field=models.JSONField(blank=True, default=list, verbose_name='donor-specific antibodies (antigens or alleles)'),
        ),
        migrations.AddField(
            model_name='patient',
            name='date_of_birth',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='patient',
            name='diagnosis_detail',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name='patient',
            name='disease_status',
            field=models.CharField(blank=True, choices=[('cr1', 'First complete remission (CR1)'), ('cr2', 'Second complete remission (CR2)'), ('cr3', 'Third or later complete remission'), ('active', 'Active disease (not in remission)'), ('chronic', 'Chronic phase'), ('advanced', 'Accelerated or blast phase'), ('na', 'Not applicable (non-malignant disease)')], max_length=8),
        ),
        migrations.AddField(
            model_name='savedsearch',
            name='counts',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='transplant',
            name='died_on',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='transplant',
            name='graft_failure',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='transplant',
            name='last_followup_on',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='transplant',
            name='relapse_on',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='transplant',
            name='relapsed',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='transplant',
            name='vital_status',
            field=models.CharField(choices=[('alive', 'Alive'), ('dead', 'Dead'), ('unknown', 'Not yet known')], default='unknown', max_length=8),
        ),
        migrations.AddField(
            model_name='unit',
            name='freezing_date',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='unit',
            name='processing_date',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='transplant',
            name='death_day',
        ),
        migrations.RemoveField(
            model_name='transplant',
            name='last_followup_day',
        ),
        migrations.RemoveField(
            model_name='transplant',
            name='survival_1y',
        ),
        migrations.RemoveField(
            model_name='transplant',
            name='survival_5y',
        ),
        migrations.RemoveField(
            model_name='transplant',
            name='survival_day100',
        ),
        migrations.AlterField(
            model_name='patient',
            name='diagnosis',
            field=models.CharField(blank=True, choices=[('aml', 'Acute myeloid leukaemia (AML)'), ('all', 'Acute lymphoblastic leukaemia (ALL)'), ('cml', 'Chronic myeloid leukaemia (CML)'), ('mds', 'Myelodysplastic syndrome (MDS)'), ('lymphoma', 'Lymphoma'), ('thalassaemia', 'Thalassaemia major'), ('saa', 'Severe aplastic anaemia'), ('imd', 'Inherited metabolic disorder'), ('pid', 'Primary immunodeficiency'), ('other', 'Other')], max_length=16),
        ),
        migrations.AddConstraint(
            model_name='patient',
            constraint=models.CheckConstraint(condition=models.Q(('diagnosis__in', ['', 'aml', 'all', 'cml', 'mds', 'lymphoma', 'thalassaemia', 'saa', 'imd', 'pid', 'other'])), name='cord_patient_diagnosis_known'),
        ),
        migrations.AddConstraint(
            model_name='patient',
            constraint=models.CheckConstraint(condition=models.Q(('disease_status__in', ['', 'cr1', 'cr2', 'cr3', 'active', 'chronic', 'advanced', 'na'])), name='cord_patient_disease_status_known'),
        ),
        migrations.AddConstraint(
            model_name='patient',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('diagnosis__in', ['aml', 'all', 'cml', 'mds', 'lymphoma']), _negated=True), ('malignant', True), _connector='OR'), name='cord_patient_malignant_diagnosis'),
        ),
        migrations.AddConstraint(
            model_name='patient',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('diagnosis__in', ['thalassaemia', 'saa', 'imd', 'pid']), _negated=True), ('malignant', False), _connector='OR'), name='cord_patient_non_malignant_diagnosis'),
        ),
        migrations.AddConstraint(
            model_name='reservation',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['active', 'released', 'expired', 'shipped'])), name='cord_reservation_state_known'),
        ),
        migrations.AddConstraint(
            model_name='reservation',
            constraint=models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('created_at'))), name='cord_reservation_expires_after_it_starts'),
        ),
        migrations.AddConstraint(
            model_name='reservation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'active'), ('ended_at__isnull', True)), models.Q(models.Q(('state', 'active'), _negated=True), ('ended_at__isnull', False), ('ended_at__gte', models.F('created_at'))), _connector='OR'), name='cord_reservation_ends_once_after_it_starts'),
        ),
        migrations.AddConstraint(
            model_name='reservation',
            constraint=models.CheckConstraint(condition=models.Q(('confirmatory_typing_requested_at__isnull', True), ('confirmatory_typing_requested_at__gte', models.F('created_at')), _connector='OR'), name='cord_reservation_typing_requested_after_it_starts'),
        ),
        migrations.AddConstraint(
            model_name='transplant',
            constraint=models.CheckConstraint(condition=models.Q(('vital_status__in', ['alive', 'dead', 'unknown'])), name='cord_transplant_vital_status_known'),
        ),
        migrations.AddConstraint(
            model_name='transplant',
            constraint=models.CheckConstraint(condition=models.Q(('agvhd_grade__in', ['', '0', 'I', 'II', 'III', 'IV'])), name='cord_transplant_agvhd_known'),
        ),
        migrations.AddConstraint(
            model_name='transplant',
            constraint=models.CheckConstraint(condition=models.Q(('cgvhd__in', ['', 'none', 'limited', 'extensive'])), name='cord_transplant_cgvhd_known'),
        ),
        migrations.AddConstraint(
            model_name='transplant',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('vital_status', 'dead'), ('died_on__isnull', False)), models.Q(models.Q(('vital_status', 'dead'), _negated=True), ('died_on__isnull', True)), _connector='OR'), name='cord_transplant_death_date_iff_dead'),
        ),
        migrations.AddConstraint(
            model_name='transplant',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('vital_status', 'alive'), _negated=True), ('last_followup_on__isnull', False), _connector='OR'), name='cord_transplant_alive_at_a_followup'),
        ),
        migrations.AddConstraint(
            model_name='transplant',
            constraint=models.CheckConstraint(condition=models.Q(('died_on__isnull', True), ('died_on__gte', models.F('infused_on')), _connector='OR'), name='cord_transplant_death_after_infusion'),
        ),
        migrations.AddConstraint(
            model_name='transplant',
            constraint=models.CheckConstraint(condition=models.Q(('last_followup_on__isnull', True), ('last_followup_on__gte', models.F('infused_on')), _connector='OR'), name='cord_transplant_followup_after_infusion'),
        ),
        migrations.AddConstraint(
            model_name='transplant',
            constraint=models.CheckConstraint(condition=models.Q(('died_on__isnull', True), ('last_followup_on__isnull', True), ('last_followup_on__lte', models.F('died_on')), _connector='OR'), name='cord_transplant_no_followup_after_death'),
        ),
        migrations.AddConstraint(
            model_name='transplant',
            constraint=models.CheckConstraint(condition=models.Q(('relapse_on__isnull', True), ('relapsed', True), _connector='OR'), name='cord_transplant_relapse_date_needs_relapse'),
        ),
        migrations.AddConstraint(
            model_name='transplant',
            constraint=models.CheckConstraint(condition=models.Q(('relapse_on__isnull', True), ('relapse_on__gte', models.F('infused_on')), _connector='OR'), name='cord_transplant_relapse_after_infusion'),
        ),
        migrations.AddConstraint(
            model_name='transplant',
            constraint=models.CheckConstraint(condition=models.Q(('relapse_on__isnull', True), ('died_on__isnull', True), ('relapse_on__lte', models.F('died_on')), _connector='OR'), name='cord_transplant_relapse_before_death'),
        ),
        migrations.AddConstraint(
            model_name='transplant',
            constraint=models.CheckConstraint(condition=models.Q(('graft_failure', False), ('neutrophil_engraftment_day__isnull', True), _connector='OR'), name='cord_transplant_graft_failure_never_engrafted'),
        ),
        migrations.AddConstraint(
            model_name='unit',
            constraint=models.CheckConstraint(condition=models.Q(('viability_pct__isnull', True), models.Q(('viability_pct__gte', 0), ('viability_pct__lte', 100)), _connector='OR'), name='cord_unit_viability_is_a_percentage'),
        ),
        migrations.AddConstraint(
            model_name='unit',
            constraint=models.CheckConstraint(condition=models.Q(('processing_date__isnull', True), ('collection_date__isnull', True), ('processing_date__gte', models.F('collection_date')), _connector='OR'), name='cord_unit_processed_after_collection'),
        ),
        migrations.AddConstraint(
            model_name='unit',
            constraint=models.CheckConstraint(condition=models.Q(('freezing_date__isnull', True), ('processing_date__isnull', True), ('freezing_date__gte', models.F('processing_date')), _connector='OR'), name='cord_unit_frozen_after_processing'),
        ),
        migrations.AddConstraint(
            model_name='unit',
            constraint=models.CheckConstraint(condition=models.Q(('freezing_date__isnull', True), ('collection_date__isnull', True), ('freezing_date__gte', models.F('collection_date')), _connector='OR'), name='cord_unit_frozen_after_collection'),
        ),
        migrations.AddField(
            model_name='unitupload',
            name='bank',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cord_uploads', to='accounts.institution'),
        ),
        migrations.AddField(
            model_name='unitupload',
            name='uploaded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='unitupload',
            constraint=models.CheckConstraint(condition=models.Q(('mode__in', ['full', 'delta'])), name='cord_upload_mode_known'),
        ),
        migrations.AddConstraint(
            model_name='unitupload',
            constraint=models.CheckConstraint(condition=models.Q(('applied', True), models.Q(('created', 0), ('updated', 0), ('withdrawn', 0)), _connector='OR'), name='cord_upload_rejected_changes_nothing'),
        ),
    ]
