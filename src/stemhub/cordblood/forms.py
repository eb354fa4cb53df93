"""Forms of the cord blood pages. They only parse what a browser sends; the services validate
and decide (a form error and a service error both come back as 400 naming the field)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from stemhub.cordblood.models import (
    ABO,
    LOCI,
    CentreSettings,
    Diagnosis,
    DiseaseStatus,
    GvhdAcute,
    GvhdChronic,
    Sex,
    VitalStatus,
)
from stemhub.core.columns import concrete_field
from stemhub.core.errors import InvalidInput, StemhubError
from stemhub.hla import MATCH_LOCI
from stemhub.populations.models import Population

# A typing that finds units in the demo network (two of its common haplotypes): the example the
# public search and the patient form show (tests/cordblood/test_demo.py keeps it finding some).
EXAMPLE_GL = (
    "A*02:01+A*11:01^B*40:01+B*46:01^C*07:02+C*01:02^DRB1*09:01+DRB1*15:01^DQB1*03:03+DQB1*06:02"
)
EXAMPLE_LOCI = dict(zip(MATCH_LOCI, EXAMPLE_GL.split("^"), strict=True))


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Units file (CSV or JSON)"),
        help_text=_("UTF-8 CSV with the template's columns, or a JSON list of units."),
    )
    mode = forms.ChoiceField(
        choices=[
            (
                "delta",
                _("Delta: add and update these units; withdraw rows whose action is “withdraw”"),
            ),
            ("full", _("Full: this file is the whole inventory; withdraw units missing from it")),
        ],
        initial="delta",
        widget=forms.RadioSelect,
        label=pgettext_lazy("upload", "Mode"),
    )
    skip_invalid = forms.BooleanField(
        required=False,
        label=_("Skip invalid rows"),
        help_text=_("Apply the good rows even when some are bad (the report lists the bad ones)."),
    )


PRELIMINARY_MAX_CHARS = 2000


class PreliminaryForm(forms.Form):
    hla = forms.CharField(
        label=_("HLA typing (GL string)"),
        max_length=PRELIMINARY_MAX_CHARS,
        error_messages={
            "required": _("Enter the patient's HLA typing: at least HLA-A, -B and -DRB1."),
            "max_length": _(
                "At most %(limit_value)d characters (this has %(show_value)d): give each locus "
                "once, at the resolution you have, without allele lists longer than needed."
            ),
        },
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "spellcheck": "false",
                "autocomplete": "off",
                "placeholder": EXAMPLE_GL,
            }
        ),
        help_text=_(
            "HLA-A, -B and -DRB1 at least (C, DQB1, DPB1 if typed); loci joined with ^, the two "
            "typings of a locus with +; up to 2,000 characters. Any resolution: alleles, allele "
            "codes, serology (A2, B44, DR15). One typing at a locus is read as homozygous."
        ),
    )


def _choices(choices: list[tuple[str, Any]], blank: Any) -> list[tuple[str, Any]]:
    return [("", blank), *choices]


class PatientForm(forms.Form):
    """The new-patient page. Every field is parsed as text and judged by `patient_create`, so a
    problem is named the same way on the page and in the API."""

    centre_patient_id = forms.CharField(label=_("Centre patient id"), max_length=64, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    date_of_birth = forms.CharField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    age = forms.CharField(
        label=_("Age in years"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 120, "step": 1}),
        help_text=_("When the date of birth is not known."),
    )
    weight_kg = forms.CharField(
        label=_("Weight (kg)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0.5, "max": 300, "step": 0.1}),
        help_text=_("Cell doses are counted per kg of this weight."),
    )
    abo = forms.ChoiceField(
        label=_("ABO group"), choices=_choices(ABO.choices, _("Not known")), required=False
    )
    rh = forms.ChoiceField(
        label=_("Rh(D)"),
        choices=[("", _("Not known")), ("+", _("Rh positive")), ("-", _("Rh negative"))],
        required=False,
    )
    diagnosis = forms.ChoiceField(
        label=_("Diagnosis"), choices=_choices(Diagnosis.choices, _("Not recorded")), required=False
    )
    diagnosis_detail = forms.CharField(
        label=_("Diagnosis details"),
        max_length=200,
        required=False,
        help_text=_("Subtype or, for “other”, the disease."),
    )
    malignant = forms.ChoiceField(
        label=_("Malignant disease"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        initial="yes",
        help_text=_("Set by the diagnosis group; asked only for “other”."),
    )
    disease_status = forms.ChoiceField(
        label=_("Disease status"),
        choices=_choices(DiseaseStatus.choices, _("Not recorded")),
        required=False,
    )
    hla = forms.CharField(
        label=_("or the whole typing as a GL string"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "spellcheck": "false", "autocomplete": "off", "class": "mono"}
        ),
        help_text=_("Loci joined with ^, the two typings of a locus with +."),
    )
    population = forms.ChoiceField(
        label=_("Population"),
        required=False,
        help_text=_(
            "Its haplotype frequency set predicts how likely each low-resolution match is; "
            "blank: the default population."
        ),
    )
    dsa = forms.CharField(
        label=_("Donor-specific antibodies"),
        required=False,
        help_text=_("Antigens or alleles the patient has antibodies against, e.g. A2 B*44:02."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        populations = list(Population.objects.all())
        default = next((p for p in populations if p.is_default), None)
        blank = (
            _("Default population (%(code)s)") % {"code": default.code}
            if default
            else _("Default population")
        )
        self.fields["population"].choices = [  # type: ignore[attr-defined]
            ("", blank),
            *((p.code, f"{p.code}: {p.display_name}") for p in populations),
        ]
        for locus in LOCI:
            self.fields[f"hla_{locus.lower()}"] = forms.CharField(
                label=f"HLA-{locus}",
                required=False,
                max_length=500,
                widget=forms.TextInput(
                    attrs={
                        "spellcheck": "false",
                        "autocomplete": "off",
                        "class": "mono",
                        "placeholder": EXAMPLE_LOCI.get(locus, "DPB1*04:01+DPB1*02:01"),
                    }
                ),
            )

    @property
    def locus_fields(self) -> list[forms.BoundField]:
        return [self[f"hla_{locus.lower()}"] for locus in LOCI]

    def data_for_service(self) -> dict[str, Any]:
        values = {name: self.data.get(name, "") for name in self.fields}
        values["malignant"] = self.data.get("malignant", "yes") != "no"
        return values

    def show(self, error: StemhubError) -> None:
        """Put a service's problems beside the fields they name."""
        for name, problems in error.fields.items():
            self.add_error(name if name in self.fields else None, " ".join(problems))


