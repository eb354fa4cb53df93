"""`{% load quality_words %}`: the quality record's own English in the reader's language
(`stemhub.quality.wording`): `qc_term` for a default test's name or method and a qualitative
result, `qc_spec` for a specification, `qc_recorded` for a sentence the app stored (a
judgement, why a nonconformity opened or a release was invalidated)."""

from typing import Any

from django import template

from stemhub.quality import wording

register = template.Library()


@register.filter
def qc_term(text: Any) -> Any:
    return wording.term(str(text)) if text else text


@register.filter
def qc_spec(text: Any) -> Any:
    return wording.specification(str(text)) if text else text


@register.filter
def qc_recorded(text: Any) -> Any:
    return wording.recorded(str(text)) if text else text
