"""Cord search over the imported units through the API: ranked, with doses, flags and match
predictions (P(10/10), P(8/8), per locus) for every returned unit.

    .venv/bin/python benchmarks/cord_search.py [--patients 50] [--no-tie-ranking]
        [--database-url URL]

Uses the database `cord_import.py` left under var/bench/cord/ (run it first). The CAU haplotype
frequencies (``../shared/hla/CAU.freqs.gz``) are loaded as the set of population CAU, the
default, so every unit and patient is imputed with them. Timed first: imputing every available
unit into one `ImputationStore` (what the index does when it is built or a set is replaced),
then the first `index.current()` (snapshot, re-imputation if the set is new to it). Patients
are generated typings of another seed; each search is one POST
/api/v1/cord/patients/{id}/searches through the whole Django stack in-process
(django.test.Client), after one warm-up search. Prints p50/p95/max, the predictions made per
search and the result counts.
"""

import argparse
import os
import statistics
import time

from cord_common import WORK, default_population_set, hla_donors, setup_django


def _impute_all() -> None:
    from stemhub.cordblood.models import Unit, UnitStatus
    from stemhub.core.hla import engine
    from stemhub.hla import ImputationStore
    from stemhub.populations.selectors import engine_set, set_for

    frequencies = engine_set(set_for(None))
    rows = list(
        Unit.objects.filter(status=UnitStatus.AVAILABLE)
        .exclude(hla_gl="")
        .values_list("pk", "hla_gl")
    )
    store = ImputationStore(engine(), frequencies)
    started, cpu = time.perf_counter(), time.process_time()
    store.put_many((str(pk), gl) for pk, gl in rows)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"imputing {len(rows):,} units ({store.distinct_imputations:,} distinct imputations, "
        f"{store.stored_pairs:,} pairs): {seconds:.1f} s (CPU {cpu:.1f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--no-tie-ranking", action="store_true")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    setup_django(args.database_url or f"sqlite:///{WORK / 'cord.sqlite3'}")
    from django.test import Client

    from stemhub.accounts.models import Institution, Role, RoleGrant, User
    from stemhub.cordblood import index as search_index
    from stemhub.cordblood import services

    haplotype_set, loaded = default_population_set(hla_donors.HAPLOTYPES)
    print(f"haplotype set {haplotype_set} ({'loaded now' if loaded else 'loaded before'})")
    _impute_all()
    started = time.perf_counter()
    index = search_index.current()
    print(
        f"first index.current() (snapshot + delta + imputations as needed): "
        f"{time.perf_counter() - started:.1f} s; {len(index.stores)} store(s), "
        f"{sum(len(s) for s in index.stores.values()):,} units imputed"
    )
    centre = Institution.objects.get_or_create(
        provider_code="UHTC",
        defaults={"name": "Bench Transplant Centre", "kind": "transplant_centre"},
    )[0]
    user = User.objects.filter(username="bench-coordinator").first()
    if user is None:
        user = User.objects.create_user("bench-coordinator", institution=centre)
        RoleGrant.objects.create(user=user, role=Role.SEARCH_COORDINATOR)
    patients = []
    for number, (pid, gl) in enumerate(hla_donors.generate(args.patients + 1, seed=99, prefix="P")):
        found = services.Patient.objects.filter(centre=centre, centre_patient_id=pid).first()
        patients.append(
            found
            or services.patient_create(
                actor=user,
                data={"centre_patient_id": pid, "weight_kg": 15 + number % 50, "hla": gl},
            )
        )
    client = Client()
    client.force_login(user)
    seconds, cpu, found, predicted = [], [], [], []
    for number, patient in enumerate(patients):
        started, cpu_started = time.perf_counter(), time.process_time()
        answer = client.post(
            f"/api/v1/cord/patients/{patient.pk}/searches",
            data={"limit": 20, "rank_ties_by_probability": not args.no_tie_ranking},
            content_type="application/json",
        )
        elapsed, cpu_elapsed = time.perf_counter() - started, time.process_time() - cpu_started
        assert answer.status_code == 200, answer.content[:300]
        if number == 0:
            print(f"warm-up (engine + index load): {elapsed:.2f} s")
            continue
        cord = answer.json()["kinds"]["cord"]
        seconds.append(elapsed)
        cpu.append(cpu_elapsed)
        found.append(sum(cord["counts"].values()))
        predicted.append(sum(1 for r in cord["results"] if r["prediction"] is not None))
    seconds.sort()
    print(
        f"cord search with predictions (tie ranking {'off' if args.no_tie_ranking else 'on'}), "
        f"{len(seconds)} patients: p50 {statistics.median(seconds) * 1000:.0f} ms, "
        f"p95 {seconds[int(len(seconds) * 0.95)] * 1000:.0f} ms, max {seconds[-1] * 1000:.0f} ms; "
        f"results with a prediction per search: median {statistics.median(predicted):.0f}; "
        f"potential matches per patient: median {statistics.median(found):,.0f}, "
        f"max {max(found):,}; CPU p50 {statistics.median(cpu) * 1000:.0f} ms, load average "
        f"{os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
