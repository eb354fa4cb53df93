"""The equipment register (ISO 20387 6.5): storage units and instruments, their calibration and
maintenance, and the temperature logs of tanks and freezers with the excursions found in them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from stemhub.accounts.models import Institution


class Kind(models.TextChoices):
    LN2_TANK = "ln2_tank", "LN2 tank"
    FREEZER_80 = "freezer_80", "−80 °C freezer"
    FREEZER_20 = "freezer_20", "−20 °C freezer"
    FRIDGE = "fridge", "Fridge (2–8 °C)"
    INCUBATOR = "incubator", "Incubator"
    BIOSAFETY_CABINET = "biosafety_cabinet", "Biosafety cabinet"
    CENTRIFUGE = "centrifuge", "Centrifuge"
    FLOW_CYTOMETER = "flow_cytometer", "Flow cytometer"
    OTHER = "other", "Other"


# Kinds that hold material and therefore keep temperature logs.
STORAGE_KINDS = (Kind.LN2_TANK, Kind.FREEZER_80, Kind.FREEZER_20, Kind.FRIDGE)


class EquipmentStatus(models.TextChoices):
    IN_SERVICE = "in_service", "In service"
    OUT_OF_SERVICE = "out_of_service", "Out of service"
    QUARANTINED = "quarantined", "Quarantined"


class Equipment(models.Model):
    Kind = Kind
    Status = EquipmentStatus

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="equipment")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    name = models.CharField(max_length=120)
    serial_number = models.CharField(max_length=80, blank=True)
    location = models.CharField(max_length=200, blank=True, help_text="Building, room, bench")
    manufacturer = models.CharField(max_length=120, blank=True)
    model_name = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        max_length=16, choices=EquipmentStatus.choices, default=EquipmentStatus.IN_SERVICE
    )
    calibration_required = models.BooleanField(
        default=True, help_text="Results measured on it need a valid calibration"
    )
    calibration_interval_days = models.PositiveIntegerField(null=True, blank=True)
    maintenance_interval_days = models.PositiveIntegerField(null=True, blank=True)
    next_calibration_due = models.DateField(null=True, blank=True)
    next_maintenance_due = models.DateField(null=True, blank=True)
    min_temperature_c = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, help_text="Lowest acceptable °C"
    )
    max_temperature_c = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, help_text="Highest acceptable °C"
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution_id", "name"]
        verbose_name_plural = "equipment"
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="equipment_name_unique"),
            models.UniqueConstraint(
                fields=["institution", "serial_number"],
                condition=~Q(serial_number=""),
                name="equipment_serial_unique",
            ),
            models.CheckConstraint(
                condition=Q(min_temperature_c__isnull=True)
                | Q(max_temperature_c__isnull=True)
                | Q(min_temperature_c__lt=F("max_temperature_c")),
                name="equipment_temperature_range_ordered",
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="equipment_kind_known"),
            models.CheckConstraint(
                condition=Q(status__in=EquipmentStatus.values), name="equipment_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def has_temperature_range(self) -> bool:
        return self.min_temperature_c is not None or self.max_temperature_c is not None


class CalibrationResult(models.TextChoices):
    PASSED = "passed", "Passed"
    ADJUSTED = "adjusted", "Passed after adjustment"
    FAILED = "failed", "Failed"


class Calibration(models.Model):
    Result = CalibrationResult

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="calibrations")
    performed_on = models.DateField()
    performed_by = models.CharField(max_length=200, help_text="Person or service company")
    result = models.CharField(max_length=16, choices=CalibrationResult.choices)
    valid_until = models.DateField(
        null=True, blank=True, help_text="Next calibration due; empty for a failed calibration"
    )
    certificate = models.CharField(max_length=200, blank=True, help_text="Certificate reference")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-performed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result=CalibrationResult.FAILED)
                | Q(valid_until__gte=F("performed_on")),
                name="calibration_valid_after_performed",
            ),
        ]

    @property
    def passed(self) -> bool:
        return self.result != CalibrationResult.FAILED


class Maintenance(models.Model):
    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="maintenance")
    performed_on = models.DateField()
    performed_by = models.CharField(max_length=200)
    description = models.TextField()
    next_due = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-performed_on", "-id"]
        verbose_name_plural = "maintenance"


class TemperatureLog(models.Model):
    """One uploaded file of readings."""

    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="temperature_logs"
    )
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    reading_count = models.PositiveIntegerField()
    first_reading_at = models.DateTimeField()
    last_reading_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]


class TemperatureReading(models.Model):
    log = models.ForeignKey(TemperatureLog, on_delete=models.CASCADE, related_name="readings")
    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    temperature_c = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["equipment", "at"], name="reading_once_per_instant"),
        ]


class Excursion(models.Model):
    """A contiguous run of readings outside the acceptable range: first to last such reading."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="excursions")
    log = models.ForeignKey(TemperatureLog, on_delete=models.PROTECT, related_name="excursions")
    start = models.DateTimeField()
    end = models.DateTimeField()
    min_temperature_c = models.DecimalField(max_digits=6, decimal_places=2)
    max_temperature_c = models.DecimalField(max_digits=6, decimal_places=2)
    reading_count = models.PositiveIntegerField()
    detected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="excursion_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.equipment.name}: {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"


class ExcursionVial(models.Model):
    """A vial that was stored in the unit at some moment of the excursion."""

    excursion = models.ForeignKey(Excursion, on_delete=models.CASCADE, related_name="flagged")
    vial = models.ForeignKey("biobank.Vial", on_delete=models.PROTECT, related_name="excursions")
    status_at_detection = models.CharField(max_length=16)
    quarantined = models.BooleanField(default=False, help_text="Quarantined by the detection")

    class Meta:
        ordering = ["excursion_id", "vial_id"]
        constraints = [
            models.UniqueConstraint(fields=["excursion", "vial"], name="excursion_vial_once"),
        ]
