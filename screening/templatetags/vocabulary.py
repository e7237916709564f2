"""`{% load vocabulary %}` then `{{ code|label }}`: a stage, status, vote, decision, review type
or role code shown in the vocabulary's words (`full_text` -> "Full text")."""

from __future__ import annotations

from django import template

from screening import vocabulary

register = template.Library()


@register.filter
def label(value: object) -> object:
    """The code's label; anything that is not one of the vocabulary's codes is shown as it is."""
    return vocabulary.label(value) if isinstance(value, str) else value
