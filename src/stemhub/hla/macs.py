"""NMDP multiple allele codes (MACs): loading, caching and expansion.

Two input formats are accepted:

* NMDP's published dictionary (``numer.v3.txt`` / ``alpha.v3.txt``): one ``CODE<TAB>EXPANSION``
  per line after a free-text header, optionally with a leading ``*`` column;
* the CSV subset Atlas ships (``Code,...,HLA,...,IsGeneric,...``; ``#`` comment lines).

A generic code lists second fields (``01/02``) that go under the typed first field; a specific
code lists whole first:second names (``01:01/02:01``). The NMDP file has no generic flag, so a
code is generic there exactly when its expansion has no ``:``.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from stemhub.hla.config import cache_dir
from stemhub.hla.errors import HLAError, UnknownMACError
from stemhub.hla.npzfile import save_npz

__all__ = ["MacDictionary", "mac_cache_path"]

_CODE = re.compile(r"^[A-Z]{2,5}$")
_EXPANSION = re.compile(r"^[0-9A-Z:]+(/[0-9A-Z:]+)*$")


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


@dataclass(frozen=True, slots=True)
class MacEntry:
    code: str
    expansion: tuple[str, ...]
    generic: bool


class MacDictionary:
    """Code -> expansion, held as sorted arrays so a million codes load without a dict."""

    def __init__(self, codes: list[str], expansions: list[str], generic: list[bool]) -> None:
        order = np.argsort(np.array(codes, dtype=str), kind="stable")
        self._codes = np.array(codes, dtype=str)[order]
        # Expansions as one UTF-8 blob plus offsets: a fixed-width unicode array would be padded
        # to the longest expansion (3,273 characters in the Atlas subset: 164 MB for 12,527).
        self._expansions, self._offsets = _pack([expansions[i] for i in order.tolist()])
        self._generic = np.array(generic, dtype=bool)[order]

    def __len__(self) -> int:
        return int(self._codes.size)

    def lookup(self, code: str) -> MacEntry:
        position = int(np.searchsorted(self._codes, code))
        if position >= self._codes.size or self._codes[position] != code:
            raise UnknownMACError(code, "not in the loaded MAC dictionary")
        start, stop = int(self._offsets[position]), int(self._offsets[position + 1])
        return MacEntry(
            code,
            tuple(self._expansions[start:stop].tobytes().decode().split("/")),
            bool(self._generic[position]),
        )

    # ---- reading the published formats ------------------------------------------------------

    @classmethod
    def from_file(cls, path: Path) -> MacDictionary:
        with _open_text(path) as handle:
            text = handle.read()
        first = next((ln for ln in text.splitlines() if ln and not ln.startswith("#")), "")
        if first.lower().startswith("code,"):
            return cls._from_csv(text, path)
        return cls._from_nmdp(text, path)

    @classmethod
    def _from_csv(cls, text: str, path: Path) -> MacDictionary:
        lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
        codes, expansions, generic = [], [], []
        for row in csv.DictReader(lines):
            code, expansion = row.get("Code", ""), row.get("HLA", "")
            if not _CODE.match(code) or not _EXPANSION.match(expansion):
                raise HLAError(f"{path}: malformed MAC row {row!r}")
            codes.append(code)
            expansions.append(expansion)
            generic.append((row.get("IsGeneric") or "").strip().lower() == "true")
        return cls(codes, expansions, generic)

    @classmethod
    def _from_nmdp(cls, text: str, path: Path) -> MacDictionary:
        codes, expansions, generic = [], [], []
        for line in text.splitlines():
            parts = line.split()
            if parts[:1] == ["*"]:
                parts = parts[1:]
            # The header ("CODE SUBTYPE") and notes fail these patterns and are skipped.
            if len(parts) != 2 or not _CODE.match(parts[0]) or not _EXPANSION.match(parts[1]):
                continue
            if not any(ch.isdigit() for ch in parts[1]):
                continue
            codes.append(parts[0])
            expansions.append(parts[1])
            generic.append(":" not in parts[1])
        if not codes:
            raise HLAError(f"{path}: no MAC entries found (expected CODE<TAB>EXPANSION lines)")
        return cls(codes, expansions, generic)

    # ---- cache ------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        save_npz(
            path,
            {
                "codes": self._codes,
                "expansions_utf8": self._expansions,
                "expansions_offsets": self._offsets,
                "generic": self._generic,
            },
        )

    @classmethod
    def open(cls, path: Path) -> MacDictionary:
        with np.load(path, allow_pickle=False) as data:
            mac = cls.__new__(cls)
            mac._codes = data["codes"]
            if "expansions" in data.files:  # written before expansions were packed
                mac._expansions, mac._offsets = _pack(data["expansions"].tolist())
            else:
                mac._expansions = data["expansions_utf8"]
                mac._offsets = data["expansions_offsets"]
            mac._generic = data["generic"]
            return mac

    @classmethod
    def cached(cls) -> MacDictionary | None:
        path = mac_cache_path()
        return cls.open(path) if path.is_file() else None


def _pack(strings: list[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """Strings as one UTF-8 blob plus byte offsets."""
    encoded = [text.encode() for text in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def mac_cache_path() -> Path:
    return cache_dir() / "macs" / "macs.npz"
