"""The cord blood sharing platform: units (and adult donors), patients, searches, reservations,
transplants and their outcomes. History is data: every status change is a `UnitEvent` row.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stemhub.accounts.models import Institution
from stemhub.core.models import HistoryEvent
from stemhub.hla import SCORED_LOCI

LOCI = SCORED_LOCI
HLA_FIELDS = {locus: f"hla_{locus.lower()}" for locus in LOCI}


class Kind(models.TextChoices):
    CORD = "cord", _("Cord blood unit")
    ADULT = "adult", _("Adult volunteer donor")


class UnitStatus(models.TextChoices):
    AVAILABLE = "available", pgettext_lazy("unit status", "Available")
    RESERVED = "reserved", _("Reserved")
    SHIPPED = "shipped", _("Shipped")
    INFUSED = "infused", _("Infused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    QUARANTINED = "quarantined", _("Quarantined")


class ABO(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    AB = "AB", "AB"
    O = "O", "O"  # noqa: E741


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNKNOWN = "U", _("Unknown")


class Unit(models.Model):
    """A cord blood unit, or an adult volunteer donor (`kind`), of one bank or registry.

    Cell counts: `tnc` total nucleated cells × 10^7, `cd34` CD34+ cells × 10^6. HLA per locus is
    stored normalised by the engine (text of the locus typing); `hla_gl` joins them with `^`.
    """

    kind = models.CharField(
        max_length=8, choices=Kind.choices, default=Kind.CORD, verbose_name=_("donor type")
    )
    bank = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="cord_units",
        verbose_name=pgettext_lazy("cord blood", "bank"),
    )
    local_id = models.CharField(max_length=64, verbose_name=_("local ID"))
    din = models.CharField(_("ISBT 128 DIN"), max_length=13, blank=True)
    din_check = models.CharField(_("DIN check character"), max_length=1, blank=True)
    collection_date = models.DateField(null=True, blank=True, verbose_name=_("collection date"))
    processing_date = models.DateField(null=True, blank=True, verbose_name=_("processing date"))
    freezing_date = models.DateField(null=True, blank=True, verbose_name=_("freezing date"))
    rbc_depleted = models.BooleanField(null=True, blank=True, verbose_name=_("red cell depleted"))
    cryovolume_ml = models.FloatField(
        null=True, blank=True, verbose_name=_("cryopreserved volume (mL)")
    )
    tnc = models.FloatField(_("TNC (× 10^7)"), null=True, blank=True)
    cd34 = models.FloatField(_("CD34+ (× 10^6)"), null=True, blank=True)
    viability_pct = models.FloatField(null=True, blank=True, verbose_name=_("viability (%)"))
    cfu = models.FloatField(_("CFU-GM (× 10^5)"), null=True, blank=True)
    abo = models.CharField(
        max_length=2, choices=ABO.choices, blank=True, verbose_name=_("ABO blood group")
    )
    rh = models.CharField(
        max_length=1, choices=[("+", "Rh+"), ("-", "Rh−")], blank=True, verbose_name=_("Rh")
    )
    sex = models.CharField(
        max_length=1, choices=Sex.choices, default=Sex.UNKNOWN, verbose_name=_("sex")
    )
    ethnicity = models.CharField(max_length=64, blank=True, verbose_name=_("ethnicity"))
    population = models.ForeignKey(
        "populations.Population",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("population"),
        help_text=_("Selects the haplotype frequency set; blank: the default population"),
    )
    hla_a = models.CharField(max_length=500, blank=True, verbose_name=_("HLA-A"))
    hla_b = models.CharField(max_length=500, blank=True, verbose_name=_("HLA-B"))
    hla_c = models.CharField(max_length=500, blank=True, verbose_name=_("HLA-C"))
    hla_drb1 = models.CharField(max_length=500, blank=True, verbose_name=_("HLA-DRB1"))
    hla_dqb1 = models.CharField(max_length=500, blank=True, verbose_name=_("HLA-DQB1"))
    hla_dpb1 = models.CharField(max_length=500, blank=True, verbose_name=_("HLA-DPB1"))
    hla_gl = models.TextField(blank=True, verbose_name=_("HLA (GL string)"))
    maternal_hla = models.TextField(blank=True, verbose_name=_("maternal HLA"))
    idm = models.JSONField(_("infectious disease markers"), default=dict, blank=True)
    attached_segment = models.BooleanField(
        null=True, blank=True, verbose_name=_("attached segment")
    )
    accreditation = models.JSONField(default=list, blank=True, verbose_name=_("accreditation"))
    age = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("age"))
    cmv = models.CharField(
        max_length=8,
        blank=True,
        choices=[("pos", "CMV+"), ("neg", "CMV−"), ("unknown", "?")],
        verbose_name=_("CMV"),
    )
    status = models.CharField(
        max_length=16,
        choices=UnitStatus.choices,
        default=UnitStatus.AVAILABLE,
        verbose_name=_("status"),
    )
    # The search-index generation that last changed this row (see `index.py`).
    generation = models.BigIntegerField(
        default=0, db_index=True, verbose_name=_("search index generation")
    )
    created_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("created at")
    )
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("cord blood unit")
        verbose_name_plural = _("cord blood units")
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
            models.CheckConstraint(
                condition=Q(viability_pct__isnull=True)
                | Q(viability_pct__gte=0, viability_pct__lte=100),
                name="cord_unit_viability_is_a_percentage",
            ),
            # A unit is collected, then processed, then frozen: never the other way round.
            models.CheckConstraint(
                condition=Q(processing_date__isnull=True)
                | Q(collection_date__isnull=True)
                | Q(processing_date__gte=F("collection_date")),
                name="cord_unit_processed_after_collection",
            ),
            models.CheckConstraint(
                condition=Q(freezing_date__isnull=True)
                | Q(processing_date__isnull=True)
                | Q(freezing_date__gte=F("processing_date")),
                name="cord_unit_frozen_after_processing",
            ),
            models.CheckConstraint(
                condition=Q(freezing_date__isnull=True)
                | Q(collection_date__isnull=True)
                | Q(freezing_date__gte=F("collection_date")),
                name="cord_unit_frozen_after_collection",
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
    IMPORTED = "imported", _("Imported")
    UPDATED = "updated", _("Updated by an upload")
    STATUS = "status", _("Status changed by an upload")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RESERVED = "reserved", _("Reserved")
    RESERVATION_ENDED = "reservation_ended", _("Reservation released")
    RESERVATION_EXPIRED = "reservation_expired", _("Reservation expired")
    CONFIRMATORY_TYPING = "confirmatory_typing", _("Confirmatory typing requested")
    TYPING_RESULT = "typing_result", _("Confirmatory typing result recorded")
    SHIPPED = "shipped", _("Released for shipment")
    INFUSED = "infused", _("Infused")


class UnitEvent(HistoryEvent):
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="events", verbose_name=_("cord blood unit")
    )
    kind = models.CharField(max_length=24, choices=EventKind.choices, verbose_name=_("event"))
    from_status = models.CharField(max_length=16, blank=True, verbose_name=_("previous status"))
    to_status = models.CharField(max_length=16, blank=True, verbose_name=_("new status"))
    actor = models.ForeignKey(  # type: ignore[assignment]  # no person: the platform acted
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("by"),
    )
    note = models.CharField(max_length=500, blank=True, verbose_name=_("note"))

    class Meta:
        verbose_name = _("unit event")
        verbose_name_plural = _("unit events")
        ordering = ["at", "pk"]


class IndexState(models.Model):
    """One row: the generation of the searchable units. Each write that changes what a search
    can see bumps it in the same transaction (under a row lock, so generations commit in order);
    `instance` changes when the table is recreated, so a process never trusts a stale cache."""

    instance = models.CharField(max_length=32, default="", verbose_name=_("index instance"))
    generation = models.BigIntegerField(default=0, verbose_name=_("index generation"))

    class Meta:
        verbose_name = _("search index state")
        verbose_name_plural = _("search index states")

    @property
    def token(self) -> str:
        return f"{self.instance}:{self.generation}"


class CentreSettings(models.Model):
    """A transplant centre's guideline thresholds (defaults: domain guide §4)."""

    centre = models.OneToOneField(
        Institution,
        on_delete=models.CASCADE,
        related_name="cord_settings",
        verbose_name=_("transplant centre"),
    )
    single_tnc_per_kg = models.FloatField(
        default=2.5, verbose_name=_("single unit: minimum TNC per kg (× 10^7)")
    )
    single_cd34_per_kg = models.FloatField(
        default=1.5, verbose_name=_("single unit: minimum CD34+ per kg (× 10^5)")
    )
    double_tnc_per_kg = models.FloatField(
        default=1.5, verbose_name=_("double unit: minimum TNC per kg (× 10^7)")
    )
    double_cd34_per_kg = models.FloatField(
        default=1.0, verbose_name=_("double unit: minimum CD34+ per kg (× 10^5)")
    )
    nonmalignant_tnc_per_kg = models.FloatField(
        default=5.0, verbose_name=_("non-malignant disease: minimum TNC per kg (× 10^7)")
    )
    search_tnc_per_kg = models.FloatField(
        default=1.5, verbose_name=_("search: minimum TNC per kg (× 10^7)")
    )
    search_cd34_per_kg = models.FloatField(
        default=1.0, verbose_name=_("search: minimum CD34+ per kg (× 10^5)")
    )
    max_mismatches_of_8 = models.PositiveSmallIntegerField(
        default=2, verbose_name=_("maximum mismatches of 8")
    )
    reservation_days = models.PositiveSmallIntegerField(
        default=14, verbose_name=_("reservation days")
    )

    class Meta:
        verbose_name = _("centre settings")
        verbose_name_plural = _("centre settings")

    @classmethod
    def defaults(cls) -> "CentreSettings":
        return cls()


