"""The cord blood sharing platform: units (and adult donors), patients, searches, reservations,
transplants and their outcomes. History is data: every status change is a `UnitEvent` row.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from stemhub.accounts.models import Institution

LOCI = ("A", "B", "C", "DRB1", "DQB1", "DPB1")
HLA_FIELDS = {locus: f"hla_{locus.lower()}" for locus in LOCI}


class Kind(models.TextChoices):
    CORD = "cord", "Cord blood unit"
    ADULT = "adult", "Adult volunteer donor"


class UnitStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    RESERVED = "reserved", "Reserved"
    SHIPPED = "shipped", "Shipped"
    INFUSED = "infused", "Infused"
    WITHDRAWN = "withdrawn", "Withdrawn"
    QUARANTINED = "quarantined", "Quarantined"


class ABO(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    AB = "AB", "AB"
    O = "O", "O"  # noqa: E741


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Unknown"


class Unit(models.Model):
    """A cord blood unit, or an adult volunteer donor (`kind`), of one bank or registry.

    Cell counts: `tnc` total nucleated cells × 10^7, `cd34` CD34+ cells × 10^6. HLA per locus is
    stored normalised by the engine (text of the locus typing); `hla_gl` joins them with `^`.
    """

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CORD)
    bank = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="cord_units")
    local_id = models.CharField(max_length=64)
    din = models.CharField("ISBT 128 DIN", max_length=13, blank=True)
    din_check = models.CharField("DIN check character", max_length=1, blank=True)
    collection_date = models.DateField(null=True, blank=True)
    rbc_depleted = models.BooleanField(null=True, blank=True)
    cryovolume_ml = models.FloatField(null=True, blank=True)
    tnc = models.FloatField("TNC (× 10^7)", null=True, blank=True)
    cd34 = models.FloatField("CD34+ (× 10^6)", null=True, blank=True)
    viability_pct = models.FloatField(null=True, blank=True)
    cfu = models.FloatField("CFU-GM (× 10^5)", null=True, blank=True)
    abo = models.CharField(max_length=2, choices=ABO.choices, blank=True)
    rh = models.CharField(max_length=1, choices=[("+", "Rh+"), ("-", "Rh−")], blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=64, blank=True)
    hla_a = models.CharField(max_length=500, blank=True)
    hla_b = models.CharField(max_length=500, blank=True)
    hla_c = models.CharField(max_length=500, blank=True)
    hla_drb1 = models.CharField(max_length=500, blank=True)
    hla_dqb1 = models.CharField(max_length=500, blank=True)
    hla_dpb1 = models.CharField(max_length=500, blank=True)
    hla_gl = models.TextField(blank=True)
    maternal_hla = models.TextField(blank=True)
    idm = models.JSONField("infectious disease markers", default=dict, blank=True)
    attached_segment = models.BooleanField(null=True, blank=True)
    accreditation = models.JSONField(default=list, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    cmv = models.CharField(
        max_length=8, blank=True, choices=[("pos", "CMV+"), ("neg", "CMV−"), ("unknown", "?")]
    )
    status = models.CharField(
        max_length=16, choices=UnitStatus.choices, default=UnitStatus.AVAILABLE
    )
    # The search-index generation that last changed this row (see `index.py`).
    generation = models.BigIntegerField(default=0, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["bank_id", "local_id"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "local_id"], name="cord_unit_local_id_unique"),
            models.UniqueConstraint(
                fields=["din"], condition=~Q(din=""), name="cord_unit_din_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in Kind]), name="cord_unit_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in UnitStatus]),
                name="cord_unit_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(kind="cord") | (~Q(din="") & Q(tnc__gt=0)),
                name="cord_unit_has_din_and_tnc",
            ),
            models.CheckConstraint(
                condition=Q(cd34__isnull=True) | Q(cd34__gte=0), name="cord_unit_cd34_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank.provider_code}/{self.local_id}"

    @property
    def din_full(self) -> str:
        return f"{self.din} {self.din_check}".strip()

    def hla_by_locus(self) -> dict[str, str]:
        return {locus: getattr(self, name) for locus, name in HLA_FIELDS.items()}


class EventKind(models.TextChoices):
    IMPORTED = "imported", "Imported"
    UPDATED = "updated", "Updated by an upload"
    STATUS = "status", "Status changed by an upload"
    WITHDRAWN = "withdrawn", "Withdrawn"
    RESERVED = "reserved", "Reserved"
    RESERVATION_ENDED = "reservation_ended", "Reservation released"
    RESERVATION_EXPIRED = "reservation_expired", "Reservation expired"
    CONFIRMATORY_TYPING = "confirmatory_typing", "Confirmatory typing requested"
    SHIPPED = "shipped", "Released for shipment"
    INFUSED = "infused", "Infused"


class UnitEvent(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


class IndexState(models.Model):
    """One row: the generation of the searchable units. Each write that changes what a search
    can see bumps it in the same transaction (under a row lock, so generations commit in order);
    `instance` changes when the table is recreated, so a process never trusts a stale cache."""

    instance = models.CharField(max_length=32, default="")
    generation = models.BigIntegerField(default=0)

    @property
    def token(self) -> str:
        return f"{self.instance}:{self.generation}"


class CentreSettings(models.Model):
    """A transplant centre's guideline thresholds (defaults: domain guide §4)."""

    centre = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="cord_settings"
    )
    single_tnc_per_kg = models.FloatField(default=2.5)  # × 10^7/kg
    single_cd34_per_kg = models.FloatField(default=1.5)  # × 10^5/kg
    double_tnc_per_kg = models.FloatField(default=1.5)
    double_cd34_per_kg = models.FloatField(default=1.0)
    nonmalignant_tnc_per_kg = models.FloatField(default=5.0)
    search_tnc_per_kg = models.FloatField(default=1.5)
    search_cd34_per_kg = models.FloatField(default=1.0)
    max_mismatches_of_8 = models.PositiveSmallIntegerField(default=2)
    reservation_days = models.PositiveSmallIntegerField(default=14)

    @classmethod
    def defaults(cls) -> "CentreSettings":
        return cls()


