"""The biobank inventory: the storage tree, cell banks, their vials and the chain of custody.

Storage follows OpenSpecimen (domain guide §3): a recursive container tree whose container
types define layout, labelling, fill order, temperature and what they may hold. The database
keeps the invariants that matter most: one vial per position, one container per slot, no
container its own parent, a bank of exactly one line or product.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from stemhub.accounts.models import Institution
from stemhub.biobank import layout
from stemhub.registry.models import CellLine, DerivedProduct


class TemperatureClass(models.TextChoices):
    """MIABIS storage temperature terms."""

    RT = "RT", "Room temperature"
    FRIDGE = "2to10", "2 °C to 10 °C"
    FREEZER = "-18to-35", "−18 °C to −35 °C"
    DEEP_FREEZER = "-60to-85", "−60 °C to −85 °C"
    LN_VAPOUR = "LN_vapour", "Liquid nitrogen, vapour phase"
    LN_LIQUID = "LN_liquid", "Liquid nitrogen, liquid phase"
    OTHER = "other", "Other"


class Labelling(models.TextChoices):
    NUMBERS = "numbers", "Numbers (1, 2, 3)"
    LETTERS = "letters", "Letters (A, B, C)"
    ROMAN = "roman", "Roman (I, II, III)"


class FillOrder(models.TextChoices):
    ROW_MAJOR = "row_major", "Row by row"
    COLUMN_MAJOR = "column_major", "Column by column"


class ContainerType(models.Model):
    """A kind of container: its layout, labels, fill order, temperature and allowed contents.

    `rows`/`columns` empty means dimensionless (a room, a shelf). A type either holds vials
    (a box) or containers of the types in `allowed_children` (any type when that is empty).
    """

    name = models.CharField(max_length=100, unique=True)
    rows = models.PositiveSmallIntegerField(null=True, blank=True)
    columns = models.PositiveSmallIntegerField(null=True, blank=True)
    row_labels = models.CharField(
        max_length=8, choices=Labelling.choices, default=Labelling.LETTERS
    )
    column_labels = models.CharField(
        max_length=8, choices=Labelling.choices, default=Labelling.NUMBERS
    )
    fill_order = models.CharField(
        max_length=16, choices=FillOrder.choices, default=FillOrder.ROW_MAJOR
    )
    temperature_class = models.CharField(
        max_length=16,
        choices=TemperatureClass.choices,
        blank=True,
        help_text="Empty: the temperature of wherever the container stands",
    )
    holds_vials = models.BooleanField(default=False)
    allowed_children = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="allowed_parents"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(rows__isnull=True) & Q(columns__isnull=True))
                | (Q(rows__gte=1) & Q(columns__gte=1)),
                name="container_type_layout_complete",
            ),
            models.CheckConstraint(
                condition=Q(temperature_class="")
                | Q(temperature_class__in=[t.value for t in TemperatureClass]),
                name="container_type_temperature_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_layout(self) -> bool:
        return self.rows is not None and self.columns is not None

    @property
    def capacity(self) -> int | None:
        return self.rows * self.columns if self.rows and self.columns else None

    def label(self, row: int | None, column: int | None) -> str:
        if row is None or column is None:
            return ""
        return layout.position_label(row, column, self.row_labels, self.column_labels)

    def parse(self, label: str) -> tuple[int, int]:
        """(row, column) of a position label; ValueError when this layout has no such position."""
        if not self.rows or not self.columns:
            raise ValueError(label)
        return layout.parse_position(
            label,
            rows=self.rows,
            columns=self.columns,
            row_scheme=self.row_labels,
            column_scheme=self.column_labels,
        )

    def positions(self) -> list[tuple[int, int]]:
        if not self.rows or not self.columns:
            return []
        return list(layout.positions_in_order(self.rows, self.columns, self.fill_order))


class Container(models.Model):
    """A node of the storage tree: a site, room, tank, freezer, rack, canister or box."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    type = models.ForeignKey(ContainerType, on_delete=models.PROTECT, related_name="containers")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    row = models.PositiveSmallIntegerField(null=True, blank=True)
    column = models.PositiveSmallIntegerField(null=True, blank=True)
    name = models.CharField(max_length=100)
    barcode = models.CharField(max_length=64, unique=True, null=True, blank=True)
    temperature_class = models.CharField(
        max_length=16,
        choices=TemperatureClass.choices,
        blank=True,
        help_text="Its type's, or else its parent's: kept by the services on create and move",
    )
    blocked = models.BooleanField(default=False, help_text="Takes no new vials or containers")
    equipment = models.OneToOneField(
        "equipment.Equipment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="container",
        help_text="The tank or freezer this container is, for its temperature logs",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["institution", "type", "temperature_class"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="container_not_its_own_parent"
            ),
            models.CheckConstraint(
                condition=(Q(row__isnull=True) & Q(column__isnull=True))
                | (Q(parent__isnull=False) & Q(row__gte=1) & Q(column__gte=1)),
                name="container_position_complete",
            ),
            models.UniqueConstraint(
                fields=["parent", "row", "column"],
                condition=Q(row__isnull=False),
                name="one_container_per_slot",
            ),
            # Two partial constraints rather than one with nulls_distinct=False, which SQLite
            # cannot enforce: top-level names are unique per institution as well.
            models.UniqueConstraint(
                fields=["institution", "parent", "name"],
                condition=Q(parent__isnull=False),
                name="container_name_unique_in_parent",
            ),
            models.UniqueConstraint(
                fields=["institution", "name"],
                condition=Q(parent__isnull=True),
                name="container_name_unique_at_top",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def position_label(self) -> str:
        return self.parent.type.label(self.row, self.column) if self.parent else ""


class PositionHold(models.Model):
    """A position that takes no vial: blocked (damaged, out of use) or reserved (kept free for
    a purpose; only an explicit placement may fill it)."""

    class Kind(models.TextChoices):
        BLOCKED = "blocked", "Blocked"
        RESERVED = "reserved", "Reserved"

    container = models.ForeignKey(Container, on_delete=models.CASCADE, related_name="holds")
    row = models.PositiveSmallIntegerField()
    column = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    note = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["container", "row", "column"], name="one_hold_per_position"
            ),
            models.CheckConstraint(condition=Q(kind__in=["blocked", "reserved"]), name="hold_kind"),
        ]


