"""Template filters for Dutch figures, the same functions as cases/formatting.py:
`{% load nl %}{{ amount|euro }} {{ count|getal }} {{ share|procent }} {{ day|datum }}`."""

from django import template

from .. import formatting

register = template.Library()


@register.filter
def euro(value, decimals=0):
    return formatting.euro(value, int(decimals))


@register.filter
def getal(value, decimals=None):
    return formatting.number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def procent(value, decimals=1):
    return formatting.percent(value, int(decimals))


@register.filter
def datum(value):
    return formatting.date(value)
