"""Demo QC for NSRB: banks at every stage of quality control.

Runs on top of the biobank demo (`stemhub.biobank.demo`), which banks four published NSRB lines
(a master and a working bank each). For each of those lines this makes a distribution lot from
the working bank, records a passing result for every test the lot needs (as the technician) and
releases it with the QA manager's signature, which issues the certificate of analysis. One lot
is left with a positive mycoplasma result and its open nonconformity. The first line's working
bank passes every test but is left unsigned, for the QA manager's release queue; the first two
master banks have some results in and others to come; the other banks await QC. Everything goes
through the services, with fixed dates: the same data every time. A second run finds the
results and does nothing.
"""

from datetime import timedelta
from decimal import Decimal
from typing import TextIO

from django.db import transaction

from stemhub.accounts.demo import DEMO_PASSWORD
from stemhub.accounts.models import Institution, User
from stemhub.audit.triggers import history_rewritable
from stemhub.biobank import services as biobank
from stemhub.biobank.models import BankTier, CellBank, Container
from stemhub.quality import selectors, services
from stemhub.quality.defaults import install_defaults
from stemhub.quality.models import QcResult, QcTest

# Values within the default panel's specification (quality/defaults.py); STR identity is the
# line's own registry profile.
PASSING = {
    "sterility": "no growth",
    "mycoplasma": "negative",
    "endotoxin": "0.25",
    "hiv": "negative",
    "hbv": "negative",
    "hcv": "negative",
    "htlv": "negative",
    "cmv": "negative",
    "ebv": "negative",
    "karyotype": "normal",
    "oct4": "94.2",
    "nanog": "91.5",
    "ssea4": "96.8",
    "tra-1-60": "88.9",
    "germ-layers": "demonstrated",
    "residual-vector": "not detected",
    "viability": "87.5",
    "recovery": "68.0",
    "hla": "concordant",
}
LOT_VIALS = 30
FAILING_INDEX = 2  # the third banked line's lot fails mycoplasma
# The first two master banks are in testing: these results are in, the others still to come.
IN_TESTING = ("sterility", "mycoplasma", "endotoxin", "viability")


def str_text(profile: dict[str, list[str]]) -> str:
    """A registry STR profile as the result text (`Locus:a,b;Locus:a`)."""
    return ";".join(f"{locus}:{','.join(alleles)}" for locus, alleles in profile.items())


@transaction.atomic
@history_rewritable()  # the demo back-dates the events of the past it makes up
def load(*, stdout: TextIO | None = None) -> None:
    nsrb = Institution.objects.filter(provider_code="NSRB").first()
    if nsrb is None or not User.objects.filter(username="technician").exists():
        raise RuntimeError("Load the registry demo first (`stemhub demo`): NSRB and its staff")
    working = list(
        CellBank.objects.filter(institution=nsrb, tier=BankTier.WCB)
        .select_related("line")
        .order_by("line__name", "code")
    )
    if not working:
        _say(stdout, "Quality demo: no working banks at NSRB (load the biobank demo); skipped")
        return
    if QcResult.objects.filter(bank__institution=nsrb).exists():
        _say(stdout, "Quality demo already loaded; nothing to do")
        return
    if not selectors.current_tests().exists():
        # The catalogue's data migration rows are gone after a `flush`: put the panel back.
        install_defaults(QcTest)
    tech = User.objects.get(username="technician")
    qa = User.objects.get(username="qa")
    seen: set[int | None] = set()
    lots = []
    for wcb in working:
        if wcb.line_id in seen:
            continue
        seen.add(wcb.line_id)
        lot = (
            CellBank.objects.filter(institution=nsrb, tier=BankTier.DISTRIBUTION, line=wcb.line)
            .order_by("code")
            .first()
        )
        lots.append(lot or _distribution_lot(tech, wcb))
    released = failed = 0
    for n, lot in enumerate(lots):
        fails = n == FAILING_INDEX
        _test(tech, lot, fail="mycoplasma" if fails else "")
        if fails:
            failed += 1
        else:
            services.bank_release(actor=qa, bank=lot, password=DEMO_PASSWORD)
            released += 1
    first = working[0]
    _test(tech, first)  # every test passed, for QA to sign
    masters = first.parent, working[1].parent
    assert masters[0] is not None and masters[1] is not None  # the demo's WCBs come from MCBs
    _test(tech, masters[0], only=IN_TESTING)
    _test(tech, masters[1], only=IN_TESTING[:2])
    _say(
        stdout,
        f"Quality: {len(lots)} distribution lots tested at NSRB, {released} released with "
        f"certificates, {failed} failed mycoplasma (nonconformity open); {first.code} ready "
        "for release; two master banks in testing",
    )


def _test(tech: User, bank: CellBank, *, fail: str = "", only: tuple[str, ...] = ()) -> None:
    """Record a result for each test the bank needs (or only these), two weeks after its
    freeze date: passing values, but for the test `fail`."""
    tested = bank.freeze_date + timedelta(days=14)
    for test in selectors.required_tests(bank):
        if only and test.code not in only:
            continue
        if test.code == "str-identity":
            value = str_text(bank.source_line.str_profile)
        elif test.code == fail:
            value = "positive"
        else:
            value = PASSING[test.code]
        services.qc_result_record(
            actor=tech, bank=bank, test=test, value=value, tested_on=tested, comment="Demo result"
        )


def _distribution_lot(tech: User, wcb: CellBank) -> CellBank:
    """A distribution lot of `wcb`'s line, frozen a month after it, in the first empty box."""
    empty = (
        Container.objects.filter(
            institution_id=wcb.institution_id, type__holds_vials=True, vials__isnull=True
        )
        .order_by("name", "pk")
        .first()
    )
    if empty is None:
        raise RuntimeError("The demo storage has no empty box left for a distribution lot")
    return biobank.cell_bank_create(
        actor=tech,
        line=wcb.line,
        tier=BankTier.DISTRIBUTION,
        parent=wcb,
        passage_number=wcb.passage_number + 3,
        freeze_date=wcb.freeze_date + timedelta(days=30),
        vial_count=LOT_VIALS,
        cryo_medium="CryoStor CS10",
        cells_per_vial=1_000_000,
        operator=tech,
        sop="SOP-BB-010",
        post_thaw_viability=Decimal("87.5"),
        boxes=[empty],
    )


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")
