"""hPSCreg standard names: validation of any name (placeholder until the naming work lands)."""

from dataclasses import dataclass
from typing import Literal

Verdict = Literal["valid", "warning", "invalid"]


@dataclass(frozen=True)
class NameVerdict:
    name: str
    verdict: Verdict
    messages: tuple[str, ...]


def check_name(name: str) -> NameVerdict:
    if not name:
        return NameVerdict(name, "invalid", ("the name is empty",))
    return NameVerdict(name, "valid", ())
