"""HLA typings on line records, checked by the HLA engine: the bad token and its locus named.

One engine per process, loaded on first use (~0.5 s cold, from the table cache after). Where
the IPD-IMGT/HLA reference data cannot be loaded, typings are kept as typed and not checked (a
laptop demo without the release); a MAC needs the MAC dictionary, which may not be installed.
"""

import logging
import re
import threading

from django.utils.translation import gettext

from stemhub.hla import HLAEngine, HLAError, TypingError, UnknownMACError

log = logging.getLogger(__name__)

_lock = threading.Lock()
_engine: HLAEngine | None = None
_unavailable = False

SEROLOGY_LOCI = {"CW": "C", "DR": "DRB1", "DQ": "DQB1", "DP": "DPB1", "A": "A", "B": "B"}
_MOLECULAR = re.compile(r"^(?:HLA-)?(?P<locus>[A-Z][A-Z0-9]*)\*")
_SEROLOGY = re.compile(r"^(?:HLA-)?(?P<prefix>Cw|DR|DQ|DP|A|B)\d", re.IGNORECASE)


def engine() -> HLAEngine | None:
    """The process's engine, or None when the reference data cannot be loaded."""
    global _engine, _unavailable
    if _engine is None and not _unavailable:
        with _lock:
            if _engine is None and not _unavailable:
                try:
                    _engine = HLAEngine.load()
                except HLAError as error:
                    _unavailable = True
                    log.warning("HLA typings are not checked: %s", error)
    return _engine


def use_engine(chosen: HLAEngine | None) -> None:
    """Replace the process's engine (tests); None loads the default again on next use."""
    global _engine, _unavailable
    with _lock:
        _engine, _unavailable = chosen, False


def locus_of(token: str) -> str:
    """The locus a typing token names (`A*99:99` → A, `DR15` → DRB1), or '' if it names none."""
    token = token.strip()
    if found := _MOLECULAR.match(token):
        return found["locus"]
    if found := _SEROLOGY.match(token):
        return SEROLOGY_LOCI[found["prefix"].upper()]
    return ""


def typing_problem(gl: str) -> str:
    """Why the GL string is not a typing the engine accepts ('' when it is, or when it cannot
    be checked here)."""
    if not gl.strip():
        return ""
    found = engine()
    if found is None:
        return ""
    try:
        found.parse(gl.strip())
    except TypingError as error:
        if isinstance(error, UnknownMACError) and found.macs is None:
            return ""  # no MAC dictionary installed: a MAC can be neither checked nor refused
        return _message(error.token, error.reason)
    return ""


def _message(token: str, reason: str) -> str:
    locus = locus_of(token)
    if locus:
        return gettext("'%(token)s' at locus HLA-%(locus)s: %(reason)s") % {
            "token": token,
            "locus": locus,
            "reason": reason,
        }
    return gettext("'%(token)s' in the typing: %(reason)s") % {"token": token, "reason": reason}
