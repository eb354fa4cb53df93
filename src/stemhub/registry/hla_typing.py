"""HLA typings on line records, checked by the process's HLA engine: the bad token and its
locus named. Where the IPD-IMGT/HLA reference data cannot be loaded, typings are kept as typed
and not checked (a laptop demo without the release); a MAC needs the MAC dictionary, which may
not be installed.
"""

import re

from django.utils.translation import gettext

from stemhub.core.hla import engine_or_none
from stemhub.hla import TypingError, UnknownMACError

SEROLOGY_LOCI = {"CW": "C", "DR": "DRB1", "DQ": "DQB1", "DP": "DPB1", "A": "A", "B": "B"}
_MOLECULAR = re.compile(r"^(?:HLA-)?(?P<locus>[A-Z][A-Z0-9]*)\*")
_SEROLOGY = re.compile(r"^(?:HLA-)?(?P<prefix>Cw|DR|DQ|DP|A|B)\d", re.IGNORECASE)


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
    found = engine_or_none()
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