class BankTier(models.TextChoices):
    SEED = "seed", "Seed stock"
    MCB = "mcb", "Master cell bank"
    WCB = "wcb", "Working cell bank"
    DISTRIBUTION = "distribution", "Distribution lot"


TIER_ORDER = [BankTier.SEED, BankTier.MCB, BankTier.WCB, BankTier.DISTRIBUTION]
# What fits in a box grid's cell beside the passage.
TIER_SHORT: dict[str, StrOrPromise] = {
    BankTier.SEED: _("Seed"),
    BankTier.MCB: _("MCB"),
    BankTier.WCB: _("WCB"),
    BankTier.DISTRIBUTION: _("Lot"),
}


class CellBank(models.Model):
    """Vials frozen together from one line (or one differentiated product) at one passage."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=64, unique=True)
    tier = models.CharField(max_length=16, choices=BankTier.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    line = models.ForeignKey(
        CellLine, on_delete=models.PROTECT, null=True, blank=True, related_name="banks"
    )
    product = models.ForeignKey(
        DerivedProduct, on_delete=models.PROTECT, null=True, blank=True, related_name="banks"
    )
    passage_number = models.PositiveIntegerField()
    freeze_date = models.DateField()
    cryo_medium = models.CharField(max_length=200, blank=True)
    cells_per_vial = models.PositiveBigIntegerField(null=True, blank=True)
    vial_count = models.PositiveIntegerField(help_text="Vials frozen")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sop_reference = models.CharField(max_length=100, blank=True)
    post_thaw_viability = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="%",
        # The check constraint below says the same in the database; a validator names the field.
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-freeze_date", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(line__isnull=False) & Q(product__isnull=True))
                | (Q(line__isnull=True) & Q(product__isnull=False)),
                name="bank_of_a_line_or_a_product",
            ),
            models.CheckConstraint(
                condition=Q(tier__in=[t.value for t in BankTier]), name="bank_tier_known"
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="bank_not_its_own_parent"),
            models.CheckConstraint(condition=Q(vial_count__gte=1), name="bank_has_vials"),
            models.CheckConstraint(
                condition=Q(post_thaw_viability__isnull=True)
                | Q(post_thaw_viability__gte=0, post_thaw_viability__lte=100),
                name="bank_viability_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def tier_short(self) -> str:
        return str(TIER_SHORT.get(self.tier, self.tier))

    @property
    def source_line(self) -> CellLine:
        """The line the bank is of: its own, or its product's."""
        if self.line is not None:
            return self.line
        assert self.product is not None  # the bank_of_a_line_or_a_product constraint
        return self.product.line

    @property
    def source_name(self) -> str:
        if self.product is None:
            return self.source_line.name
        return f"{self.product.line.name} {self.product.name}"


class VialStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    RESERVED = "reserved", "Reserved"
    QUARANTINED = "quarantined", "Quarantined"
    DISTRIBUTED = "distributed", "Distributed"
    USED_FOR_QC = "used_for_qc", "Used for QC"
    THAWED = "thawed", "Thawed for culture"
    DESTROYED = "destroyed", "Destroyed"


# A vial in one of these states has left the bank for good: it holds no position.
GONE = frozenset({VialStatus.DISTRIBUTED, VialStatus.USED_FOR_QC, VialStatus.THAWED,
                  VialStatus.DESTROYED})  # fmt: skip


class Vial(models.Model):
    """One cryovial. Its status and place change only through the services, which write a
    custody event for every change."""

    barcode = models.CharField(max_length=64, unique=True)
    bank = models.ForeignKey(CellBank, on_delete=models.PROTECT, related_name="vials")
    status = models.CharField(
        max_length=16, choices=VialStatus.choices, default=VialStatus.AVAILABLE
    )
    container = models.ForeignKey(
        Container, on_delete=models.PROTECT, null=True, blank=True, related_name="vials"
    )
    row = models.PositiveSmallIntegerField(null=True, blank=True)
    column = models.PositiveSmallIntegerField(null=True, blank=True)
    checked_out_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_out_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["barcode"]
        indexes = [models.Index(fields=["bank", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["container", "row", "column"],
                condition=Q(row__isnull=False),
                name="one_vial_per_position",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in VialStatus]), name="vial_status_known"
            ),
            models.CheckConstraint(
                condition=(Q(row__isnull=True) & Q(column__isnull=True))
                | (Q(container__isnull=False) & Q(row__gte=1) & Q(column__gte=1)),
                name="vial_position_complete",
            ),
            models.CheckConstraint(
                condition=Q(container__isnull=True) | ~Q(status__in=sorted(GONE)),
                name="vial_gone_holds_no_position",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_to__isnull=True) | Q(container__isnull=True),
                name="vial_checked_out_is_not_stored",
            ),
        ]

    def __str__(self) -> str:
        return self.barcode


class CustodyEvent(models.Model):
    """One step in a vial's life: who did what, when, from where to where, and why.

    Places are kept twice: as references (for queries such as "which vials were in this tank")
    and as the path text of the moment (what a reader of the history needs)."""

    class Kind(models.TextChoices):
        CREATE = "create", "Created"
        IMPORT = "import", "Imported"
        MOVE = "move", "Moved"
        CHECK_OUT = "check_out", "Checked out"
        RETURN = "return", "Returned"
        THAW = "thaw", "Thawed"
        DISPOSE = "dispose", "Disposed of"
        STATUS = "status", "Status changed"

    vial = models.ForeignKey(Vial, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_container = models.ForeignKey(
        Container, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_row = models.PositiveSmallIntegerField(null=True, blank=True)
    from_column = models.PositiveSmallIntegerField(null=True, blank=True)
    from_place = models.CharField(max_length=500, blank=True)
    to_container = models.ForeignKey(
        Container, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_row = models.PositiveSmallIntegerField(null=True, blank=True)
    to_column = models.PositiveSmallIntegerField(null=True, blank=True)
    to_place = models.CharField(max_length=500, blank=True)
    from_status = models.CharField(max_length=16, choices=VialStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=VialStatus.choices, blank=True)
    moved_container = models.ForeignKey(
        Container,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The box (or rack) whose move carried the vial",
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["vial", "at"]),
            models.Index(fields=["to_container", "at"]),
            models.Index(fields=["from_container", "at"]),
        ]


class ContainerEvent(models.Model):
    """A container's own history: where it was placed, moved, blocked."""

    class Kind(models.TextChoices):
        CREATE = "create", "Created"
        MOVE = "move", "Moved"
        BLOCK = "block", "Blocked"
        UNBLOCK = "unblock", "Unblocked"
        HOLD = "hold", "Position held"
        RELEASE = "release", "Position released"

    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_parent = models.ForeignKey(
        Container, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_parent = models.ForeignKey(
        Container, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_place = models.CharField(max_length=500, blank=True)
    to_place = models.CharField(max_length=500, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["container", "at"]),
            models.Index(fields=["to_parent", "at"]),
        ]