class Diagnosis(models.TextChoices):
    """The disease groups cord blood transplant registries report by."""

    AML = "aml", _("Acute myeloid leukaemia (AML)")
    ALL = "all", _("Acute lymphoblastic leukaemia (ALL)")
    CML = "cml", _("Chronic myeloid leukaemia (CML)")
    MDS = "mds", _("Myelodysplastic syndrome (MDS)")
    LYMPHOMA = "lymphoma", _("Lymphoma")
    THALASSAEMIA = "thalassaemia", _("Thalassaemia major")
    SAA = "saa", _("Severe aplastic anaemia")
    IMD = "imd", _("Inherited metabolic disorder")
    PID = "pid", _("Primary immunodeficiency")
    OTHER = "other", _("Other")


MALIGNANT_DIAGNOSES = (
    Diagnosis.AML,
    Diagnosis.ALL,
    Diagnosis.CML,
    Diagnosis.MDS,
    Diagnosis.LYMPHOMA,
)
NON_MALIGNANT_DIAGNOSES = (Diagnosis.THALASSAEMIA, Diagnosis.SAA, Diagnosis.IMD, Diagnosis.PID)


class DiseaseStatus(models.TextChoices):
    CR1 = "cr1", _("First complete remission (CR1)")
    CR2 = "cr2", _("Second complete remission (CR2)")
    CR3 = "cr3", _("Third or later complete remission")
    ACTIVE = "active", _("Active disease (not in remission)")
    CHRONIC = "chronic", _("Chronic phase")
    ADVANCED = "advanced", _("Accelerated or blast phase")
    NOT_APPLICABLE = "na", _("Not applicable (non-malignant disease)")


