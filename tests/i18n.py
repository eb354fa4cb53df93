"""What the translation tests read: the text a template shows that is not marked for
translation, and the entries of a gettext catalogue.

A template's visible text is what a browser renders or reads out: text between tags, and the
title, placeholder, alt, aria-label and confirmation attributes. Template tags are replaced by a
placeholder first (so `{% translate %}` output and `{{ variables }}` count as marked), a
`{% blocktranslate %}` or `{% comment %}` block is dropped whole, and text inside `<script>`,
`<style>`, `<code>`, `<kbd>`, `<samp>` and `<pre>` is code, not prose. What is left must be
made of WORDS_KEPT only: units, codes and names that read the same in Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

SOURCE = Path(__file__).resolve().parents[1] / "src" / "stemhub"
# The Django apps whose pages and messages people read; the engines (hla, strprofile) have
# none of their own.
APPS = [
    "core",
    "accounts",
    "registry",
    "catalogue",
    "exchange",
    "audit",
    "equipment",
    "biobank",
    "quality",
    "distribution",
    "cordblood",
    "populations",
    "haplobank",
    "jobs",
]

# Words a Chinese page prints as they are: the product, units, standard codes and names of
# standards, databases and algorithms. A word is added here only when a Chinese stem cell bank
# or transplant centre writes it untranslated.
WORDS_KEPT = frozenset(
    """
    stemhub API CSV XLSX JSON PDF QR URL ID IDs HLA ABO Rh RhD TNC CD34 CD3 CD45 kg mL µL mg µg
    ng mm cm DIN IMGT IPD STR QC GL MAC MACs NMDP WMDA hPSCreg Cellosaurus ORCID RRID ISO SOP SOPs
    AB iPSC iPSCs ESC hESC hiPSC DNA RNA PCR SNP SNPs DRB1 DQB1 DPB1 DRB3 DRB4 DRB5 HapLogic Atlas
    Tanabe Masters English CoA COA NC SHA DOI PMID HGVS NCT PluriTest UTF BOM Excel GMP EBiSC ICD
    CTCAE HvG GvH DMSO LN2 ATCC
    """.split()  # noqa: SIM905 (a list of 80 words reads better as words)
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’]*[A-Za-z0-9]")  # a code's digits are part of it
_LITERAL = re.compile(r"""(?<![_\w])(?:"([^"]*)"|'([^']*)')""")
_FORMAT_FILTERS = re.compile(
    r"""\|(?:date|time|stringformat|floatformat|cut|join|slice|truncatechars|add|default_if_none)"""
    r""":\s*$"""
)
_ARGUMENT = re.compile(r"\w=\s*$")  # `with heading="..."`, not `if x == "..."`
_VISIBLE_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label", "hx-confirm", "data-confirm"}
_CODE_TAGS = {"script", "style", "code", "kbd", "samp", "pre"}
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
PLACEHOLDER = "\u00a7"  # §: where a template tag or variable stood


def unmarked_words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text) if word not in WORDS_KEPT]


def template_files() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (SOURCE / app / "templates").rglob("*")
        if path.suffix in {".html", ".txt"}
    )


@dataclass
class Finding:
    line: int
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text!r}"


class _VisibleText(HTMLParser):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(convert_charrefs=True)
        self.findings = findings
        self.code_depth = 0
        self.stack: list[str] = []

    def _check(self, text: str) -> None:
        text = text.replace(PLACEHOLDER, " ")
        if unmarked_words(text):
            self.findings.append(Finding(self.getpos()[0], " ".join(text.split())))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if value and (
                name in _VISIBLE_ATTRIBUTES
                or (name == "value" and values.get("type") in {"submit", "button", "reset"})
            ):
                self._check(value)
        if tag in _VOID:
            return
        self.stack.append(tag)
        if tag in _CODE_TAGS:
            self.code_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack:
                closed = self.stack.pop()
                if closed in _CODE_TAGS:
                    self.code_depth -= 1
                if closed == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self.code_depth:
            self._check(data)


def _literal_findings(token_contents: str, line: int, is_block: bool) -> list[Finding]:
    """String literals a tag or variable prints: a variable's literal or filter argument
    (`default:"none"`, `yesno:"yes,no"`), a block tag's `name="value"` argument; `_("...")` is
    marked, and format arguments (`date:"Y-m-d"`) are not words."""
    found = []
    for match in _LITERAL.finditer(token_contents):
        literal = match.group(1) if match.group(1) is not None else match.group(2)
        before = token_contents[: match.start()]
        if before.endswith("_(") or _FORMAT_FILTERS.search(before):
            continue
        if is_block and not _ARGUMENT.search(before) and not token_contents.startswith("firstof"):
            continue
        if unmarked_words(literal):
            found.append(Finding(line, literal))
    return found


def untranslated_text(path: Path) -> list[Finding]:
    """Every piece of visible text in the template at `path` that is not marked."""
    findings: list[Finding] = []
    parts: list[str] = []
    skip_until: str | None = None
    for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
        raw = token.contents
        if token.token_type == TokenType.BLOCK:
            name = raw.split()[0] if raw.split() else ""
            if skip_until:
                if name == skip_until:
                    skip_until = None
                parts.append(PLACEHOLDER)
                continue
            if name == "comment":
                skip_until = "endcomment"
            elif name in {"blocktranslate", "blocktrans"}:
                skip_until = "endblocktranslate" if name == "blocktranslate" else "endblocktrans"
            elif name not in {"translate", "trans"}:
                findings.extend(_literal_findings(raw, token.lineno, is_block=True))
            parts.append(PLACEHOLDER)
        elif token.token_type == TokenType.VAR:
            if not skip_until:
                findings.extend(_literal_findings(raw, token.lineno, is_block=False))
            parts.append(PLACEHOLDER)
        elif token.token_type == TokenType.TEXT:
            parts.append("\n" * raw.count("\n") if skip_until else raw)
    parser = _VisibleText(findings)
    parser.feed("".join(parts))
    parser.close()
    return sorted(findings, key=lambda finding: finding.line)


@dataclass
class Entry:
    msgid: str
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False
    line: int = 0


def _unquote(text: str) -> str:
    return (
        text.strip()[1:-1]
        .replace(r"\"", '"')
        .replace(r"\n", "\n")
        .replace(r"\t", "\t")
        .replace("\\\\", "\\")
    )


def catalogue_entries(path: Path) -> list[Entry]:
    """The entries of a .po file (the header entry, with an empty msgid, left out)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: str | None = None
    fuzzy = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("#,"):
            fuzzy = "fuzzy" in line
        elif line.startswith("msgid "):
            current = Entry(_unquote(line[6:]), fuzzy=fuzzy, line=number)
            entries.append(current)
            target, fuzzy = "msgid", False
        elif line.startswith("msgid_plural "):
            target = "plural"
        elif line.startswith("msgstr") and current is not None:
            current.msgstr.append(_unquote(line.split(" ", 1)[1]))
            target = "msgstr"
        elif line.startswith('"') and current is not None:
            if target == "msgid":
                current.msgid += _unquote(line)
            elif target == "msgstr":
                current.msgstr[-1] += _unquote(line)
        elif not line.strip():
            target = None
    return [entry for entry in entries if entry.msgid]
