"""A streaming reader of the Cellosaurus flat file (cellosaurus.txt).

Pure Python, no Django: `read_release` finds the release in the header, `iter_blocks` cuts the
file into entries (ending with `//`) without holding the file in memory, and `parse_entry`
turns one block into an `Entry` or raises `MalformedEntry` naming the offending line.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import IO

STEM_CELL_CATEGORIES = frozenset({"Embryonic stem cell", "Induced pluripotent stem cell"})

# Line codes of the format (the file header lists them); others are skipped so that a newer
# release with a new code still imports.
KNOWN_CODES = frozenset(
    {"ID", "AC", "AS", "SY", "DR", "RX", "WW", "CC", "ST", "DI", "OX", "HI", "OI", "SX", "AG"}
    | {"CA", "DT"}
)
ONCE = ("ID", "AC", "AS", "SY", "SX", "AG", "CA")

ACCESSION = re.compile(r"^CVCL_[A-Z0-9]{4,6}$")
LINE = re.compile(r"^([A-Z][A-Z])   (.*)$")
SPECIES = re.compile(r"^NCBI_TaxID=(\d+); ! ([^(]+?)(?: \(.*\))?$")
LINK = re.compile(r"^(CVCL_[A-Z0-9]{4,6}) ! (.+)$")
STR_VALUE = re.compile(r"^([^()]+?)(?: \(([^()]+)\))?$")
ALLELE = re.compile(r"^(?:\d{1,3}(?:\.\d{1,2})?|X|Y|Not_detected|ND)$")
HLA_LOCUS = re.compile(r"^([A-Z][A-Z0-9]*)\*(.+)$")
HLA_SOURCE = re.compile(r"^(.*?)\s*\(([^()]*)\)\.?$")
VERSION = re.compile(r"^\s*Version:\s*(\S+)")


# The file's declared limits: a line of the format is at most a few thousand characters and an
# entry a few hundred lines; the release's entry count (about 160,000) is not capped.
MAX_LINE = 10_000  # characters
MAX_ENTRY_LINES = 5_000


class FileTooLarge(ValueError):
    """The file crossed one of its declared limits (MAX_LINE, MAX_ENTRY_LINES): no entry of it
    is imported."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def bounded_lines(handle: IO[str], max_line: int = MAX_LINE) -> Iterator[str]:
    """The lines of an open text file, refusing (FileTooLarge) one longer than `max_line`
    characters before more of it is read into memory."""
    for number in count(1):
        text = handle.readline(max_line + 2)  # the limit, the newline, and one too many
        if not text:
            return
        if len(text.rstrip("\r\n")) > max_line:
            raise FileTooLarge(number, f"longer than {max_line:,} characters")
        yield text


class MalformedEntry(ValueError):
    """An entry the import cannot read; `line` is the 1-based line number in the file."""

    def __init__(self, line: int, message: str, *, entry_id: str = "", entry_line: int = 0):
        self.line = line
        self.entry_id = entry_id
        self.entry_line = entry_line or line
        self.reason = message
        where = f"entry {entry_id!r} starting at line {self.entry_line}" if entry_id else "entry"
        super().__init__(f"line {line}: {message} ({where})")


@dataclass(frozen=True)
class StrLocus:
    """One locus: alternatives (allele lists) with the sources behind each, in file order."""

    alternatives: tuple[tuple[str, ...], ...]
    sources: tuple[tuple[str, ...], ...]


@dataclass
class Entry:
    line: int
    id: str
    accession: str
    category: str = ""
    secondary_accessions: list[str] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    xrefs: list[tuple[str, str]] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)
    str_sources: list[str] = field(default_factory=list)
    str_loci: dict[str, StrLocus] = field(default_factory=dict)
    diseases: list[tuple[str, str, str]] = field(default_factory=list)
    species: list[tuple[str, str]] = field(default_factory=list)
    parents: list[tuple[str, str]] = field(default_factory=list)
    same_donor: list[tuple[str, str]] = field(default_factory=list)
    sex: str = ""
    age: str = ""

    @property
    def is_stem_cell(self) -> bool:
        return self.category in STEM_CELL_CATEGORIES

    @property
    def hla_comment(self) -> str:
        return next((text for topic, text in self.comments if topic == "HLA typing"), "")


@dataclass
class Block:
    """The raw lines of one entry: (line number, text) pairs, `terminated` when `//` ended it."""

    lines: list[tuple[int, str]]
    terminated: bool


