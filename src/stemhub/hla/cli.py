"""``stemhub hla ...``: fetch, build, macs, match, impute and predict; ``stemhub haplobank plan``.
Never imports Django.

Exit status: 0 success, 1 bad input or reference data (message on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from stemhub.hla.batch import match_files, stderr_progress
from stemhub.hla.config import PINNED_RELEASE
from stemhub.hla.engine import HLAEngine
from stemhub.hla.errors import HLAError
from stemhub.hla.genotype import MATCH_LOCI
from stemhub.hla.haplobank import collapse, first_field, haplobank_plan
from stemhub.hla.imputation import DEFAULT_TOP
from stemhub.hla.imputation_batch import impute_file, predict_files
from stemhub.hla.macs import MacDictionary, mac_cache_path
from stemhub.hla.matching import PGroupMatcher
from stemhub.hla.parser import TypingParser
from stemhub.hla.tables import load_tables, load_tables_verbose

__all__ = ["haplobank_main", "main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stemhub hla", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    fetch = commands.add_parser("fetch", help="download an IPD-IMGT/HLA release into the cache")
    fetch.add_argument("--release", default=PINNED_RELEASE)
    fetch.add_argument("--branch", help="repository branch (default: release without dots)")

    commands.add_parser("build", help="(re)build the lookup tables of the configured release")

    macs = commands.add_parser("macs", help="load an NMDP MAC file (numer.v3.txt or CSV)")
    macs.add_argument("file", type=Path)

    match = commands.add_parser("match", help="match patients against donors (WMDA format)")
    match.add_argument("--patients", type=Path, required=True)
    match.add_argument("--donors", type=Path, required=True)
    match.add_argument("--loci", default=",".join(MATCH_LOCI))
    match.add_argument("--max-mismatches", type=int)
    match.add_argument("--out", type=Path, required=True)

    impute = commands.add_parser("impute", help="haplotype pairs of typings from frequencies")
    impute.add_argument("--freqs", type=Path, required=True, help="haplotype,count,frequency")
    impute.add_argument(
        "--freqs-format",
        choices=("csv", "haplomat"),
        default="csv",
        help="csv: haplotype,count,frequency; haplomat: Hapl-o-Mat's haplotype<TAB>frequency",
    )
    impute.add_argument("--typings", type=Path, required=True, help="ID%%GL lines")
    impute.add_argument("--out", type=Path, required=True)
    impute.add_argument("--top", type=int, default=DEFAULT_TOP, help="pairs kept per typing")

    predict = commands.add_parser("predict", help="P(0/1/2 mismatches) of patient-donor pairs")
    predict.add_argument("--freqs", type=Path, required=True, help="haplotype,count,frequency")
    predict.add_argument(
        "--freqs-format",
        choices=("csv", "haplomat"),
        default="csv",
        help="csv: haplotype,count,frequency; haplomat: Hapl-o-Mat's haplotype<TAB>frequency",
    )
    predict.add_argument("--patients", type=Path, required=True)
    predict.add_argument("--donors", type=Path, required=True)
    predict.add_argument("--out", type=Path, required=True)
    predict.add_argument("--top", type=int, default=DEFAULT_TOP, help="pairs kept per typing")
    return parser


def main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and usage errors
        return int(exc.code or 0)
    try:
        if args.command == "fetch":
            from stemhub.hla.fetch import fetch_release  # urllib: only this command needs it

            target = fetch_release(args.release, branch=args.branch)
            print(f"IPD-IMGT/HLA {args.release} downloaded to {target}")
        elif args.command == "build":
            loaded = load_tables_verbose(rebuild=True)
            print(
                f"built tables for IPD-IMGT/HLA {loaded.tables.release} at {loaded.path} "
                f"in {loaded.seconds:.2f} s"
            )
        elif args.command == "macs":
            macs = MacDictionary.from_file(args.file)
            macs.save(mac_cache_path())
            print(f"loaded {len(macs)} MACs from {args.file} into {mac_cache_path()}")
        elif args.command in ("impute", "predict"):
            return _impute_or_predict(args)
        else:
            return _match(args)
    except HLAError as exc:
        print(f"stemhub hla {args.command}: error: {exc}", file=sys.stderr)
        return 1
    return 0


def _match(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    loci = tuple(locus.strip() for locus in args.loci.split(",") if locus.strip())
    tables = load_tables()
    unknown = [locus for locus in loci if locus not in tables.loci]
    if not loci or unknown or len(set(loci)) != len(loci):
        raise HLAError(f"--loci {args.loci!r}: give distinct known loci, e.g. A,B,C,DRB1,DQB1")
    if args.max_mismatches is not None and args.max_mismatches < 0:
        raise HLAError("--max-mismatches must be 0 or more")
    parser = TypingParser(tables, MacDictionary.cached())
    summary = match_files(
        args.patients,
        args.donors,
        args.out,
        parser=parser,
        matcher=PGroupMatcher(tables),
        loci=loci,
        max_mismatches=args.max_mismatches,
        progress=stderr_progress,
    )
    stderr_progress(
        f"{summary.rows} rows for {summary.patients} patients x {summary.donors} donors "
        f"written to {args.out} in {time.perf_counter() - started:.2f} s "
        f"(IPD-IMGT/HLA {summary.release})"
    )
    return 0


def _impute_or_predict(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.top < 1:
        raise HLAError("--top must be 1 or more")

    def say(message: str) -> None:
        print(f"stemhub hla {args.command}: {message}", file=sys.stderr, flush=True)

    engine = HLAEngine.load()
    frequencies = engine.load_frequencies(args.freqs, format=args.freqs_format)
    say(
        f"{len(frequencies)} haplotypes at {','.join(frequencies.loci)} "
        f"({frequencies.resolution.replace('_', '-')}) from {args.freqs}"
    )
    if args.command == "impute":
        summary = impute_file(
            args.typings, args.out, engine=engine, frequencies=frequencies, top=args.top
        )
        what = f"{summary.rows} pairs for {summary.typings} typings"
    else:
        summary = predict_files(
            args.patients,
            args.donors,
            args.out,
            engine=engine,
            frequencies=frequencies,
            top=args.top,
            progress=say,
        )
        what = f"{summary.rows} patient-donor rows"
    if summary.inexplicable:
        shown = ", ".join(summary.inexplicable[:10])
        more = (
            f" and {len(summary.inexplicable) - 10} more" if len(summary.inexplicable) > 10 else ""
        )
        say(
            f"{len(summary.inexplicable)} typings no haplotype pair of the set explains "
            f"(inexplicable): {shown}{more}"
        )
    say(
        f"{what} written to {args.out} in {time.perf_counter() - started:.2f} s "
        f"(IPD-IMGT/HLA {engine.release})"
    )
    return 0


def _haplobank_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stemhub haplobank",
        description="Plan an HLA haplobank: the homozygous haplotypes that serve most of a "
        "population with no host-versus-graft mismatch, best first.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="rank homozygous haplotypes by the share they serve")
    plan.add_argument("--freqs", type=Path, required=True, help="haplotype,count,frequency")
    plan.add_argument(
        "--freqs-format",
        choices=("csv", "haplomat"),
        default="csv",
        help="csv: haplotype,count,frequency; haplomat: Hapl-o-Mat's haplotype<TAB>frequency",
    )
    plan.add_argument("--loci", default="A,B,DRB1", help="the loci the lines match at")
    plan.add_argument(
        "--resolution",
        choices=("set", "first-field"),
        default="set",
        help="compare alleles as the set writes them, or by their first field (allele group)",
    )
    plan.add_argument("--top", type=int, help="lines in the plan (default: every haplotype)")
    plan.add_argument("--format", choices=("text", "csv"), default="text")
    plan.add_argument("--out", type=Path, help="file to write (default: standard output)")
    return parser


def haplobank_main(argv: list[str]) -> int:
    """``stemhub haplobank plan``: the plan as CSV
    (``rank,haplotype,frequency,coverage,cumulative_coverage``) or as a table to read."""
    try:
        args = _haplobank_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.top is not None and args.top < 1:
            raise HLAError("--top must be 1 or more")
        engine = HLAEngine.load()
        frequencies = engine.load_frequencies(args.freqs, format=args.freqs_format)
        loci = [locus.strip() for locus in args.loci.split(",") if locus.strip()]
        missing = [locus for locus in loci if locus not in frequencies.loci]
        if not loci or missing or len(set(loci)) != len(loci):
            raise HLAError(
                f"--loci {args.loci!r}: give distinct loci of the set "
                f"({','.join(frequencies.loci)})"
            )
        collapsed = collapse(
            zip(frequencies.haplotypes, frequencies.frequency.tolist(), strict=True),
            loci,
            reduce=first_field if args.resolution == "first-field" else None,
        )
        plan = haplobank_plan(collapsed, top=args.top)
    except HLAError as exc:
        print(f"stemhub haplobank {args.command}: error: {exc}", file=sys.stderr)
        return 1
    if args.format == "csv":
        lines = ["rank,haplotype,frequency,coverage,cumulative_coverage"] + [
            f"{p.rank},{p.haplotype},{p.frequency:.6g},{p.coverage:.6g},{p.cumulative_coverage:.6g}"
            for p in plan
        ]
    else:
        width = max((len(p.haplotype) for p in plan), default=9)
        lines = [
            f"{len(collapsed)} haplotypes at {'~'.join(loci)} from {args.freqs} "
            f"(IPD-IMGT/HLA {engine.release})",
            f"{'rank':>5}  {'haplotype':<{width}}  {'frequency':>9}  {'serves':>7}  "
            f"{'bank serves':>11}",
        ] + [
            f"{p.rank:>5}  {p.haplotype:<{width}}  {p.frequency:>9.5f}  {p.coverage:>7.2%}  "
            f"{p.cumulative_coverage:>11.2%}"
            for p in plan
        ]
    text = "\n".join(lines) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text)
    return 0
