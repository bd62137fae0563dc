"""What regie adds to the case file: `{% load regie_tags %}{% case_flags child %}`.

The case file (cases) knows nothing of regie; its template asks for this panel, which brings its own data.
"""

from django import template

from ..views import case_flags_context

register = template.Library()


@register.inclusion_tag("regie/_case_flags.html", takes_context=True)
def case_flags(context, child):
    request = context["request"]
    return {
        "child": child,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        **case_flags_context(request.user, child),
    }