class Patient(models.Model):
    centre = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="cord_patients")
    centre_patient_id = models.CharField(max_length=64)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    weight_kg = models.FloatField()
    diagnosis = models.CharField(max_length=200, blank=True)
    malignant = models.BooleanField(default=True)
    ethnicity = models.CharField(max_length=64, blank=True)
    abo = models.CharField(max_length=2, choices=ABO.choices, blank=True)
    rh = models.CharField(max_length=1, choices=[("+", "Rh+"), ("-", "Rh−")], blank=True)
    hla_gl = models.TextField()
    dsa = models.JSONField("donor-specific antibodies (antigens or alleles)", default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["centre_id", "centre_patient_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "centre_patient_id"], name="cord_patient_id_unique"
            ),
            models.CheckConstraint(condition=Q(weight_kg__gt=0), name="cord_patient_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.centre.provider_code}/{self.centre_patient_id}"


class SavedSearch(models.Model):
    """A search as run: its criteria, the engine version and IMGT release, the summary."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="searches")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    criteria = models.JSONField()
    engine_version = models.CharField(max_length=32)
    imgt_release = models.CharField(max_length=16)
    result_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_run_at = models.DateTimeField(default=timezone.now)
    runs = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-last_run_at", "-pk"]


class ReservationState(models.TextChoices):
    ACTIVE = "active", "Active"
    RELEASED = "released", "Released"
    EXPIRED = "expired", "Expired"
    SHIPPED = "shipped", "Shipped"


class Reservation(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reservations")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="reservations")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=16, choices=ReservationState.choices, default=ReservationState.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    confirmatory_typing_requested_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # With the row lock on the unit, the last word on "one holder at a time".
            models.UniqueConstraint(
                fields=["unit"], condition=Q(state="active"), name="cord_one_active_reservation"
            ),
        ]


class GvhdAcute(models.TextChoices):
    NONE = "0", "None"
    I = "I", "Grade I"  # noqa: E741
    II = "II", "Grade II"
    III = "III", "Grade III"
    IV = "IV", "Grade IV"


class GvhdChronic(models.TextChoices):
    NONE = "none", "None"
    LIMITED = "limited", "Limited"
    EXTENSIVE = "extensive", "Extensive"


class Survival(models.TextChoices):
    ALIVE = "alive", "Alive"
    DEAD = "dead", "Dead"
    UNKNOWN = "unknown", "Not yet known"


class Transplant(models.Model):
    """An infusion (one unit, or two for a double-unit graft) and its follow-up."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="transplants")
    units = models.ManyToManyField(Unit, related_name="transplants")
    infused_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    neutrophil_engraftment_day = models.PositiveSmallIntegerField(null=True, blank=True)
    agvhd_grade = models.CharField(max_length=3, choices=GvhdAcute.choices, blank=True)
    cgvhd = models.CharField(max_length=10, choices=GvhdChronic.choices, blank=True)
    survival_day100 = models.CharField(
        max_length=8, choices=Survival.choices, default=Survival.UNKNOWN
    )
    survival_1y = models.CharField(max_length=8, choices=Survival.choices, default=Survival.UNKNOWN)
    survival_5y = models.CharField(max_length=8, choices=Survival.choices, default=Survival.UNKNOWN)
    # Time to event for the survival curves: death day, else the last follow-up day.
    death_day = models.PositiveIntegerField(null=True, blank=True)
    last_followup_day = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-infused_on", "-pk"]


def new_instance() -> str:
    return uuid.uuid4().hex
