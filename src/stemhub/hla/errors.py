"""The engine's exceptions: one base class, one subclass per reason a caller can act on."""

from __future__ import annotations

__all__ = [
    "DeletedAlleleError",
    "HLAError",
    "MalformedTypingError",
    "ReferenceDataError",
    "TypingError",
    "UnknownAlleleError",
    "UnknownMACError",
    "UnknownSerologyError",
]


class HLAError(Exception):
    """Base class of every error the HLA engine raises on purpose."""


class ReferenceDataError(HLAError):
    """The IPD-IMGT/HLA release files are missing, unreadable or inconsistent."""


class TypingError(HLAError, ValueError):
    """A typing string was rejected; ``token`` is the offending part, ``reason`` says why."""

    def __init__(self, token: str, reason: str) -> None:
        self.token = token
        self.reason = reason
        super().__init__(f"{token!r}: {reason}")


class MalformedTypingError(TypingError):
    """The text is not a well-formed GL string, allele name, MAC, XX code or antigen."""


class UnknownAlleleError(TypingError):
    """The name is well formed but the release has no such allele, G group or P group."""


class DeletedAlleleError(UnknownAlleleError):
    """IMGT deleted or renamed the allele; ``successor`` is its current name when IMGT names one."""

    def __init__(self, token: str, reason: str, successor: str | None) -> None:
        self.successor = successor
        super().__init__(token, reason)


class UnknownMACError(TypingError):
    """The multiple allele code is not in the loaded MAC dictionary."""


class UnknownSerologyError(TypingError):
    """The serological antigen is not in the release's rel_dna_ser / rel_ser_ser tables."""
