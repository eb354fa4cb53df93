"""Forms of the cord blood pages. They only parse what a browser sends; the services validate
and decide (a form error and a service error both come back as 400 naming the field)."""

from typing import Any

from django import forms

from stemhub.cordblood.models import CentreSettings, GvhdAcute, GvhdChronic, Survival
from stemhub.core.errors import InvalidInput

UPLOAD_MODES = [
    ("delta", "Delta: add and update these units; withdraw rows whose action is “withdraw”"),
    ("full", "Full: this file is the whole inventory; withdraw units missing from it"),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Units file (CSV or JSON)",
        help_text="UTF-8 CSV with the template's columns, or a JSON list of units.",
    )
    mode = forms.ChoiceField(
        choices=UPLOAD_MODES, initial="delta", widget=forms.RadioSelect, label="Mode"
    )
    skip_invalid = forms.BooleanField(
        required=False,
        label="Skip invalid rows",
        help_text="Apply the good rows even when some are bad (the report lists the bad ones).",
    )


class PreliminaryForm(forms.Form):
    hla = forms.CharField(
        label="HLA typing (GL string)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
        help_text="Loci joined with ^, the two typings of a locus with +, e.g. "
        "A*02:01+A*01:01^B*08:01+B*44:02^C*07:01+C*05:01^DRB1*03:01+DRB1*15:01",
    )


def _blank_choice(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "not recorded"), *choices]


class OutcomeForm(forms.Form):
    neutrophil_engraftment_day = forms.IntegerField(
        label="Neutrophil engraftment (day after infusion)", required=False, min_value=0
    )
    agvhd_grade = forms.ChoiceField(
        label="Acute GVHD grade", choices=_blank_choice(GvhdAcute.choices), required=False
    )
    cgvhd = forms.ChoiceField(
        label="Chronic GVHD", choices=_blank_choice(GvhdChronic.choices), required=False
    )
    survival_day100 = forms.ChoiceField(label="Survival at day 100", choices=Survival.choices)
    survival_1y = forms.ChoiceField(label="Survival at 1 year", choices=Survival.choices)
    survival_5y = forms.ChoiceField(label="Survival at 5 years", choices=Survival.choices)
    death_day = forms.IntegerField(
        label="Day of death (after infusion)", required=False, min_value=0
    )
    last_followup_day = forms.IntegerField(
        label="Last follow-up (day after infusion)", required=False, min_value=0
    )

    def values(self) -> dict[str, Any]:
        """What to record: choices left at "not recorded" are not sent to the service."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not (value == "" and name in ("agvhd_grade", "cgvhd"))
        }


SETTING_LABELS = {
    "single_tnc_per_kg": ("Single unit: TNC at least", "× 10⁷/kg"),
    "single_cd34_per_kg": ("Single unit: CD34+ at least", "× 10⁵/kg"),
    "double_tnc_per_kg": ("Double units: TNC of each at least", "× 10⁷/kg"),
    "double_cd34_per_kg": ("Double units: CD34+ of each at least", "× 10⁵/kg"),
    "nonmalignant_tnc_per_kg": ("Non-malignant disease: TNC more than", "× 10⁷/kg"),
    "search_tnc_per_kg": ("Search: offer units with TNC at least", "× 10⁷/kg"),
    "search_cd34_per_kg": ("Search: drop units with known CD34+ below", "× 10⁵/kg"),
    "max_mismatches_of_8": ("Most mismatches of 8 before a flag", "of 8"),
    "reservation_days": ("Reservations last", "days"),
}


class SettingsForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (label, unit) in SETTING_LABELS.items():
            field = CentreSettings._meta.get_field(name)
            if name in ("max_mismatches_of_8", "reservation_days"):
                self.fields[name] = forms.IntegerField(
                    label=label, help_text=unit, min_value=0 if "mis" in name else 1
                )
            else:
                self.fields[name] = forms.FloatField(
                    label=label,
                    help_text=unit,
                    min_value=0,
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
