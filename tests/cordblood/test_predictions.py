"""Match predictions in cord searches: each result's odds equal the engine's for the same pair,
an unexplained typing says so, ties are ranked by P(8/8), a replaced set re-imputes the index's
units and marks the searches saved with the old one, and the index's stores follow every delta."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from stemhub.accounts.models import Role
from stemhub.cordblood import index as search_index
from stemhub.cordblood import services
from stemhub.cordblood.models import Patient, Unit
from stemhub.cordblood.search import SearchRequest
from stemhub.core.hla import engine as hla_engine
from stemhub.hla import MatchPrediction
from stemhub.populations import selectors as population_selectors
from stemhub.populations.models import HaplotypeSet, Population
from stemhub.populations.selectors import engine_set
from stemhub.populations.services import haplotype_set_load, population_create
from tests.conftest import PASSWORD, make_user
from tests.cordblood.conftest import unit_row, upload

pytestmark = pytest.mark.django_db

PATIENT_HLA = (
    "A*02:01+A*01:01^B*08:01+B*44:02^C*07:01+C*05:01^DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*06:02"
)
REST = "C*05:01~B*44:02~DRB1*15:01~DQB1*06:02"
H1 = "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01"
# A*02:XX is A*02:01 with 0.35 / 0.40 in CHN, with 0.1 / 0.4 in EUR; OTH lacks C*05:01.
SETS = {
    "CHN": {H1: 0.4, f"A*02:01~{REST}": 0.35, f"A*02:05~{REST}": 0.05, f"A*03:01~{REST}": 0.2},
    "EUR": {H1: 0.4, f"A*02:01~{REST}": 0.1, f"A*02:05~{REST}": 0.3, f"A*11:01~{REST}": 0.2},
    "OTH": {H1: 0.6, "A*02:01~C*07:01~B*44:02~DRB1*15:01~DQB1*06:02": 0.4},
}
LOW = {"hla_a": "A*02:XX+A*01:01"}


def frequency_csv(frequencies: dict[str, float]) -> bytes:
    rows = ["haplotype,count,frequency", *(f"{h},1,{f}" for h, f in frequencies.items())]
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture(autouse=True)
def _fresh_sets() -> Iterator[None]:
    """The process keeps sets by primary key, and a rolled-back test's keys come again."""
    population_selectors.forget()
    yield
    population_selectors.forget()
    search_index.forget()


@pytest.fixture
def admin(db):
    return make_user("platform_admin", None, Role.PLATFORM_ADMIN)


@pytest.fixture
def populations(admin) -> dict[str, Population]:
    made = {}
    for code, frequencies in SETS.items():
        made[code] = population_create(actor=admin, code=code, name=f"{code} test")
        haplotype_set_load(
            actor=admin,
            population=made[code],
            filename=f"{code}.csv",
            chunks=[frequency_csv(frequencies)],
            source="test",
        )
    return made  # CHN, the first created, is the default


def set_population(model: type[Unit] | type[Patient], pk: int, population: Population) -> None:
    """Give a unit (through the index's generation, as a writer must) or a patient a
    population directly (uploads carry one too: tests/cordblood/test_population.py)."""
    with transaction.atomic():
        if model is Unit:
            generation = search_index.begin_generation()
            Unit.objects.filter(pk=pk).update(population=population, generation=generation)
        else:
            Patient.objects.filter(pk=pk).update(population=population)


@pytest.fixture
def bank_units(people, cord_bank, populations) -> dict[str, Unit]:
    upload(
        people["tech"],
        cord_bank,
        [
            unit_row("OTH-1", 1, tnc=100),  # typed as the patient, but OTH cannot explain it
            unit_row("CHN-1", 2, tnc=150, **LOW),
            unit_row("EUR-1", 3, tnc=200, **LOW),  # more cells: first by dose among the ties
        ],
    )
    units = {u.local_id: u for u in Unit.objects.all()}
    set_population(Unit, units["OTH-1"].pk, populations["OTH"])
    set_population(Unit, units["EUR-1"].pk, populations["EUR"])
    return units


