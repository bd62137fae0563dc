"""What regie adds to the case file: `{% load regie_tags %}{% case_flags child %}`.

The case file (cases) knows nothing of regie; its template asks for this panel, which brings its own data:
the flags, the regisseur's decisions and (for a regisseur) the forms to act on them.
"""

from django import template

from cases.models import Role

from ..forms import DecisionForm, ManualFlagForm
from ..models import Decision, Flag

register = template.Library()


@register.inclusion_tag("regie/_case_flags.html", takes_context=True)
def case_flags(context, child):
    request = context["request"]
    flags = list(
        Flag.objects.filter(child=child).select_related("resolved_by", "raised_by").order_by("-active", "code")
    )
    is_regisseur = request.user.role == Role.REGISSEUR
    return {
        "child": child,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "active_flags": [f for f in flags if f.active],
        "resolved_flags": [f for f in flags if not f.active][:10],
        "decisions": list(Decision.objects.filter(child=child).select_related("decided_by")[:10]),
        "can_decide": is_regisseur,
        "decision_form": DecisionForm(prefix="besluit") if is_regisseur else None,
        "manual_flag_form": ManualFlagForm(prefix="signaal") if is_regisseur else None,
    }
