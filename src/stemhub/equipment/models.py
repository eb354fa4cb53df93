"""The equipment register (ISO 20387 6.5): storage units and instruments, their calibration and
maintenance, and the temperature logs of tanks and freezers with the excursions found in them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.models import Institution


class Kind(models.TextChoices):
    LN2_TANK = "ln2_tank", _("LN2 tank")
    FREEZER_80 = "freezer_80", _("−80 °C freezer")
    FREEZER_20 = "freezer_20", _("−20 °C freezer")
    FRIDGE = "fridge", _("Fridge (2–8 °C)")
    INCUBATOR = "incubator", _("Incubator")
    BIOSAFETY_CABINET = "biosafety_cabinet", _("Biosafety cabinet")
    CENTRIFUGE = "centrifuge", _("Centrifuge")
    FLOW_CYTOMETER = "flow_cytometer", _("Flow cytometer")
    OTHER = "other", _("Other")


# Kinds that hold material and therefore keep temperature logs.
STORAGE_KINDS = (Kind.LN2_TANK, Kind.FREEZER_80, Kind.FREEZER_20, Kind.FRIDGE)


class EquipmentStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")
    QUARANTINED = "quarantined", _("Quarantined")


class Equipment(models.Model):
    Kind = Kind
    Status = EquipmentStatus

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="equipment",
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=24, choices=Kind.choices)
    name = models.CharField(verbose_name=_("name"), max_length=120)
    serial_number = models.CharField(verbose_name=_("serial number"), max_length=80, blank=True)
    location = models.CharField(
        verbose_name=_("location"), max_length=200, blank=True, help_text=_("Building, room, bench")
    )
    manufacturer = models.CharField(verbose_name=_("manufacturer"), max_length=120, blank=True)
    model_name = models.CharField(verbose_name=_("model"), max_length=120, blank=True)
    status = models.CharField(
        verbose_name=_("status"),
        max_length=16,
        choices=EquipmentStatus.choices,
        default=EquipmentStatus.IN_SERVICE,
    )
    calibration_required = models.BooleanField(
        verbose_name=_("calibration required"),
        default=True,
        help_text=_("Results measured on it need a valid calibration"),
    )
    calibration_interval_days = models.PositiveIntegerField(
        verbose_name=_("calibration interval (days)"), null=True, blank=True
    )
    maintenance_interval_days = models.PositiveIntegerField(
        verbose_name=_("maintenance interval (days)"), null=True, blank=True
    )
    next_calibration_due = models.DateField(
        verbose_name=_("next calibration due"), null=True, blank=True
    )
    next_maintenance_due = models.DateField(
        verbose_name=_("next maintenance due"), null=True, blank=True
    )
    min_temperature_c = models.DecimalField(
        verbose_name=_("lowest acceptable temperature (°C)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Lowest acceptable °C"),
    )
    max_temperature_c = models.DecimalField(
        verbose_name=_("highest acceptable temperature (°C)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Highest acceptable °C"),
    )
    notes = models.TextField(verbose_name=_("notes"), blank=True)
    created_at = models.DateTimeField(
        verbose_name=_("created at"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["institution_id", "name"]
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
    PASSED = "passed", _("Passed")
    ADJUSTED = "adjusted", _("Passed after adjustment")
    FAILED = "failed", _("Failed")


class Calibration(models.Model):
    Result = CalibrationResult

    equipment = models.ForeignKey(
        Equipment,
        verbose_name=_("equipment"),
        on_delete=models.PROTECT,
        related_name="calibrations",
    )
    performed_on = models.DateField(verbose_name=_("performed on"))
    performed_by = models.CharField(
        verbose_name=_("performed by"), max_length=200, help_text=_("Person or service company")
    )
    result = models.CharField(
        verbose_name=_("result"), max_length=16, choices=CalibrationResult.choices
    )
    valid_until = models.DateField(
        verbose_name=_("valid until"),
        null=True,
        blank=True,
        help_text=_("Next calibration due; empty for a failed calibration"),
    )
    certificate = models.CharField(
        verbose_name=_("certificate"),
        max_length=200,
        blank=True,
        help_text=_("Certificate reference"),
    )
    notes = models.TextField(verbose_name=_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(verbose_name=_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("calibration")
        verbose_name_plural = _("calibrations")
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
    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.PROTECT, related_name="maintenance"
    )
    performed_on = models.DateField(verbose_name=_("performed on"))
    performed_by = models.CharField(verbose_name=_("performed by"), max_length=200)
    description = models.TextField(verbose_name=_("description"))
    next_due = models.DateField(verbose_name=_("next due"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(verbose_name=_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("maintenance")
        verbose_name_plural = _("maintenance")
        ordering = ["-performed_on", "-id"]


class TemperatureLog(models.Model):
    """One uploaded file of readings."""

    equipment = models.ForeignKey(
        Equipment,
        verbose_name=_("equipment"),
        on_delete=models.PROTECT,
        related_name="temperature_logs",
    )
    filename = models.CharField(verbose_name=_("filename"), max_length=255)
    sha256 = models.CharField(verbose_name=_("SHA-256"), max_length=64)
    reading_count = models.PositiveIntegerField(verbose_name=_("reading count"))
    first_reading_at = models.DateTimeField(verbose_name=_("first reading at"))
    last_reading_at = models.DateTimeField(verbose_name=_("last reading at"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(verbose_name=_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("temperature log")
        verbose_name_plural = _("temperature logs")
        ordering = ["-uploaded_at", "-id"]


class TemperatureReading(models.Model):
    log = models.ForeignKey(
        TemperatureLog, verbose_name=_("log"), on_delete=models.CASCADE, related_name="readings"
    )
    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(verbose_name=_("time"))
    temperature_c = models.DecimalField(
        verbose_name=_("temperature (°C)"), max_digits=6, decimal_places=2
    )

    class Meta:
        verbose_name = _("temperature reading")
        verbose_name_plural = _("temperature readings")
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["equipment", "at"], name="reading_once_per_instant"),
        ]


class Excursion(models.Model):
    """A contiguous run of readings outside the acceptable range: first to last such reading."""

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.PROTECT, related_name="excursions"
    )
    log = models.ForeignKey(
        TemperatureLog, verbose_name=_("log"), on_delete=models.PROTECT, related_name="excursions"
    )
    start = models.DateTimeField(verbose_name=_("start"))
    end = models.DateTimeField(verbose_name=_("end"))
    min_temperature_c = models.DecimalField(
        verbose_name=_("lowest temperature (°C)"), max_digits=6, decimal_places=2
    )
    max_temperature_c = models.DecimalField(
        verbose_name=_("highest temperature (°C)"), max_digits=6, decimal_places=2
    )
    reading_count = models.PositiveIntegerField(verbose_name=_("reading count"))
    detected_at = models.DateTimeField(verbose_name=_("detected at"), default=timezone.now)

    class Meta:
        verbose_name = _("excursion")
        verbose_name_plural = _("excursions")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="excursion_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.equipment.name}: {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"


class ExcursionVial(models.Model):
    """A vial that was stored in the unit at some moment of the excursion."""

    excursion = models.ForeignKey(
        Excursion, verbose_name=_("excursion"), on_delete=models.CASCADE, related_name="flagged"
    )
    vial = models.ForeignKey(
        "biobank.Vial", verbose_name=_("vial"), on_delete=models.PROTECT, related_name="excursions"
    )
    status_at_detection = models.CharField(verbose_name=_("status at detection"), max_length=16)
    quarantined = models.BooleanField(
        verbose_name=_("quarantined"), default=False, help_text=_("Quarantined by the detection")
    )

    class Meta:
        verbose_name = _("excursion vial")
        verbose_name_plural = _("excursion vials")
        ordering = ["excursion_id", "vial_id"]
        constraints = [
            models.UniqueConstraint(fields=["excursion", "vial"], name="excursion_vial_once"),
        ]
