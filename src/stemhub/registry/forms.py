"""The staff forms of the registry: parse what a person typed into the record shape that
`services.cell_line_create` / `cell_line_update` accept, and back again for editing.

Related rows (markers, germ layers, publications...) are edited as one text line per row with
the values separated by `|` (`form_rows`).
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from stemhub.core.errors import StemhubError
from stemhub.registry import form_checks
from stemhub.registry.form_rows import (
    ROW_FORMATS,
    SYNONYM_MAX_LENGTH,
    format_rows,
    format_str_profile,
    parse_rows,
    parse_str_profile,
    split_list,
)
from stemhub.registry.models import (
    AGE_BIN_CHOICES,
    Availability,
    DerivationMethod,
    LineType,
    Sex,
    Vector,
)
from stemhub.registry.records import DONOR_FIELDS, EDITABLE_FIELDS


def _rows_field(key: str, label: StrOrPromise, hint: StrOrPromise = "") -> forms.CharField:
    # The row format's words are translated, so its description is written when shown.
    described = lazy(ROW_FORMATS[key].describe, str)()
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "rows", "spellcheck": "false"}),
        help_text=format_lazy(
            _("One per line: {columns}. ? marks an optional value. {hint}"),
            columns=described,
            hint=hint,
        ),
    )


def _yes_no(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.NullBooleanField:
    return forms.NullBooleanField(label=label, required=False, help_text=help_text)


def _text(label: StrOrPromise, max_length: int, help_text: StrOrPromise = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, help_text=help_text)


def _area(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=help_text
    )


def _blank_choices(
    choices: Iterable[tuple[str, StrOrPromise]], blank: StrOrPromise = "—"
) -> list[tuple[str, StrOrPromise]]:
    return [("", blank), *choices]


# Scalar fields of the record that the form writes as they are (the other two are parsed).
SCALAR_FIELDS = tuple(
    f for f in EDITABLE_FIELDS if f not in ("reprogramming_factors", "str_profile")
)
ROW_FIELDS = (
    "providers",
    "karyotypes",
    "markers",
    "pluritests",
    "differentiations",
    "omics",
    "modifications",
    "clinical_studies",
    "publications",
    "xrefs",
    "products",
)
# The form's field groups, in page order: (anchor, legend, field names).
FIELD_GROUPS = (
    ("change", _("Why this change"), ("reason",)),
    (
        "general",
        _("General"),
        (
            "name",
            "name_zh",
            "line_type",
            "species",
            "parent",
            "synonyms",
            "clinical_grade",
            "providers",
            "description",
        ),
    ),
    (
        "donor",
        _("Donor"),
        (
            "donor_code",
            "donor_sex",
            "donor_age_bin",
            "donor_ethnicity",
            "donor_diseases",
            "donor_family_history",
            "donor_medical_history",
            "donor_hla_typing",
        ),
    ),
    (
        "derivation",
        _("Derivation"),
        (
            "derivation_method",
            "source_cell_type",
            "source_cell_type_id",
            "vector",
            "vector_integrating",
            "vector_excisable",
            "vector_absence_confirmed",
            "reprogramming_factors",
            "derivation_date",
            "passage_at_reprogramming",
            "derivation_country",
            "derivation_gmp",
        ),
    ),
    (
        "culture",
        _("Culture conditions"),
        (
            "culture_medium",
            "surface_coating",
            "feeder_cells",
            "passage_method",
            "o2_concentration",
            "co2_concentration",
        ),
    ),
    (
        "ethics",
        _("Ethics and consent"),
        (
            "consent_obtained",
            "consent_reference",
            "ethics_approval",
            "ethics_approval_date",
            "jurisdiction",
            "use_research",
            "use_commercial",
            "use_clinical",
            "managed_access",
            "restrictions",
        ),
    ),
    (
        "characterisation",
        _("Characterisation"),
        (
            "markers",
            "differentiations",
            "karyotypes",
            "pluritests",
            "str_profile",
            "hla_typing",
            "genome_wide_analysis",
            "omics",
        ),
    ),
    ("modifications", _("Genetic modifications"), ("modifications",)),
    (
        "references",
        _("Clinical studies, publications and cross-references"),
        ("clinical_studies", "publications", "xrefs"),
    ),
    ("products", _("Differentiated products"), ("products",)),
)


class LineForm(forms.Form):
    """Every group of a cell line record. `LineForm(data, line_name=...)` edits a line."""

    # General
    name = forms.CharField(
        label=_("Standard name"),
        max_length=64,
        help_text=_("hPSCreg standard name, e.g. NSCBi001-A. It never changes once registered."),
    )
    name_zh = forms.CharField(
        label=_("Chinese name"),
        max_length=200,
        required=False,
        help_text=_(
            "The name Chinese readers know the line by, e.g. 帕金森病患者来源诱导多能干细胞系. "
            "The catalogue finds the line by any part of it."
        ),
    )
    line_type = forms.ChoiceField(
        label=_("Type"), choices=_blank_choices(LineType.choices, _("Choose a type"))
    )
    species = forms.CharField(
        label=_("Species"),
        max_length=64,
        initial="Homo sapiens",
        widget=forms.TextInput(attrs={"list": "species-options"}),
        help_text=_("Scientific name, e.g. Homo sapiens, Mus musculus."),
    )
    parent = _text(
        _("Parent line"), 64, _("Standard name of the line this one was subcloned from.")
    )
    synonyms = _text(_("Synonyms"), 5000, _("Other names, separated by commas, e.g. H9, WA09."))
    clinical_grade = forms.BooleanField(label=_("Clinical grade"), required=False)
    providers = _rows_field(
        "providers",
        _("Providers"),
        _("Leave empty on a new line: your institution is generator and owner."),
    )
    description = _area(_("Description"))

    # Donor
    donor_code = _text(
        _("Donor code"),
        64,
        _(
            "Your own donor reference. Lines of the same donor share the donor record: the values "
            "below update it for all of them. Leave empty when no donor is recorded."
        ),
    )
    donor_sex = forms.ChoiceField(
        label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN, required=False
    )
    donor_age_bin = forms.ChoiceField(
        label=_("Age at sampling"),
        choices=_blank_choices(AGE_BIN_CHOICES, _("Unknown")),
        required=False,
        help_text=_("Five-year bin."),
    )
    donor_ethnicity = _text(_("Ethnicity / ancestry"), 100)
    donor_diseases = _rows_field(
        "donor_diseases", _("Diseases"), _("E.g. DOID | DOID:10652 | Alzheimer")
    )
    donor_family_history = _area(_("Family history"))
    donor_medical_history = _area(_("Medical history"))
    donor_hla_typing = _area(_("Donor HLA typing"), _("GL string."))

    # Derivation
    derivation_method = forms.ChoiceField(
        label=_("Derivation method"),
        choices=_blank_choices(DerivationMethod.choices),
        required=False,
    )
    source_cell_type = _text(_("Source cell type"), 100, _("E.g. fibroblast."))
    source_cell_type_id = _text(
        _("Source cell type id"), 32, _("Cell Ontology id, e.g. CL:0000057.")
    )
    vector = forms.ChoiceField(
        label=_("Reprogramming vector"), choices=_blank_choices(Vector.choices), required=False
    )
    vector_integrating = _yes_no(_("Integrating vector"))
    vector_excisable = _yes_no(_("Vector excisable"))
    vector_absence_confirmed = _yes_no(_("Absence of vector confirmed"))
    reprogramming_factors = _text(
        _("Reprogramming factors"), 500, _("Separated by commas, e.g. OCT4, SOX2, KLF4, MYC.")
    )
    derivation_date = forms.DateField(
        label=_("Derivation date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("YYYY-MM-DD"),
    )
    passage_at_reprogramming = forms.IntegerField(
        label=_("Passage at reprogramming"), min_value=0, required=False
    )
    derivation_country = forms.CharField(
        label=_("Country of derivation"),
        max_length=2,
        required=False,
        help_text=_("Two-letter ISO code, e.g. DE."),
    )
    derivation_gmp = forms.BooleanField(label=_("Derived under GMP"), required=False)

    # Culture
    culture_medium = _text(_("Medium"), 200, _("E.g. mTeSR1, Essential 8."))
    surface_coating = _text(_("Surface coating"), 100, _("E.g. Matrigel, vitronectin."))
    feeder_cells = _text(_("Feeder cells"), 100)
    passage_method = _text(_("Passage method"), 100, _("E.g. EDTA, enzymatic."))
    o2_concentration = _text(_("O₂ concentration"), 16, _("E.g. 5%."))
    co2_concentration = _text(_("CO₂ concentration"), 16, _("E.g. 5%."))

    # Ethics and consent
    consent_obtained = _yes_no(_("Consent obtained"), _("Required for publication."))
    consent_reference = _text(_("Consent form reference"), 200)
    ethics_approval = _text(
        _("Ethics approval reference"), 200, _("Committee and number. Required for publication.")
    )
    ethics_approval_date = forms.DateField(
        label=_("Ethics approval date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("YYYY-MM-DD. A human line is derived after its approval."),
    )
    jurisdiction = _text(_("Jurisdiction"), 64)
    use_research = forms.BooleanField(
        label=_("Research use permitted"), required=False, initial=True
    )
    use_commercial = _yes_no(_("Commercial use permitted"))
    use_clinical = _yes_no(_("Clinical use permitted"))
    managed_access = forms.BooleanField(label=_("Managed access"), required=False)
    restrictions = _area(_("Restrictions"))

    # Characterisation
    markers = _rows_field(
        "markers",
        _("Pluripotency markers"),
        _("E.g. OCT4 | immunostaining | positive | 98. Publication needs a positive marker."),
    )
    differentiations = _rows_field(
        "differentiations",
        _("Germ-layer differentiation"),
        _(
            "E.g. endoderm | in vitro directed | hepatocytes | AFP. Publication needs all three "
            "layers."
        ),
    )
    karyotypes = _rows_field(
        "karyotypes", _("Karyotypes"), _("E.g. 46,XX | G-banding | 15 | normal")
    )
    pluritests = _rows_field("pluritests", _("PluriTest"), _("E.g. 25.4 | 1.2 | 20"))
    str_profile = forms.CharField(
        label=_("STR profile"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "rows", "spellcheck": "false"}),
        help_text=_("One locus per line: LOCUS: allele,allele (e.g. TH01: 6,9.3)."),
    )
    hla_typing = _area(_("HLA typing"), _("GL string of the line, e.g. HLA-A*01:01+HLA-A*02:01."))
    genome_wide_analysis = _area(_("Genome-wide analysis"))
    omics = _rows_field("omics", _("Omics datasets"), _("E.g. genome | EGA | EGAD00001000001"))

    # Modifications, references, products
    modifications = _rows_field(
        "modifications",
        _("Genetic modifications"),
        _("E.g. APOE | variant | c.388T>C | homozygous | CRISPR/Cas9 | NSCBi001-A"),
    )
    clinical_studies = _rows_field("clinical_studies", _("Clinical studies"), _("E.g. NCT01345006"))
    publications = _rows_field(
        "publications",
        _("Publications"),
        _(
            "PMID or DOI, e.g. 9804556 | 10.1126/science.282.5391.1145 | Embryonic stem cell lines "
            "derived from human blastocysts | 1998"
        ),
    )
    xrefs = _rows_field("xrefs", _("Cross-references"), _("E.g. Cellosaurus | CVCL_9773"))
    products = _rows_field(
        "products",
        _("Differentiated products"),
        _("E.g. cardiomyocytes | NSCB-CM1 | GiWi protocol"),
    )

    def __init__(
        self,
        *args: Any,
        line_name: str | None = None,
        published: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.line_name = line_name
        if line_name is not None:
            del self.fields["name"]
        if published:
            self.fields["reason"] = forms.CharField(
                label=_("Reason for the change"),
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_(
                    "This line is published: every change is kept as a version with its reason."
                ),
            )

    def groups(self) -> list[dict[str, Any]]:
        """The field groups of the page (anchor, legend, fields, has_errors), non-empty only."""
        groups = []
        for anchor, legend, names in FIELD_GROUPS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                has_errors = any(field.errors for field in fields)
                groups.append(
                    {"anchor": anchor, "legend": legend, "fields": fields, "has_errors": has_errors}
                )
        return groups

    # Parsing of the composite fields.

    def clean_synonyms(self) -> list[str]:
        synonyms = split_list(self.cleaned_data["synonyms"])
        too_long = [name for name in synonyms if len(name) > SYNONYM_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(
                gettext("A synonym has at most %(limit)d characters: %(names)s")
                % {"limit": SYNONYM_MAX_LENGTH, "names": ", ".join(too_long)}
            )
        return synonyms

    def clean_reprogramming_factors(self) -> list[str]:
        return split_list(self.cleaned_data["reprogramming_factors"])

    def clean_derivation_country(self) -> str:
        code: str = self.cleaned_data["derivation_country"].strip().upper()
        if code and not (len(code) == 2 and code.isalpha()):
            raise forms.ValidationError(gettext("Use a two-letter ISO country code, e.g. DE."))
        return code

    def clean_str_profile(self) -> dict[str, list[str]]:
        return parse_str_profile(self.cleaned_data["str_profile"])

    def clean_donor_diseases(self) -> list[dict[str, Any]]:
        return parse_rows(self.cleaned_data["donor_diseases"], ROW_FORMATS["donor_diseases"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._check_changed_values(cleaned)
        for key in ROW_FIELDS:
            if isinstance(cleaned.get(key), str):
                try:
                    cleaned[key] = parse_rows(cleaned[key], ROW_FORMATS[key])
                except forms.ValidationError as error:
                    self.add_error(key, error)
        if not cleaned.get("donor_code", "").strip() and self._donor_details_given(cleaned):
            self.add_error(
                "donor_code", gettext("Give the donor a code, or clear the other donor fields.")
            )
        return cleaned

    def _check_changed_values(self, cleaned: Mapping[str, Any]) -> None:
        for name in self.changed_data:
            if name in self.errors or name not in cleaned:
                continue
            raw = self.data.get(name, "")
            problem = None
            if isinstance(self.fields[name], forms.CharField) and name not in ROW_FIELDS:
                problem = form_checks.words(str(raw))
            if problem is None and name in form_checks.FIELD_CHECKS:
                problem = form_checks.FIELD_CHECKS[name](cleaned[name])
            if problem:
                self.add_error(name, problem)

    @staticmethod
    def _donor_details_given(cleaned: Mapping[str, Any]) -> bool:
        return any(
            cleaned.get(f"donor_{key}") not in (None, "", [], Sex.UNKNOWN)
            for key in (*DONOR_FIELDS, "diseases")
        )

    def service_data(self) -> dict[str, Any]:
        """The cleaned form as the dict the registry services accept."""
        cleaned = self.cleaned_data
        data: dict[str, Any] = {field: cleaned[field] for field in SCALAR_FIELDS}
        if self.line_name is None:
            data["name"] = cleaned["name"].strip()
        data["species"] = cleaned["species"].strip()
        data["synonyms"] = cleaned["synonyms"]
        data["parent"] = cleaned["parent"].strip() or None
        data["reprogramming_factors"] = cleaned["reprogramming_factors"]
        data["str_profile"] = cleaned["str_profile"]
        for key in ROW_FIELDS:
            data[key] = cleaned[key]
        if self.line_name is None and not data["providers"]:
            del data["providers"]  # the service makes the institution generator and owner
        code = cleaned["donor_code"].strip()
        data["donor"] = (
            {
                "code": code,
                **{key: cleaned[f"donor_{key}"] or "" for key in DONOR_FIELDS},
                "diseases": cleaned["donor_diseases"],
            }
            if code
            else None
        )
        if data["donor"] is not None and not data["donor"]["sex"]:
            data["donor"]["sex"] = Sex.UNKNOWN
        return data

    def add_service_error(self, error: StemhubError) -> None:
        """Put a service's per-field messages on the fields they name (row numbers from 1)."""
        for key, messages in error.fields.items():
            field, where = self._locate(key)
            for message in messages:
                self.add_error(field, where(str(message)))

    def _locate(self, key: str) -> tuple[str | None, Callable[[str], str]]:
        """Service field key (`markers[1].result`, `donor.code`) → form field, and how a message
        about it reads there (naming the row and column, or the key the form has no field for)."""
        head, _dot, rest = key.partition(".")
        if head == "donor" and rest:
            head, _dot, rest = rest.partition(".")
            head = f"donor_{head}"
        relation, bracket, index = head.partition("[")
        if bracket and relation in self.fields:
            row_format = ROW_FORMATS.get(relation)
            column = row_format.label_of(rest) if row_format else rest
            row = int(index.rstrip("]")) + 1
            if rest == "__all__":
                return (
                    relation,
                    lambda message: (
                        gettext("Row %(row)d: %(message)s")
                        % {
                            "row": row,
                            "message": message,
                        }
                    ),
                )
            return (
                relation,
                lambda message: (
                    gettext("Row %(row)d: %(column)s: %(message)s")
                    % {
                        "row": row,
                        "column": column,
                        "message": message,
                    }
                ),
            )
        if relation in self.fields or key == "__all__":
            return (relation if relation in self.fields else None), lambda message: message
        return None, lambda message: f"{key}: {message}"


def initial_from_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A line record (records.line_record) as the initial values of a LineForm."""
    initial: dict[str, Any] = {field: record.get(field) for field in SCALAR_FIELDS}
    initial["parent"] = record.get("parent") or ""
    initial["synonyms"] = ", ".join(record.get("synonyms") or [])
    initial["reprogramming_factors"] = ", ".join(record.get("reprogramming_factors") or [])
    initial["str_profile"] = format_str_profile(record.get("str_profile") or {})
    for key in ROW_FIELDS:
        initial[key] = format_rows(record.get(key) or [], ROW_FORMATS[key])
    donor = record.get("donor")
    if donor:
        initial["donor_code"] = donor["code"]
        for key in DONOR_FIELDS:
            initial[f"donor_{key}"] = donor.get(key, "")
        initial["donor_diseases"] = format_rows(
            donor.get("diseases", []), ROW_FORMATS["donor_diseases"]
        )
    return initial


class AvailabilityForm(forms.Form):
    availability = forms.ChoiceField(label=_("New availability"), choices=Availability.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for recall and withdrawal."),
    )