def read_release(lines: Iterable[str]) -> str:
    """The `Version:` of the header, or "" when the file has no header."""
    for text in lines:
        if text.startswith("ID   "):
            return ""
        if match := VERSION.match(text):
            return match.group(1)
    return ""


def iter_blocks(lines: Iterable[str]) -> Iterator[Block]:
    """The entries of the file, one block each; the header before the first `ID` is skipped."""
    current: list[tuple[int, str]] = []
    in_entries = False
    for number, raw in enumerate(lines, start=1):
        text = raw.rstrip("\r\n")
        if not in_entries:
            if not text.startswith("ID   "):
                continue
            in_entries = True
        if text == "//":
            yield Block(current or [(number, text)], terminated=True)
            current = []
        elif text.strip() or current:
            current.append((number, text))
            if len(current) > MAX_ENTRY_LINES:
                raise FileTooLarge(
                    current[0][0], f"an entry longer than {MAX_ENTRY_LINES:,} lines (no //)"
                )
    if current and any(t.strip() for _, t in current):
        yield Block(current, terminated=False)


def _logical_lines(block: Block) -> list[tuple[int, str, str]]:
    """(line number, code, value) with continuation lines (indented) joined to the previous."""
    out: list[tuple[int, str, str]] = []
    for number, text in block.lines:
        if not text.strip():
            continue
        if text[:1] == " " and out:
            n, code, value = out[-1]
            out[-1] = (n, code, f"{value} {text.strip()}")
            continue
        match = LINE.match(text)
        if match is None:
            raise MalformedEntry(number, f"not a Cellosaurus line: {text[:60]!r}")
        code, value = match.groups()
        if value[:1] == " " and out and out[-1][1] == code:
            n, _, previous = out[-1]
            out[-1] = (n, code, f"{previous} {value.strip()}")
            continue
        out.append((number, code, value.strip()))
    return out


def parse_entry(block: Block) -> Entry:
    first_line = block.lines[0][0]
    logical = _logical_lines(block)
    if not logical or logical[0][1] != "ID":
        raise MalformedEntry(first_line, "an entry must start with an ID line")
    entry = Entry(line=first_line, id=logical[0][2], accession="")

    def fail(number: int, message: str) -> MalformedEntry:
        return MalformedEntry(number, message, entry_id=entry.id, entry_line=first_line)

    if not block.terminated:
        raise fail(block.lines[-1][0], "the entry does not end with '//'")
    seen: set[str] = set()
    str_values: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for number, code, value in logical:
        if code in ONCE:
            if code in seen:
                raise fail(number, f"{code} may occur only once per entry")
            seen.add(code)
        if code not in KNOWN_CODES:
            continue
        if not value:
            raise fail(number, f"empty {code} line")
        if code == "ID":
            entry.id = value
        elif code == "AC":
            if not ACCESSION.match(value):
                raise fail(number, f"AC {value!r} is not a Cellosaurus accession (CVCL_xxxx)")
            entry.accession = value
        elif code == "AS":
            entry.secondary_accessions = [a.strip() for a in value.split(";") if a.strip()]
        elif code == "SY":
            entry.synonyms = [s.strip() for s in value.split("; ") if s.strip()]
        elif code == "DR":
            database, sep, accession = value.partition("; ")
            if not sep or not database.strip() or not accession.strip():
                raise fail(number, f"DR must read 'database; identifier', not {value!r}")
            entry.xrefs.append((database.strip(), accession.strip()))
        elif code == "CC":
            topic, sep, text = value.partition(": ")
            entry.comments.append((topic, text) if sep else ("", value))
        elif code == "ST":
            _parse_str_line(entry, value, str_values, number, fail)
        elif code == "DI":
            parts = [p.strip() for p in value.split("; ", 2)]
            if len(parts) != 3 or parts[0] not in ("NCIt", "ORDO") or not all(parts):
                raise fail(number, f"DI must read 'NCIt|ORDO; id; label', not {value!r}")
            entry.diseases.append((parts[0], parts[1], parts[2]))
        elif code == "OX":
            match = SPECIES.match(value)
            if match is None:
                raise fail(number, f"OX must read 'NCBI_TaxID=n; ! Species', not {value!r}")
            entry.species.append((match.group(1), match.group(2).strip()))
        elif code in ("HI", "OI"):
            match = LINK.match(value)
            if match is None:
                raise fail(number, f"{code} must read 'CVCL_xxxx ! name', not {value!r}")
            link = (match.group(1), match.group(2).strip())
            (entry.parents if code == "HI" else entry.same_donor).append(link)
        elif code == "SX":
            entry.sex = value
        elif code == "AG":
            entry.age = value
        elif code == "CA":
            entry.category = value
    for required in ("AC", "CA"):
        if required not in seen:
            raise fail(first_line, f"the entry has no {required} line")
    if not entry.species:
        raise fail(first_line, "the entry has no OX line")
    if str_values and not entry.str_sources:
        raise fail(first_line, "STR data without a 'Source(s):' line")
    entry.str_loci = {
        locus: StrLocus(tuple(a for a, _ in values), tuple(s for _, s in values))
        for locus, values in sorted(str_values.items())
    }
    return entry


