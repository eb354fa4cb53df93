"""The one HLA engine of this process, shared by every app that reads typings.

Loaded on first use (~0.5 s cold, from the table cache after), never per request. Where the
IPD-IMGT/HLA reference data cannot be loaded (a laptop without the release and without
network), `engine()` raises the engine's `HLAError` naming what is missing, and
`engine_or_none()` answers None for callers that can keep a typing unchecked.
"""

import threading
from collections.abc import Callable

from stemhub.hla import HLAEngine, HLAError

_lock = threading.Lock()
_engine: HLAEngine | None = None
_failure: HLAError | None = None


def engine() -> HLAEngine:
    global _engine, _failure
    if _engine is None:
        with _lock:
            if _engine is None:
                if _failure is not None:
                    raise _failure
                try:
                    _engine = HLAEngine.load()
                except HLAError as error:
                    _failure = error
                    raise
    return _engine


def engine_or_none() -> HLAEngine | None:
    try:
        return engine()
    except HLAError:
        return None


def use_engine(chosen: HLAEngine | None) -> None:
    """Replace the process's engine (tests and benchmarks pick their MACs); None loads the
    configured one again on next use. Callers that cache parsed typings clear them on
    `engine_changed`."""
    global _engine, _failure
    with _lock:
        _engine, _failure = chosen, None
    for listener in list(_listeners):
        listener()


_listeners: list[Callable[[], None]] = []


def engine_changed(listener: Callable[[], None]) -> None:
    """Call `listener()` whenever `use_engine` swaps the engine (to drop caches)."""
    _listeners.append(listener)
