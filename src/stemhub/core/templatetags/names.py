"""`{% load names %}`: `{{ institution|bilingual }}` shows a name in the interface language with
the other language's name after it, marked with its language (`lang`) so that a screen reader
reads it right and the browser picks a font for it."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from stemhub.core.names import BilingualName, chinese_interface, language_of

register = template.Library()


@register.filter
def bilingual(named: BilingualName | None) -> SafeString | str:
    if named is None:
        return ""
    shown, other = named.display_name, named.other_name
    if not other:
        return conditional_escape(shown)
    opening, closing = ("（", "）") if chinese_interface() else (" (", ")")
    return format_html(
        '{}<span class="other-name">{}<span lang="{}">{}</span>{}</span>',
        shown,
        opening,
        language_of(other, named.chinese_name),
        other,
        closing,
    )
