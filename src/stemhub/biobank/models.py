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
from stemhub.core.models import HistoryEvent
from stemhub.registry.models import CellLine, DerivedProduct


class TemperatureClass(models.TextChoices):
    """MIABIS storage temperature terms."""

    RT = "RT", _("Room temperature")
    FRIDGE = "2to10", _("2 °C to 10 °C")
    FREEZER = "-18to-35", _("−18 °C to −35 °C")
    DEEP_FREEZER = "-60to-85", _("−60 °C to −85 °C")
    LN_VAPOUR = "LN_vapour", _("Liquid nitrogen, vapour phase")
    LN_LIQUID = "LN_liquid", _("Liquid nitrogen, liquid phase")
    OTHER = "other", _("Other")


class Labelling(models.TextChoices):
    NUMBERS = "numbers", _("Numbers (1, 2, 3)")
    LETTERS = "letters", _("Letters (A, B, C)")
    ROMAN = "roman", _("Roman (I, II, III)")


class FillOrder(models.TextChoices):
    ROW_MAJOR = "row_major", _("Row by row")
    COLUMN_MAJOR = "column_major", _("Column by column")


class ContainerType(models.Model):
    """A kind of container: its layout, labels, fill order, temperature and allowed contents.

    `rows`/`columns` empty means dimensionless (a room, a shelf). A type either holds vials
    (a box) or containers of the types in `allowed_children` (any type when that is empty).
    """

    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    rows = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("rows"))
    columns = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("columns"))
    row_labels = models.CharField(
        max_length=8,
        choices=Labelling.choices,
        default=Labelling.LETTERS,
        verbose_name=_("row labels"),
    )
    column_labels = models.CharField(
        max_length=8,
        choices=Labelling.choices,
        default=Labelling.NUMBERS,
        verbose_name=_("column labels"),
    )
    fill_order = models.CharField(
        max_length=16,
        choices=FillOrder.choices,
        default=FillOrder.ROW_MAJOR,
        verbose_name=_("fill order"),
    )
    temperature_class = models.CharField(
        max_length=16,
        choices=TemperatureClass.choices,
        blank=True,
        help_text=_("Empty: the temperature of wherever the container stands"),
        verbose_name=_("temperature class"),
    )
    holds_vials = models.BooleanField(default=False, verbose_name=_("holds vials"))
    allowed_children = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="allowed_parents",
        verbose_name=_("allowed children"),
    )

    class Meta:
        verbose_name = _("container type")
        verbose_name_plural = _("container types")
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

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    type = models.ForeignKey(
        ContainerType, on_delete=models.PROTECT, related_name="containers", verbose_name=_("type")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    row = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("row"))
    column = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("column"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    barcode = models.CharField(
        max_length=64, unique=True, null=True, blank=True, verbose_name=_("barcode")
    )
    temperature_class = models.CharField(
        max_length=16,
        choices=TemperatureClass.choices,
        blank=True,
        help_text=_("Its type's, or else its parent's: kept by the services on create and move"),
        verbose_name=_("temperature class"),
    )
    blocked = models.BooleanField(
        default=False, help_text=_("Takes no new vials or containers"), verbose_name=_("blocked")
    )
    equipment = models.OneToOneField(
        "equipment.Equipment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="container",
        help_text=_("The tank or freezer this container is, for its temperature logs"),
        verbose_name=_("equipment"),
    )
    created_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("container")
        verbose_name_plural = _("containers")
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
        BLOCKED = "blocked", _("Blocked")
        RESERVED = "reserved", _("Reserved")

    container = models.ForeignKey(
        Container, on_delete=models.CASCADE, related_name="holds", verbose_name=_("container")
    )
    row = models.PositiveSmallIntegerField(verbose_name=_("row"))
    column = models.PositiveSmallIntegerField(verbose_name=_("column"))
    kind = models.CharField(max_length=8, choices=Kind.choices, verbose_name=_("kind"))
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))

    class Meta:
        verbose_name = _("position hold")
        verbose_name_plural = _("position holds")
        constraints = [
            models.UniqueConstraint(
                fields=["container", "row", "column"], name="one_hold_per_position"
            ),
            models.CheckConstraint(condition=Q(kind__in=["blocked", "reserved"]), name="hold_kind"),
        ]


