"""What regie adds to the case file: `{% load regie_tags %}{% case_flags child %}`.

The case file (cases) knows nothing of regie; its template asks for this panel, which brings its own data:
the flags, the regisseur's decisions and (for a regisseur) the forms to act on them.
"""

from django import template
from django.utils import timezone

from cases.models import Role

from ..decisions import decision_outcomes
from ..forms import DecisionForm, ManualFlagForm
from ..models import DEFAULT_RULES, Decision, Flag, FlagRule, WlzRoute

register = template.Library()


@register.inclusion_tag("regie/_case_flags.html", takes_context=True)
def case_flags(context, child):
    request = context["request"]
    flags = list(
        Flag.objects.filter(child=child).select_related("resolved_by", "raised_by").order_by("-active", "code")
    )
    is_regisseur = request.user.role == Role.REGISSEUR
    decisions = list(Decision.objects.filter(child=child).select_related("decided_by", "proposed_product")[:10])
    seen = decisions[0].pk if decisions else 0
    return {
        "child": child,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "active_flags": [f for f in flags if f.active],
        "resolved_flags": [f for f in flags if not f.active][:10],
        "decisions": decisions,
        "outcomes": decision_outcomes(decisions),
        "today": timezone.localdate(),
        "can_decide": is_regisseur,
        "decision_form": DecisionForm(prefix="besluit", child=child, initial={"seen_decision": seen})
        if is_regisseur
        else None,
        "manual_flag_form": ManualFlagForm(prefix="signaal") if is_regisseur else None,
        "wlz_route": WlzRoute.objects.filter(child=child).order_by("-prepared_on", "-pk").first(),
    }


@register.simple_tag
def rule_thresholds(gemeente) -> dict:
    """The gemeente's flag thresholds by code (Beheer › Signaalregels; defaults where it has none), so a
    badge on a case page marks what the rule fires on. A switched-off rule is absent. One query."""
    # Unordered: one row per code (a unique constraint), and the model's ordering would join the gemeente.
    rows = FlagRule.objects.filter(gemeente=gemeente).order_by().values_list("code", "threshold", "enabled")
    rules = {code: (threshold, enabled) for code, threshold, enabled in rows}
    thresholds = {}
    for code, (default, _, _) in DEFAULT_RULES.items():
        threshold, enabled = rules.get(code, (default, True))
        if enabled:
            thresholds[str(code)] = int(threshold)
    return thresholds