class OutcomeForm(forms.Form):
    neutrophil_engraftment_day = forms.IntegerField(
        label=_("Neutrophil engraftment (day after infusion)"),
        required=False,
        min_value=0,
        max_value=1000,
    )
    graft_failure = forms.BooleanField(
        label=_("Primary graft failure (no neutrophil engraftment)"), required=False
    )
    agvhd_grade = forms.ChoiceField(
        label=_("Acute GVHD grade"),
        choices=_choices(GvhdAcute.choices, _("Not recorded")),
        required=False,
    )
    cgvhd = forms.ChoiceField(
        label=_("Chronic GVHD"),
        choices=_choices(GvhdChronic.choices, _("Not recorded")),
        required=False,
    )
    relapsed = forms.BooleanField(label=_("Relapse or progression"), required=False)
    relapse_on = forms.DateField(
        label=_("Relapse date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last_followup_on = forms.DateField(
        label=_("Last follow-up"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    vital_status = forms.ChoiceField(
        label=_("Status at last follow-up"), choices=VitalStatus.choices, initial="unknown"
    )
    died_on = forms.DateField(
        label=_("Date of death"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


SETTING_LABELS: dict[str, tuple[StrOrPromise, StrOrPromise]] = {
    "single_tnc_per_kg": (_("Single unit: TNC at least"), "× 10⁷/kg"),
    "single_cd34_per_kg": (_("Single unit: CD34+ at least"), "× 10⁵/kg"),
    "double_tnc_per_kg": (_("Double units: TNC of each at least"), "× 10⁷/kg"),
    "double_cd34_per_kg": (_("Double units: CD34+ of each at least"), "× 10⁵/kg"),
    "nonmalignant_tnc_per_kg": (_("Non-malignant disease: TNC more than"), "× 10⁷/kg"),
    "search_tnc_per_kg": (_("Search: offer units with TNC at least"), "× 10⁷/kg"),
    "search_cd34_per_kg": (_("Search: drop units with known CD34+ below"), "× 10⁵/kg"),
    "max_mismatches_of_8": (_("Most mismatches of 8 before a flag"), _("of 8")),
    "reservation_days": (_("Reservations last"), _("days")),
}


class SettingsForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (label, unit) in SETTING_LABELS.items():
            field = concrete_field(CentreSettings, name)
            if name in ("max_mismatches_of_8", "reservation_days"):
                self.fields[name] = forms.IntegerField(
                    label=label,
                    help_text=unit,
                    min_value=0 if "mis" in name else 1,
                    max_value=8 if "mis" in name else 90,
                )
            else:
                self.fields[name] = forms.FloatField(
                    label=label,
                    help_text=unit,
                    min_value=0,
                    max_value=100,
                    widget=forms.NumberInput(attrs={"step": "0.1"}),
                )
            self.fields[name].initial = field.default


def form_fields(form: forms.Form) -> dict[str, list[str]]:
    """A bound form's errors, keyed by field name, for a 400 answer."""
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def form_error(form: forms.Form) -> InvalidInput:
    """A bound form's errors as the 400 the services would raise, each field named."""
    fields = form_fields(form)
    summary = "; ".join(f"{name}: {' '.join(problems)}" for name, problems in fields.items())
    return InvalidInput(summary, fields=fields)
