"""Reference-table build and load times for the configured IPD-IMGT/HLA release.

    .venv/bin/python benchmarks/hla_tables.py

Targets: build <= 60 s, load from the cache <= 1 s (both in a fresh process).
"""

from __future__ import annotations

import subprocess
import sys

from _hla_common import environment

BUILD = (
    "from stemhub.hla.tables import load_tables_verbose; r = load_tables_verbose(rebuild=True);"
    "print(f'{r.seconds:.3f} {r.tables.release} {r.path}')"
)
LOAD = (
    "import time; s = time.perf_counter(); from stemhub.hla import HLAEngine;"
    "e = HLAEngine.load(); e.parse('A*02:01+A*01:01^B*08:01+B44^DRB1*15:XX+DR4');"
    "print(f'{time.perf_counter() - s:.3f} {e.release}')"
)


def run(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment(), check=True, capture_output=True, text=True
    )
    return result.stdout.split()


def main() -> int:
    build_seconds, release, path = run(BUILD)
    print(f"IPD-IMGT/HLA {release}: tables built in {float(build_seconds):.2f} s -> {path}")
    loads = [float(run(LOAD)[0]) for _ in range(3)]
    print(
        "engine load (import + tables + first parse), fresh process: "
        f"{[round(x, 3) for x in loads]} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
