"""The KPI dashboard for beleid and regisseur, its CSV export, and the report email's opt-out.

A user sees only the gemeenten they work for: another gemeente's code is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.access import chosen_gemeente, role_required
from cases.models import Role

from .charts import report_charts
from .dashboard import figures_html_render, stored_figures_html
from .export import report_csv_response
from .kpis import Period
from .mail import UNSUBSCRIBE_SALT
from .models import ReportSubscription
from .overview import gemeente_overview
from .regie_effect import regie_effect_html_cached
from .services import subscription_set_active
from .snapshots import dashboard_report, stored_month

KPI_ROLES = (Role.BELEID, Role.REGISSEUR)
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 400  # a link in an old email keeps working for over a year


def _selection(request):
    """The gemeente and month asked for, limited to the user's own gemeenten and to months that began.

    The gemeente by the rule every page shares (cases.access.chosen_gemeente: another gemeente's code
    is a 404); a user without gemeenten gets (None, []), and the dashboard says whom to ask.
    """
    gemeente, gemeenten = chosen_gemeente(request, required=False)
    default = Period.last_complete_month()
    period, error = default, ""
    if request.GET.get("kwartaal"):
        try:
            period = Period.parse_quarter(request.GET["kwartaal"])
        except ValueError as exc:
            period, error = default, str(exc)
        else:
            if period.start > timezone.localdate():
                period, error = default, "Dat kwartaal is nog niet begonnen; u ziet de laatste volledige maand."
    elif request.GET.get("maand"):
        try:
            period = Period.parse_month(request.GET["maand"])
        except ValueError as exc:
            period, error = default, str(exc)
        else:
            if period.start > timezone.localdate():
                period, error = default, "Die maand is nog niet begonnen; u ziet de laatste volledige maand."
    return gemeenten, gemeente, period, error


@role_required(*KPI_ROLES)
def dashboard(request):
    gemeenten, gemeente, period, error = _selection(request)
    if error:
        messages.warning(request, error)
    if gemeente is None:
        return render(request, "reports/dashboard.html", {"gemeenten": [], "nav": "kpi"})
    stored = stored_month(gemeente, period)
    if stored is not None:
        figures_html = stored_figures_html(gemeente, period, stored)
        head, forecast = stored, stored.forecast
    else:
        report = dashboard_report(gemeente, period)
        figures_html = figures_html_render(report)
        head, forecast = report, report.by_key["spend.forecast"].current
    context = {
        "nav": "kpi",
        "gemeenten": gemeenten,
        "gemeente": gemeente,
        "report": head,
        "period": period,
        "figures_html": figures_html,
        "month_value": "" if period.is_quarter else period.key,
        "quarter_value": period.key if period.is_quarter else Period.last_complete_quarter().key,
        "subscription": ReportSubscription.objects.filter(gemeente=gemeente, user=request.user).first(),
        "regie_html": regie_effect_html_cached(gemeente, period, forecast),
        "today": timezone.localdate(),
    }
    return render(request, "reports/dashboard.html", context)


@role_required(*KPI_ROLES)
def export_csv(request):
    """All figures of the month and the 12 before it; `figuur` limits it to one chart's figures."""
    _gemeenten, gemeente, period, error = _selection(request)
    if gemeente is None or error:
        raise Http404(error or "Geen gemeente.")
    report = dashboard_report(gemeente, period)
    figures = report.figures
    chart_key = request.GET.get("figuur", "")
    suffix = ""
    if chart_key:
        chart = next((c for c in report_charts(report, figures) if c.key == chart_key), None)
        if chart is None:
            raise Http404("Onbekende figuur.")
        figures = [f for f in figures if f.key in chart.figure_keys]
        suffix = f"-{chart.key}"
    return report_csv_response(report, figures, suffix)


@role_required(*KPI_ROLES)
@require_POST
def subscription_toggle(request):
    """A user switches their own subscription off or back on; only the beheerder adds people."""
    subscription = get_object_or_404(
        ReportSubscription, user=request.user, gemeente__code=request.POST.get("gemeente", "")
    )
    subscription_set_active(subscription=subscription, active=request.POST.get("active") == "1", user=request.user)
    if subscription.active:
        messages.success(request, f"U ontvangt de maandrapportage van {subscription.gemeente.name} weer per e-mail.")
    else:
        messages.success(request, f"U bent afgemeld voor de maandrapportage van {subscription.gemeente.name}.")
    return redirect(f"{reverse('reports:dashboard')}?gemeente={subscription.gemeente.code}")


@login_not_required
def unsubscribe(request):
    """The link in the email (?t=<token>): works without logging in, because the token is a signed
    subscription id; it is a capability, not an object id, so a forged or foreign one is a 404."""
    try:
        pk = signing.loads(request.GET.get("t", ""), salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.BadSignature:
        return render(request, "reports/unsubscribe.html", {"invalid": True}, status=404)
    subscription = get_object_or_404(ReportSubscription.objects.select_related("gemeente"), pk=pk)
    done = False
    if request.method == "POST":
        # The link acts for the subscriber it was sent to: the history names them.
        subscription_set_active(subscription=subscription, active=False, user=subscription.user)
        done = True
    return render(request, "reports/unsubscribe.html", {"subscription": subscription, "done": done})


def overview(request):
    """The beleid overview: aggregate figures per gemeente, no individual files. The home page of every
    role without a worklist of its own (jeugdregie/views.py), so it has no URL of its own."""
    return render(request, "reports/overview.html", {"overviews": gemeente_overview(request.user), "nav": "overview"})