def _parse_str_line(
    entry: Entry,
    value: str,
    str_values: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]],
    number: int,
    fail: Callable[[int, str], MalformedEntry],
) -> None:
    locus, sep, data = value.partition(": ")
    if not sep or not locus.strip() or not data.strip():
        raise fail(number, f"ST must read 'Locus: alleles', not {value!r}")
    if locus == "Source(s)":
        entry.str_sources = [s.strip() for s in data.split(";") if s.strip()]
        return
    match = STR_VALUE.match(data.strip())
    if match is None:
        raise fail(number, f"unreadable STR value {data!r}")
    alleles = tuple(a.strip() for a in match.group(1).split(","))
    bad = [a for a in alleles if not ALLELE.match(a)]
    if bad:
        raise fail(number, f"STR locus {locus}: {', '.join(bad) or 'empty'} is not an allele")
    sources = tuple(s.strip() for s in (match.group(2) or "").split(";") if s.strip())
    if not sources:
        sources = tuple(entry.str_sources)
    str_values.setdefault(locus.strip(), []).append((alleles, sources))


def iter_entries(lines: Iterable[str]) -> Iterator[Entry | MalformedEntry]:
    """Each entry parsed, or the error that stopped it (the caller decides whether to go on)."""
    for block in iter_blocks(lines):
        try:
            yield parse_entry(block)
        except MalformedEntry as error:
            yield error


# Mapping helpers shared by the importer.


def hla_gl_string(comment: str) -> str:
    """`A*02:01,02:06; B*40:01,67:01 (source).` as a GL string; the raw text when unreadable."""
    match = HLA_SOURCE.match(comment.strip())
    body = match.group(1) if match else comment.strip().rstrip(".")
    loci = []
    for part in body.split("; "):
        found = HLA_LOCUS.match(part.strip())
        if found is None:
            return comment.strip()
        gene, alleles = found.groups()
        names = [a.strip() for a in alleles.replace(";", ",").split(",") if a.strip()]
        if not names:
            return comment.strip()
        loci.append("+".join(f"HLA-{gene}*{name}" for name in names))
    return "^".join(loci)


AGE_YEARS = re.compile(r"^(\d+)Y(?:\d+M)?$")
AGE_RANGE = re.compile(r"^(\d+)-(\d+)Y$")
AGE_INFANT = re.compile(r"^<?\d+(?:-\d+)?[MWD]$")
AGE_FETAL = re.compile(r"^\d+(?:-\d+)?F[WDM]$")


def age_bin(age: str) -> str:
    """A Cellosaurus AG value as a 5-year bin (`35-39`, `100+`, `embryo`, `fetus`) or ""."""
    text = age.strip()
    if match := AGE_YEARS.match(text):
        return _bin(int(match.group(1)))
    if match := AGE_RANGE.match(text):
        low, high = _bin(int(match.group(1))), _bin(int(match.group(2)))
        return low if low == high else ""
    if AGE_FETAL.match(text) or text == "Fetus":
        return "fetus"
    if AGE_INFANT.match(text):
        return "0-4"
    if text in ("Blastocyst stage", "Embryonic stage", "Embryo"):
        return "embryo"
    return ""


def _bin(years: int) -> str:
    if years >= 100:
        return "100+"
    start = years - years % 5
    return f"{start}-{start + 4}"


def str_consensus(locus: StrLocus) -> list[str]:
    """The alternative backed by the most sources (the first on a tie): a line's own profile."""
    best = max(range(len(locus.alternatives)), key=lambda i: (len(locus.sources[i]), -i))
    return list(locus.alternatives[best])
