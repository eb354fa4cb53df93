"""Imputation of generated typings against the CAU set, and (optionally) NMDP's py-graph-imputation.

Typings come from benchmarks/hla_donors.py (two CAU haplotypes each, ~60 % high resolution, 20 %
allele lists / G groups, 10 % MACs, 10 % serology / XX, some untyped C and DQB1). Prints the
engine's figures: the whole process as ``stemhub hla impute`` runs it (engine load, set load,
parse, impute, write), and imputation alone (typings/s, top 2,000 pairs kept).

``--grim PYTHON`` also runs py-graph-imputation (``pip install py-graph-imputation`` into a
scratch virtualenv; pass its python) on the same typings. GRIMM expands neither MACs, XX codes,
serology nor G groups, so both tools are then timed on the same input rewritten as two-field
allele lists (each position expanded through the engine and kept to the set's alleles): the
engine through ``stemhub hla impute``, GRIMM through ``grim.graph_freqs`` (graph build, timed
apart) and ``grim.impute``, each as a whole process.

Whole-process figures are medians of ``--runs`` runs (the two tools interleaved); the set's
validation is cached after the first run on a file (`read_frequency_set`), whose time is
printed apart.

    python benchmarks/imputation.py [--count 1000] [--runs 3] [--grim /tmp/grim-venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _hla_common import MAC_SUBSET, REPO_ROOT, WORK, environment, generated

CAU = REPO_ROOT.parent / "shared" / "hla" / "CAU.freqs.gz"
PYTHON = sys.executable

GRIM_SCRIPT = """
import json, os, time
from grim import grim
conf = os.environ["GRIM_CONF"]  # grim parses sys.argv itself
started = time.perf_counter()
grim.graph_freqs(conf_file=conf)
built = time.perf_counter()
grim.impute(conf_file=conf)
done = time.perf_counter()
print(json.dumps({"graph": built - started, "impute": done - built}))
"""


def _stemhub(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "-c", "import sys; from stemhub.hla.cli import main; sys.exit(main(sys.argv[1:]))",
         *args],
        check=True,
        env={**environment(), "PYTHONPATH": str(REPO_ROOT / "src")},
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def _runs(seconds: list[float]) -> str:
    """Median, then every run."""
    return f"{statistics.median(seconds):.2f} s (runs {' / '.join(f'{s:.2f}' for s in seconds)})"


def _in_process(typings: Path) -> tuple[float, int, int]:
    from stemhub.hla import HLAEngine, MacDictionary

    engine = HLAEngine.load(macs=MacDictionary.from_file(MAC_SUBSET))
    cau = engine.load_frequencies(CAU)
    lines = [line.strip().partition("%") for line in typings.read_text().splitlines()]
    started = time.perf_counter()
    inexplicable = pairs = 0
    for _, _, gl in lines:
        result = engine.impute(gl, cau)
        inexplicable += result.inexplicable
        pairs += len(result)
    return time.perf_counter() - started, inexplicable, pairs


def _two_field_lists(typings: Path, out: Path) -> None:
    """Each position as a list of the set's two-field alleles it allows (GRIMM's input form)."""
    from stemhub.hla import HLAEngine, MacDictionary

    engine = HLAEngine.load(macs=MacDictionary.from_file(MAC_SUBSET))
    cau = engine.load_frequencies(CAU)
    keys: dict[str, list[str]] = {}
    for column in range(len(cau.loci)):
        names = cau.alleles[column]
        for allele, code in enumerate(cau.allele_code[column].tolist()):
            if code >= 0:
                keys.setdefault(str(allele), []).append(names[code])
    rows = []
    for line in typings.read_text().splitlines():
        identifier, _, gl = line.strip().partition("%")
        loci = []
        for locus, locus_typing in engine.parse(gl).loci.items():
            left, right = locus_typing.genotypes[0]
            lists = []
            for position in (left, right):
                names = sorted({n for a in position.alleles for n in keys.get(str(a), [])})
                lists.append("/".join(names) or f"{locus}*NEW")
            loci.append("+".join(lists))
        rows.append(f"{identifier}%{'^'.join(loci)}\n")
    out.write_text("".join(rows))


def _grim(python: str, typings: Path, work: Path, top: int) -> dict[str, float]:
    (work / "data" / "freqs").mkdir(parents=True, exist_ok=True)
    shutil.copy(CAU, work / "data" / "freqs" / "CAU.freqs.gz")
    subjects = work / "data" / "subjects.csv"
    subjects.write_text(
        "".join(
            f"{i},{gl},CAU,CAU\n"
            for i, _, gl in (line.partition("%") for line in typings.read_text().splitlines())
        )
    )
    conf = {
        "populations": ["CAU"],
        "freq_trim_threshold": 1e-12,
        "priority": {"alpha": 0.4999999, "eta": 0, "beta": 1e-7, "gamma": 1e-7, "delta": 0.4999999},
        "UNK_priors": "MR",
        "FULL_LOCI": "ABCQR",
        "loci_map": {"A": 1, "B": 2, "C": 3, "DQB1": 4, "DRB1": 5},
        "factor_missing_data": 0.0001,
        "planb": False,
        "number_of_options_threshold": 100000,
        "epsilon": 1e-3,
        "number_of_results": top,
        "number_of_pop_results": 100,
        "output_MUUG": False,
        "output_haplotypes": True,
        "freq_data_dir": "data/freqs",
        "graph_files_path": "output/csv/",
        "node_csv_file": "nodes.csv",
        "edges_csv_file": "edges.csv",
        "info_node_csv_file": "info_node.csv",
        "top_links_csv_file": "top_links.csv",
        "imputation_in_file": "data/subjects.csv",
        "imputation_out_path": "output",
        "imputation_out_umug_freq_filename": "out.umug",
        "imputation_out_umug_pops_filename": "out.umug.pops",
        "imputation_out_hap_freq_filename": "out.pmug",
        "imputation_out_hap_pops_filename": "out.pmug.pops",
        "imputation_out_miss_filename": "out.miss",
        "imputation_out_problem_filename": "out.problem",
        "max_haplotypes_number_in_phase": 100,
        "pops_count_file": "output/pop_counts_file.txt",
        "freq_file": "output/hpf.csv",
        "save_space_mode": False,
    }
    (work / "output" / "csv").mkdir(parents=True, exist_ok=True)
    (work / "conf.json").write_text(json.dumps(conf))
    subprocess.run(
        [python, "-c", "from graph_generation.generate_hpf import produce_hpf; "
         "produce_hpf('conf.json')"],
        cwd=work, check=True, capture_output=True,
    )  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(
        [python, "-c", GRIM_SCRIPT],
        cwd=work,
        check=True,
        capture_output=True,
        env={"GRIM_CONF": "conf.json", "PATH": "/usr/bin:/bin"},
    )
    whole = time.perf_counter() - started
    figures: dict[str, float] = json.loads(result.stdout.decode().strip().splitlines()[-1])
    figures["whole"] = whole
    imputed = work / "output" / "out.pmug"
    figures["typings_out"] = (
        len({line.split(",")[0] for line in imputed.read_text().splitlines() if line})
        if imputed.exists()
        else 0
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--top", type=int, default=2000)
    parser.add_argument("--grim", help="python of a virtualenv with py-graph-imputation")
    parser.add_argument("--runs", type=int, default=3, help="whole-process runs of each tool")
    args = parser.parse_args(argv)
    environment()
    sys.path.insert(0, str(REPO_ROOT / "src"))
    typings = generated(args.count, seed=args.seed, prefix="I")
    mac_cache = WORK / "cache" / "macs" / "macs.npz"
    if not mac_cache.exists():
        _stemhub("macs", str(MAC_SUBSET))

    seconds, inexplicable, pairs = _in_process(typings)
    print(
        f"imputation alone: {args.count} mixed-resolution typings in {seconds:.2f} s = "
        f"{args.count / seconds:,.0f} typings/s ({pairs} pairs kept, {inexplicable} inexplicable)"
    )
    out = WORK / "imputed.tsv"
    impute = ("impute", "--freqs", str(CAU), "--typings", str(typings), "--out", str(out),
              "--top", str(args.top))  # fmt: skip
    shutil.rmtree(WORK / "cache" / "frequencies", ignore_errors=True)
    cold = _stemhub(*impute)
    whole = [_stemhub(*impute) for _ in range(args.runs)]
    print(
        f"stemhub hla impute, whole process: {_runs(whole)} = "
        f"{args.count / statistics.median(whole):,.0f} typings/s; first run on the set "
        f"(validates it and caches the result) {cold:.2f} s"
    )

    if args.grim:
        lists = WORK / f"imputation-lists-{args.count}-{args.seed}.txt"
        _two_field_lists(typings, lists)
        on_lists = ("impute", "--freqs", str(CAU), "--typings", str(lists), "--out",
                    str(WORK / "imputed-lists.tsv"), "--top", str(args.top))  # fmt: skip
        ours, theirs = [], []
        for _ in range(args.runs):  # interleaved, so both see the same load on the machine
            ours.append(_stemhub(*on_lists))
            with tempfile.TemporaryDirectory(dir=WORK) as scratch:
                theirs.append(_grim(args.grim, lists, Path(scratch), args.top))
        grim_whole = [run["whole"] for run in theirs]
        last = theirs[-1]
        print(
            f"same typings as two-field lists: stemhub hla impute {_runs(ours)}; "
            f"py-graph-imputation {_runs(grim_whole)} whole (last run: graph build "
            f"{last['graph']:.2f} s, imputation {last['impute']:.2f} s, "
            f"{int(last['typings_out'])} typings with output): "
            f"{statistics.median(grim_whole) / statistics.median(ours):.1f}x the engine's time "
            f"(medians)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
