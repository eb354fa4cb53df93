"""The engine's exceptions: one base class, one subclass per reason a caller can act on."""

from __future__ import annotations

__all__ = ["ParameterError", "ProfileError", "StrError"]


class StrError(Exception):
    """Base class of every error the STR engine raises on purpose."""


class ProfileError(StrError, ValueError):
    """A profile or allele was rejected; ``token`` is the offending part, ``reason`` says why."""

    def __init__(self, token: str, reason: str) -> None:
        self.token = token
        self.reason = reason
        super().__init__(f"{token!r}: {reason}")


class ParameterError(StrError, ValueError):
    """A search parameter is out of range; ``name`` is the parameter."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")