class BankTier(models.TextChoices):
    SEED = "seed", _("Seed stock")
    MCB = "mcb", _("Master cell bank")
    WCB = "wcb", _("Working cell bank")
    DISTRIBUTION = "distribution", _("Distribution lot")


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

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    code = models.CharField(max_length=64, unique=True, verbose_name=_("code"))
    tier = models.CharField(max_length=16, choices=BankTier.choices, verbose_name=_("tier"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    line = models.ForeignKey(
        CellLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="banks",
        verbose_name=_("line"),
    )
    product = models.ForeignKey(
        DerivedProduct,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="banks",
        verbose_name=_("product"),
    )
    passage_number = models.PositiveIntegerField(verbose_name=_("passage number"))
    freeze_date = models.DateField(verbose_name=_("freeze date"))
    cryo_medium = models.CharField(max_length=200, blank=True, verbose_name=_("cryo medium"))
    cells_per_vial = models.PositiveBigIntegerField(
        null=True, blank=True, verbose_name=_("cells per vial")
    )
    vial_count = models.PositiveIntegerField(
        help_text=_("Vials frozen"), verbose_name=_("vial count")
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator"),
    )
    # The procedure the bank was frozen under: the controlled document's version in force at
    # the time. `sop_reference` keeps the text of records that named one before the link
    # existed and could not be matched to a controlled document.
    sop_version = models.ForeignKey(
        "qms.DocumentVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("SOP version"),
    )
    sop_reference = models.CharField(max_length=100, blank=True, verbose_name=_("SOP reference"))
    post_thaw_viability = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="%",
        # The check constraint below says the same in the database; a validator names the field.
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        verbose_name=_("post-thaw viability"),
    )
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("cell bank")
        verbose_name_plural = _("cell banks")
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
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved")
    QUARANTINED = "quarantined", _("Quarantined")
    DISTRIBUTED = "distributed", _("Distributed")
    USED_FOR_QC = "used_for_qc", _("Used for QC")
    THAWED = "thawed", _("Thawed for culture")
    DESTROYED = "destroyed", _("Destroyed")


# A vial in one of these states has left the bank for good: it holds no position.
GONE = frozenset({VialStatus.DISTRIBUTED, VialStatus.USED_FOR_QC, VialStatus.THAWED,
                  VialStatus.DESTROYED})  # fmt: skip


class Vial(models.Model):
    """One cryovial. Its status and place change only through the services, which write a
    custody event for every change."""

    barcode = models.CharField(max_length=64, unique=True, verbose_name=_("barcode"))
    bank = models.ForeignKey(
        CellBank, on_delete=models.PROTECT, related_name="vials", verbose_name=_("bank")
    )
    status = models.CharField(
        max_length=16,
        choices=VialStatus.choices,
        default=VialStatus.AVAILABLE,
        verbose_name=_("status"),
    )
    container = models.ForeignKey(
        Container,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vials",
        verbose_name=_("container"),
    )
    row = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("row"))
    column = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("column"))
    checked_out_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked out to"),
    )
    checked_out_at = models.DateTimeField(null=True, blank=True, verbose_name=_("checked out at"))
    created_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("vial")
        verbose_name_plural = _("vials")
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


class CustodyEvent(HistoryEvent):
    """One step in a vial's life: who did what, when, from where to where, and why.

    Places are kept twice: as references (for queries such as "which vials were in this tank")
    and as the path text of the moment (what a reader of the history needs)."""

    class Kind(models.TextChoices):
        CREATE = "create", _("Created")
        IMPORT = "import", _("Imported")
        MOVE = "move", _("Moved")
        CHECK_OUT = "check_out", _("Checked out")
        RETURN = "return", _("Returned")
        THAW = "thaw", _("Thawed")
        DISPOSE = "dispose", _("Disposed of")
        STATUS = "status", _("Status changed")

    vial = models.ForeignKey(
        Vial, on_delete=models.PROTECT, related_name="events", verbose_name=_("vial")
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    from_container = models.ForeignKey(
        Container,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from container"),
    )
    from_row = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("from row"))
    from_column = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("from column")
    )
    from_place = models.CharField(max_length=500, blank=True, verbose_name=_("from place"))
    to_container = models.ForeignKey(
        Container,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to container"),
    )
    to_row = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("to row"))
    to_column = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("to column"))
    to_place = models.CharField(max_length=500, blank=True, verbose_name=_("to place"))
    from_status = models.CharField(
        max_length=16, choices=VialStatus.choices, blank=True, verbose_name=_("from status")
    )
    to_status = models.CharField(
        max_length=16, choices=VialStatus.choices, blank=True, verbose_name=_("to status")
    )
    moved_container = models.ForeignKey(
        Container,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The box (or rack) whose move carried the vial"),
        verbose_name=_("moved container"),
    )

    class Meta:
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["vial", "at"]),
            models.Index(fields=["to_container", "at"]),
            models.Index(fields=["from_container", "at"]),
        ]


class ContainerEvent(HistoryEvent):
    """A container's own history: where it was placed, moved, blocked."""

    class Kind(models.TextChoices):
        CREATE = "create", _("Created")
        MOVE = "move", _("Moved")
        BLOCK = "block", _("Blocked")
        UNBLOCK = "unblock", _("Unblocked")
        HOLD = "hold", _("Position held")
        RELEASE = "release", _("Position released")

    container = models.ForeignKey(
        Container, on_delete=models.PROTECT, related_name="events", verbose_name=_("container")
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    from_parent = models.ForeignKey(
        Container,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from parent"),
    )
    to_parent = models.ForeignKey(
        Container,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to parent"),
    )
    from_place = models.CharField(max_length=500, blank=True, verbose_name=_("from place"))
    to_place = models.CharField(max_length=500, blank=True, verbose_name=_("to place"))

    class Meta:
        verbose_name = _("container event")
        verbose_name_plural = _("container events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["container", "at"]),
            models.Index(fields=["to_parent", "at"]),
        ]