class Patient(models.Model):
    centre = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="cord_patients",
        verbose_name=_("transplant centre"),
    )
    centre_patient_id = models.CharField(max_length=64, verbose_name=_("centre patient ID"))
    sex = models.CharField(
        max_length=1, choices=Sex.choices, default=Sex.UNKNOWN, verbose_name=_("sex")
    )
    date_of_birth = models.DateField(null=True, blank=True, verbose_name=_("date of birth"))
    # Known from the date of birth, or from an age given instead of it.
    birth_year = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("birth year")
    )
    weight_kg = models.FloatField(verbose_name=_("weight (kg)"))
    diagnosis = models.CharField(
        max_length=16, choices=Diagnosis.choices, blank=True, verbose_name=_("diagnosis")
    )
    diagnosis_detail = models.CharField(
        max_length=200, blank=True, verbose_name=_("diagnosis detail")
    )
    disease_status = models.CharField(
        max_length=8, choices=DiseaseStatus.choices, blank=True, verbose_name=_("disease status")
    )
    malignant = models.BooleanField(default=True, verbose_name=_("malignant disease"))
    ethnicity = models.CharField(max_length=64, blank=True, verbose_name=_("ethnicity"))
    population = models.ForeignKey(
        "populations.Population",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("population"),
        help_text=_("Selects the haplotype frequency set; blank: the default population"),
    )
    abo = models.CharField(
        max_length=2, choices=ABO.choices, blank=True, verbose_name=_("ABO blood group")
    )
    rh = models.CharField(
        max_length=1, choices=[("+", "Rh+"), ("-", "Rh−")], blank=True, verbose_name=_("Rh")
    )
    hla_gl = models.TextField(verbose_name=_("HLA typing"))
    dsa = models.JSONField(
        _("donor-specific antibodies (antigens or alleles)"), default=list, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["centre_id", "centre_patient_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "centre_patient_id"], name="cord_patient_id_unique"
            ),
            models.CheckConstraint(condition=Q(weight_kg__gt=0), name="cord_patient_weight"),
            models.CheckConstraint(
                condition=Q(diagnosis__in=["", *Diagnosis.values]),
                name="cord_patient_diagnosis_known",
            ),
            models.CheckConstraint(
                condition=Q(disease_status__in=["", *DiseaseStatus.values]),
                name="cord_patient_disease_status_known",
            ),
            # A disease group that is malignant (or not) by definition says so.
            models.CheckConstraint(
                condition=~Q(diagnosis__in=[d.value for d in MALIGNANT_DIAGNOSES])
                | Q(malignant=True),
                name="cord_patient_malignant_diagnosis",
            ),
            models.CheckConstraint(
                condition=~Q(diagnosis__in=[d.value for d in NON_MALIGNANT_DIAGNOSES])
                | Q(malignant=False),
                name="cord_patient_non_malignant_diagnosis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre.provider_code}/{self.centre_patient_id}"

    def age_on(self, day: dt.date) -> int | None:
        """Whole years on `day` (from the birth year alone when no date of birth is known)."""
        if self.date_of_birth is not None:
            born = self.date_of_birth
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        return None if self.birth_year is None else day.year - self.birth_year

    @property
    def diagnosis_text(self) -> str:
        """The disease group, with its detail (or the detail alone for "other")."""
        if not self.diagnosis:
            return self.diagnosis_detail
        if self.diagnosis == Diagnosis.OTHER and self.diagnosis_detail:
            return self.diagnosis_detail
        label = str(self.get_diagnosis_display())
        return f"{label}: {self.diagnosis_detail}" if self.diagnosis_detail else label


class SavedSearch(models.Model):
    """A search as run: its criteria, the engine version and IMGT release, the summary."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="searches", verbose_name=_("patient")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("searched by"),
    )
    criteria = models.JSONField(verbose_name=_("search criteria"))
    engine_version = models.CharField(max_length=32, verbose_name=_("engine version"))
    haplotype_set = models.ForeignKey(
        "populations.HaplotypeSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("haplotype frequency set"),
        help_text=_("The set the search's match predictions were computed with"),
    )
    imgt_release = models.CharField(max_length=16, verbose_name=_("IMGT/HLA release"))
    result_count = models.PositiveIntegerField(default=0, verbose_name=_("results"))
    # Potential matches found per donor kind and match grade: {"cord": {"7/8": 3, ...}}.
    counts = models.JSONField(default=dict, blank=True, verbose_name=_("matches by grade"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    last_run_at = models.DateTimeField(default=timezone.now, verbose_name=_("last run at"))
    runs = models.PositiveIntegerField(default=1, verbose_name=_("runs"))

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["-last_run_at", "-pk"]

    def best_match(self) -> tuple[str, int] | None:
        """The best grade found and how many units or donors reached it (cord first)."""
        for kind in ("cord", "adult"):
            found = {grade: n for grade, n in (self.counts.get(kind) or {}).items() if n}
            if found:
                grade = max(found, key=lambda g: int(g.split("/")[0]) / int(g.split("/")[1]))
                return grade, found[grade]
        return None


class ReservationState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("reservation state", "Active")
    RELEASED = "released", pgettext_lazy("reservation state", "Released")
    EXPIRED = "expired", _("Expired")
    SHIPPED = "shipped", _("Shipped")


class TypingResult(models.TextChoices):
    """The confirmatory typing of a reserved unit (its attached segment), as the centre records
    it: the unit ships only after a confirmed match."""

    MATCH = "match", _("Match confirmed")
    MISMATCH = "mismatch", _("Mismatch found")


# A reservation the bank may ship: still active, its confirmatory typing confirmed the match.
READY_TO_SHIP = Q(state=ReservationState.ACTIVE, confirmatory_typing_result=TypingResult.MATCH)


class Reservation(models.Model):
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="reservations",
        verbose_name=_("cord blood unit"),
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("patient")
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reserved by"),
    )
    state = models.CharField(
        max_length=16,
        choices=ReservationState.choices,
        default=ReservationState.ACTIVE,
        verbose_name=_("state"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("reserved at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    confirmatory_typing_requested_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("confirmatory typing requested at")
    )
    confirmatory_typing_result = models.CharField(
        max_length=8,
        choices=TypingResult.choices,
        blank=True,
        default="",
        verbose_name=_("confirmatory typing result"),
    )
    confirmatory_typing_recorded_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("confirmatory typing recorded at")
    )
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # With the row lock on the unit, the last word on "one holder at a time".
            models.UniqueConstraint(
                fields=["unit"], condition=Q(state="active"), name="cord_one_active_reservation"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ReservationState.values), name="cord_reservation_state_known"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="cord_reservation_expires_after_it_starts",
            ),
            # Active until it ends: an end time exactly when the reservation is over.
            models.CheckConstraint(
                condition=(Q(state="active") & Q(ended_at__isnull=True))
                | (
                    ~Q(state="active")
                    & Q(ended_at__isnull=False)
                    & Q(ended_at__gte=F("created_at"))
                ),
                name="cord_reservation_ends_once_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(confirmatory_typing_requested_at__isnull=True)
                | Q(confirmatory_typing_requested_at__gte=F("created_at")),
                name="cord_reservation_typing_requested_after_it_starts",
            ),
            # A typing result is recorded once, with its time, for a typing that was requested.
            models.CheckConstraint(
                condition=(
                    Q(confirmatory_typing_result="")
                    & Q(confirmatory_typing_recorded_at__isnull=True)
                )
                | (
                    Q(confirmatory_typing_result__in=TypingResult.values)
                    & Q(confirmatory_typing_recorded_at__isnull=False)
                    & Q(confirmatory_typing_requested_at__isnull=False)
                ),
                name="cord_reservation_typing_result_after_request",
            ),
        ]


class GvhdAcute(models.TextChoices):
    NONE = "0", pgettext_lazy("GVHD", "None")
    I = "I", _("Grade I")  # noqa: E741
    II = "II", _("Grade II")
    III = "III", _("Grade III")
    IV = "IV", _("Grade IV")


class GvhdChronic(models.TextChoices):
    NONE = "none", pgettext_lazy("GVHD", "None")
    LIMITED = "limited", pgettext_lazy("chronic GVHD", "Limited")
    EXTENSIVE = "extensive", pgettext_lazy("chronic GVHD", "Extensive")


class VitalStatus(models.TextChoices):
    ALIVE = "alive", _("Alive")
    DEAD = "dead", _("Dead")
    UNKNOWN = "unknown", _("Not yet known")


class Transplant(models.Model):
    """An infusion (one unit, or two for a double-unit graft) and its follow-up.

    Outcomes are dates (the survival curves count days from the infusion): the last follow-up,
    the status then, death, relapse; neutrophil engraftment is a day count ("day +21"), the way
    transplant registries report it."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="transplants", verbose_name=_("patient")
    )
    units = models.ManyToManyField(
        Unit, related_name="transplants", verbose_name=_("cord blood units")
    )
    infused_on = models.DateField(verbose_name=_("infused on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    neutrophil_engraftment_day = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("neutrophil engraftment day")
    )
    graft_failure = models.BooleanField(default=False, verbose_name=_("graft failure"))
    agvhd_grade = models.CharField(
        max_length=3, choices=GvhdAcute.choices, blank=True, verbose_name=_("acute GVHD grade")
    )
    cgvhd = models.CharField(
        max_length=10, choices=GvhdChronic.choices, blank=True, verbose_name=_("chronic GVHD")
    )
    relapsed = models.BooleanField(default=False, verbose_name=_("relapsed"))
    relapse_on = models.DateField(null=True, blank=True, verbose_name=_("relapse on"))
    last_followup_on = models.DateField(null=True, blank=True, verbose_name=_("last follow-up on"))
    vital_status = models.CharField(
        max_length=8,
        choices=VitalStatus.choices,
        default=VitalStatus.UNKNOWN,
        verbose_name=_("vital status"),
    )
    died_on = models.DateField(null=True, blank=True, verbose_name=_("died on"))

    class Meta:
        verbose_name = pgettext_lazy("record type", "transplant")
        verbose_name_plural = _("transplants")
        ordering = ["-infused_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vital_status__in=VitalStatus.values),
                name="cord_transplant_vital_status_known",
            ),
            models.CheckConstraint(
                condition=Q(agvhd_grade__in=["", *GvhdAcute.values]),
                name="cord_transplant_agvhd_known",
            ),
            models.CheckConstraint(
                condition=Q(cgvhd__in=["", *GvhdChronic.values]),
                name="cord_transplant_cgvhd_known",
            ),
            # A death date exactly when the patient is recorded dead.
            models.CheckConstraint(
                condition=(Q(vital_status="dead") & Q(died_on__isnull=False))
                | (~Q(vital_status="dead") & Q(died_on__isnull=True)),
                name="cord_transplant_death_date_iff_dead",
            ),
            models.CheckConstraint(
                condition=~Q(vital_status="alive") | Q(last_followup_on__isnull=False),
                name="cord_transplant_alive_at_a_followup",
            ),
            models.CheckConstraint(
                condition=Q(died_on__isnull=True) | Q(died_on__gte=F("infused_on")),
                name="cord_transplant_death_after_infusion",
            ),
            models.CheckConstraint(
                condition=Q(last_followup_on__isnull=True)
                | Q(last_followup_on__gte=F("infused_on")),
                name="cord_transplant_followup_after_infusion",
            ),
            models.CheckConstraint(
                condition=Q(died_on__isnull=True)
                | Q(last_followup_on__isnull=True)
                | Q(last_followup_on__lte=F("died_on")),
                name="cord_transplant_no_followup_after_death",
            ),
            models.CheckConstraint(
                condition=Q(relapse_on__isnull=True) | Q(relapsed=True),
                name="cord_transplant_relapse_date_needs_relapse",
            ),
            models.CheckConstraint(
                condition=Q(relapse_on__isnull=True) | Q(relapse_on__gte=F("infused_on")),
                name="cord_transplant_relapse_after_infusion",
            ),
            models.CheckConstraint(
                condition=Q(relapse_on__isnull=True)
                | Q(died_on__isnull=True)
                | Q(relapse_on__lte=F("died_on")),
                name="cord_transplant_relapse_before_death",
            ),
            models.CheckConstraint(
                condition=Q(graft_failure=False) | Q(neutrophil_engraftment_day__isnull=True),
                name="cord_transplant_graft_failure_never_engrafted",
            ),
        ]

    @property
    def end_of_followup(self) -> dt.date | None:
        """The last day the patient's status is known: death, else the last follow-up."""
        return self.died_on or self.last_followup_on

    @property
    def followup_days(self) -> int | None:
        end = self.end_of_followup
        return None if end is None else (end - self.infused_on).days


class UnitUpload(models.Model):
    """One upload of a bank's units, as reported: the counts and the problems by row (the first
    `PROBLEMS_KEPT`), applied or not. Written by `uploads.units_import` (web, API, command line)."""

    PROBLEMS_KEPT = 1000

    bank = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="cord_uploads",
        verbose_name=pgettext_lazy("cord blood", "bank"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    filename = models.CharField(max_length=200, verbose_name=_("file name"))
    mode = models.CharField(
        max_length=8,
        choices=[
            ("full", pgettext_lazy("upload", "Full")),
            ("delta", pgettext_lazy("upload", "Delta")),
        ],
        verbose_name=pgettext_lazy("upload", "mode"),
    )
    at = models.DateTimeField(default=timezone.now, verbose_name=_("uploaded at"))
    applied = models.BooleanField(verbose_name=_("applied"))
    rows = models.PositiveIntegerField(default=0, verbose_name=_("rows"))
    created = models.PositiveIntegerField(
        default=0, verbose_name=pgettext_lazy("upload count", "created")
    )
    updated = models.PositiveIntegerField(
        default=0, verbose_name=pgettext_lazy("upload count", "updated")
    )
    unchanged = models.PositiveIntegerField(
        default=0, verbose_name=pgettext_lazy("upload count", "unchanged")
    )
    withdrawn = models.PositiveIntegerField(
        default=0, verbose_name=pgettext_lazy("upload count", "withdrawn")
    )
    skipped = models.PositiveIntegerField(
        default=0, verbose_name=pgettext_lazy("upload count", "skipped")
    )
    problem_count = models.PositiveIntegerField(default=0, verbose_name=_("problems found"))
    problems = models.JSONField(default=list, blank=True, verbose_name=_("problems"))

    class Meta:
        verbose_name = _("unit upload")
        verbose_name_plural = _("unit uploads")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=["full", "delta"]), name="cord_upload_mode_known"
            ),
            models.CheckConstraint(
                condition=Q(applied=True) | (Q(created=0) & Q(updated=0) & Q(withdrawn=0)),
                name="cord_upload_rejected_changes_nothing",
            ),
        ]


def new_instance() -> str:
    return uuid.uuid4().hex