@pytest.fixture
def patient(people, populations) -> Patient:
    return services.patient_create(
        actor=people["coordinator"],
        data={"centre_patient_id": "P1", "weight_kg": 20, "hla": PATIENT_HLA, "abo": "A"},
    )


def engine_prediction(unit: Unit, patient_set: HaplotypeSet) -> MatchPrediction:
    """What the engine predicts for the pair, each side imputed with its own set (the unit
    truncated as the index's store truncates)."""
    engine = hla_engine()
    unit.refresh_from_db()
    unit_set = HaplotypeSet.objects.filter(
        population=unit.population or Population.objects.get(is_default=True)
    ).order_by("-version")[0]
    store = search_index.current().store_of(unit.pk)
    assert store is not None
    donor = engine.impute(
        unit.hla_gl, engine_set(unit_set), top=store.top, cumulative=store.cumulative
    )
    return engine.predict(engine.impute(PATIENT_HLA, engine_set(patient_set)), donor)


def api_search(client, people, patient, **criteria: Any) -> dict[str, Any]:
    client.login(username=people["coordinator"].username, password=PASSWORD)
    answer = client.post(
        f"/api/v1/cord/patients/{patient.pk}/searches", criteria, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_api_predictions_equal_the_engines_for_the_same_pair(client, people, bank_units, patient):
    found = api_search(client, people, patient)
    chn = HaplotypeSet.objects.get(population__code="CHN")
    assert found["haplotype_set"] == {"id": chn.pk, "label": "CHN v1"}
    results = {r["local_id"]: r for r in found["kinds"]["cord"]["results"]}
    for local_id in ("CHN-1", "EUR-1"):
        shown = results[local_id]["prediction"]
        expected = engine_prediction(bank_units[local_id], chn)
        assert expected.ten is not None and expected.eight is not None
        assert shown["inexplicable"] == []
        assert shown["ten"] == pytest.approx(
            {"p0": expected.ten.p0, "p1": expected.ten.p1, "p2": expected.ten.p2}
        )
        assert shown["eight"]["p0"] == pytest.approx(expected.eight.p0)
        for locus, odds in expected.loci.items():
            assert shown["loci"][locus] == pytest.approx(
                {"match2": odds.match2, "match1": odds.match1, "match0": odds.match0}
            )
    # the EUR unit was imputed with its own population's set, compared by allele name
    assert results["EUR-1"]["prediction"]["donor_haplotype_set"]["label"] == "EUR v1"
    # A*02:XX is far likelier A*02:01 in CHN than in EUR
    assert results["CHN-1"]["prediction"]["eight"]["p0"] == pytest.approx(0.35 / 0.40)
    assert results["EUR-1"]["prediction"]["eight"]["p0"] == pytest.approx(0.1 / 0.4)


def test_a_donor_no_pair_of_its_set_explains_is_shown_as_such(client, people, bank_units, patient):
    found = api_search(client, people, patient)
    oth = next(r for r in found["kinds"]["cord"]["results"] if r["local_id"] == "OTH-1")
    assert oth["prediction"]["inexplicable"] == ["donor"]
    assert oth["prediction"]["ten"] is None and oth["prediction"]["loci"] == {}
    assert oth["match"] == "8/8"  # the allele-level count stays, alone
    page = client.get(reverse("cordblood:search", args=[found["search"]])).content.decode()
    row = page.split(f'id="result-{oth["unit_id"]}"')[1].split("</tr>")[0]
    assert "not explained" in row and "%" not in row.split("odds")[1].split("</td>")[0]


def test_a_patient_their_set_cannot_explain_is_told_once_above_the_results(
    client, people, bank_units, patient, populations
):
    explained = api_search(client, people, patient)
    assert explained["patient_inexplicable"] is False
    page = client.get(reverse("cordblood:search", args=[explained["search"]])).content.decode()
    assert 'id="patient-inexplicable"' not in page
    set_population(Patient, patient.pk, populations["OTH"])  # OTH cannot explain the patient
    found = api_search(client, people, patient)
    assert found["patient_inexplicable"] is True
    assert all(
        "patient" in r["prediction"]["inexplicable"] for r in found["kinds"]["cord"]["results"]
    )
    page = client.get(reverse("cordblood:search", args=[found["search"]])).content.decode()
    assert 'id="patient-inexplicable"' in page and "OTH v1" in page


def test_the_page_shows_the_same_percentages_and_names_the_set(client, people, bank_units, patient):
    found = api_search(client, people, patient)
    page = client.get(reverse("cordblood:search", args=[found["search"]])).content.decode()
    assert "P(10/10)" in page and "P(8/8)" in page and "CHN v1" in page
    for result in found["kinds"]["cord"]["results"]:
        prediction = result["prediction"]
        if prediction["inexplicable"]:
            continue
        row = page.split(f'id="result-{result["unit_id"]}"')[1].split("</tr>")[0]
        assert f"{prediction['ten']['p0'] * 100:.1f} %" in row
        assert f"{prediction['eight']['p0'] * 100:.1f} %" in row
        assert f"P 2/2 {prediction['loci']['A']['match2'] * 100:.0f} %" in row


def order(people, patient, **criteria: Any) -> list[str]:
    _, results = services.search_run(
        actor=people["coordinator"], patient=patient, request=SearchRequest(**criteria)
    )
    return [r["local_id"] for r in results["kinds"]["cord"]["results"]]


def test_ties_are_ranked_by_p88_before_dose_and_other_ranks_stay(people, bank_units, patient):
    # CHN-1 and EUR-1 have equal HLA keys: by dose EUR-1 leads, by P(8/8) CHN-1 does; OTH-1
    # ranks first on its allele-level match, though it has no prediction at all
    assert order(people, patient, rank_ties_by_probability=False) == ["OTH-1", "EUR-1", "CHN-1"]
    assert order(people, patient) == ["OTH-1", "CHN-1", "EUR-1"]


def test_the_option_is_kept_with_the_saved_search(people, bank_units, patient):
    saved, _ = services.search_run(
        actor=people["coordinator"],
        patient=patient,
        request=SearchRequest(rank_ties_by_probability=False),
    )
    assert saved.criteria["rank_ties_by_probability"] is False
    assert saved.haplotype_set == HaplotypeSet.objects.get(population__code="CHN")


def test_a_replaced_set_marks_saved_searches_and_reimputes_the_index(
    client, people, admin, bank_units, patient, populations
):
    saved, _ = services.search_run(
        actor=people["coordinator"], patient=patient, request=SearchRequest()
    )
    old = saved.haplotype_set
    before = search_index.current()
    assert old is not None and old.pk in before.stores
    replaced = dict(SETS["CHN"])
    replaced[f"A*02:01~{REST}"], replaced[f"A*02:05~{REST}"] = 0.2, 0.2
    new = haplotype_set_load(
        actor=admin,
        population=populations["CHN"],
        filename="chn-2.csv",
        chunks=[frequency_csv(replaced)],
        source="test",
    )
    client.login(username=people["coordinator"].username, password=PASSWORD)
    page = client.get(reverse("cordblood:patient", args=[patient.pk])).content.decode()
    assert "saved with the set CHN v1, replaced by v2 on" in page

    index = search_index.current()
    assert old.pk not in index.stores and new.pk in index.stores
    chn_unit = bank_units["CHN-1"]
    assert index.store_of(chn_unit.pk) is index.stores[new.pk]
    expected = engine_prediction(chn_unit, new)
    assert expected.eight is not None and expected.eight.p0 == pytest.approx(0.5)

    answer = client.post(reverse("cordblood:search", args=[saved.pk]))
    assert answer.status_code == 302
    saved.refresh_from_db()
    assert saved.haplotype_set == new and saved.runs == 2
    page = client.get(answer["location"]).content.decode()
    assert "Search run again and recorded on" in page and "with the set CHN v2" in page
    page = client.get(reverse("cordblood:patient", args=[patient.pk])).content.decode()
    assert "Predictions changed" not in page
    found = api_search(client, people, patient)
    chn = next(r for r in found["kinds"]["cord"]["results"] if r["local_id"] == "CHN-1")
    assert chn["prediction"]["eight"]["p0"] == pytest.approx(0.5)
    assert chn["prediction"]["haplotype_set"]["label"] == "CHN v2"


def test_the_index_stores_follow_changed_and_withdrawn_units(people, cord_bank, bank_units):
    index = search_index.current()
    chn, eur = bank_units["CHN-1"], bank_units["EUR-1"]
    assert str(chn.pk) in index.store_of(chn.pk)
    # a delta upload retypes EUR-1 at high resolution; a full one without CHN-1 withdraws it
    upload(
        people["tech"],
        cord_bank,
        [
            unit_row("OTH-1", 1, tnc=100, population="OTH"),
            unit_row("EUR-1", 3, tnc=200, population="EUR"),
        ],
        mode="full",
    )
    index = search_index.current()
    assert index.store_of(chn.pk) is None
    assert all(str(chn.pk) not in store for store in index.stores.values())
    store = index.store_of(eur.pk)
    assert store is not None and store.frequencies is engine_set(
        HaplotypeSet.objects.get(population__code="EUR")
    )
    stored = store.get(str(eur.pk))
    fresh = hla_engine().impute(
        Unit.objects.get(pk=eur.pk).hla_gl,
        store.frequencies,
        top=store.top,
        cumulative=store.cumulative,
    )
    assert stored is not None and stored.pairs() == fresh.pairs()
    assert len(fresh) == 1  # A*02:01 now: one pair explains it


def test_a_snapshot_carries_the_stores_and_refuses_one_of_a_replaced_set(
    people, admin, bank_units, populations
):
    index = search_index.current()
    search_index.snapshot(index)
    search_index.forget()
    reopened = search_index.current()
    assert reopened is not index
    assert set(reopened.stores) == set(index.stores)
    eur = bank_units["EUR-1"].pk
    assert reopened.store_of(eur).get(str(eur)).pairs() == index.store_of(eur).get(str(eur)).pairs()
    new = haplotype_set_load(
        actor=admin,
        population=populations["EUR"],
        filename="eur-2.csv",
        chunks=[frequency_csv({**SETS["EUR"], H1: 0.3, f"A*11:01~{REST}": 0.3})],
        source="test",
    )
    search_index.forget()
    again = search_index.current()
    # the snapshot's EUR v1 store is not used any more: its units were imputed with v2
    assert again.store_of(eur) is again.stores[new.pk]
    assert len(again.stores) == 3


def test_adult_donors_typed_at_low_resolution_have_their_odds_beside_the_match(
    client, people, cord_bank, populations, patient
):
    adult = {"kind": "adult", "din": "", "din_check": "", "tnc": "", "cd34": "", "age": 30}
    upload(
        people["tech"],
        cord_bank,
        [
            unit_row("AD-HIGH", 11, **adult),
            unit_row("AD-LOW", 12, **adult, **LOW),
            unit_row("AD-EUR", 13, **adult, **LOW, population="EUR"),
        ],
    )
    found = api_search(client, people, patient, donor_type="adult", adult_rule="10/10")
    results = {r["local_id"]: r for r in found["kinds"]["adult"]["results"]}
    assert set(results) == {"AD-HIGH", "AD-LOW", "AD-EUR"}
    chn = HaplotypeSet.objects.get(population__code="CHN")
    units = {u.local_id: u for u in Unit.objects.filter(local_id__startswith="AD-")}
    for local_id, result in results.items():
        expected = engine_prediction(units[local_id], chn)
        assert result["prediction"]["ten"]["p0"] == pytest.approx(expected.ten.p0)
    assert results["AD-HIGH"]["prediction"]["ten"]["p0"] == pytest.approx(1.0)
    assert results["AD-LOW"]["prediction"]["ten"]["p0"] == pytest.approx(0.35 / 0.40)
    assert results["AD-EUR"]["prediction"]["ten"]["p0"] == pytest.approx(0.1 / 0.4)
    # likeliest first among the equal 10/10 potential matches
    assert [r["local_id"] for r in found["kinds"]["adult"]["results"]] == [
        "AD-HIGH",
        "AD-LOW",
        "AD-EUR",
    ]
    page = client.get(reverse("cordblood:search", args=[found["search"]])).content.decode()
    row = page.split(f'id="result-{results["AD-LOW"]["unit_id"]}"')[1].split("</tr>")[0]
    assert "87.5 %" in row and "P 2/2 88 %" in row
