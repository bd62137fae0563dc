"""The case file's repeated rows, built in Python: `{% load case_file_rows %}{% trajectory_rows trajectories rules %}`.

The trajectories, referrals, timeline and history of a case file: in the template engine a variable or filter is
a dozen function calls and a `{% url %}` a hundred, and these loops were half of the page's template time. Here a
row is one f-string with the template's markup and whitespace, so the page is the same to the byte: text from the
database and the users goes through `escaped`, as the template's autoescape did; figures and dates formatted by
cases.formatting, numbers and the page's own constants need no escaping. tests/cases/test_case_file_rows.py
renders the template loops these replaced over the same rows and compares.
"""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from ..formatting import DASH, date, euro, number
from ..forms import escaped
from ..links import url_with_pk
from ..models import CostBasisLabel, Trajectory

register = template.Library()


def _labels(model, field: str) -> dict:
    """A choice field's labels by value: get_FOO_display() rebuilds this dict at each call."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


REFERRAL = Trajectory._meta.get_field("referral").related_model
SOURCE_LABELS = _labels(REFERRAL, "source")
CATEGORY_LABELS = _labels(REFERRAL, "request_category")
OUTCOME_LABELS = _labels(REFERRAL, "outcome")
UNIT_LABELS = _labels(Trajectory, "unit")
FREQUENCY_LABELS = _labels(Trajectory, "frequency")
END_REASON_LABELS = _labels(Trajectory, "end_reason")


def _label(labels: dict, value) -> str:
    """get_FOO_display(), escaped: the label of a choice, or the stored value when it has none."""
    return escaped(labels.get(value, value))


def _iso_day(day: dt.date) -> str:
    """The template's `date:'Y-m-d'`."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


@register.simple_tag
def timeline_items(events) -> SafeString:
    """The <li> of each cases.case_file.Event."""
    return SafeString("".join(_event_html(e) for e in events))


def _event_html(event) -> str:
    detail = f'<br><span class="muted">{escaped(event.detail)}</span>' if event.detail else ""
    return f'<li><time datetime="{_iso_day(event.date)}">{date(event.date)}</time>{escaped(event.title)}{detail}</li>'


@register.simple_tag
def history_items(changes) -> SafeString:
    """The <li> of each cases.case_file.Change, its changed fields in a list of their own."""
    return SafeString("".join(_change_html(c) for c in changes))


def _change_html(change) -> str:
    lines = ""
    if change.changes:
        lines = "<ul>" + "".join(f'<li style="padding:0">{escaped(line)}</li>' for line in change.changes) + "</ul>"
    # The template's `date:'c'`: the moment in the local zone, ISO 8601.
    return (
        f'<li><time datetime="{timezone.localtime(change.at).isoformat()}">{date(change.at)}</time>'
        f"{escaped(change.what)} door {escaped(change.who)}\n      {lines}</li>"
    )


@register.simple_tag(takes_context=True)
def referral_rows(context, referrals) -> SafeString:
    """The table rows of the child's referrals; the outcome link for a user who logs cases."""
    outcome_url = url_with_pk("referrals:referral_outcome") if context["user"].can_log_cases else ""
    return SafeString("".join(_referral_html(r, outcome_url) for r in referrals))


def _referral_html(referral, outcome_url: str) -> str:
    referrer = f'<br><span class="muted">{escaped(referral.referrer_name)}</span>' if referral.referrer_name else ""
    if referral.outcome:
        outcome = (
            f'{_label(OUTCOME_LABELS, referral.outcome)} <span class="muted">({date(referral.outcome_date)})</span>\n'
            "        "
        )
    else:
        outcome = '<span class="badge badge-warn">nog geen uitkomst</span>'
        if outcome_url:
            outcome += (
                f' <a href="{outcome_url.format(referral.pk)}">vastleggen'
                f'<span class="visually-hidden"> (verwijzing {date(referral.date)})</span></a>'
            )
    return f"""
  <tr>
    <td>{date(referral.date)}</td>
    <td>{_label(SOURCE_LABELS, referral.source)}{referrer}</td>
    <td>{_label(CATEGORY_LABELS, referral.request_category)}</td>
    <td>{outcome}</td>
  </tr>
  """


@register.simple_tag(takes_context=True)
def trajectory_rows(context, trajectories, rules: dict) -> SafeString:
    """The table rows of the trajectories as cases.case_file.load_case_file prepared them; `rules` are the
    gemeente's flag thresholds (regie's rule_thresholds), for the 'boven norm' badge; the links for a user who
    logs cases."""
    links = _Links() if context["user"].can_log_cases else None
    today = context["today"]
    duration = rules.get("duur")
    return SafeString("".join(_trajectory_html(t, links, today, duration) for t in trajectories))


class _Links:
    """The URLs of a trajectory's actions, reversed once a page."""

    def __init__(self):
        self.review_record = url_with_pk("cases:review_record")
        self.change = url_with_pk("cases:trajectory_change")
        self.end = url_with_pk("cases:trajectory_end")
        self.replace = url_with_pk("cases:trajectory_replace")
        self.record_start = url_with_pk("cases:trajectory_record_start")
        self.extension = url_with_pk("cases:extension_request")
        self.review_plan = url_with_pk("cases:review_plan")


def _trajectory_html(t, links: _Links | None, today: dt.date, duration: int | None) -> str:
    product = t.product
    code = escaped(product.code)
    return f"""
  <tr>
    <td><strong>{code}</strong> {escaped(product.description)}<br><span class="muted">{escaped(t.provider.name)} · segment {product.segment.number}</span>
      {_follows(t)}
      {_referred(t)}</td>
    <td>{date(t.start_date)} – {date(t.end_date) if t.end_date else f"gepland {date(t.planned_end_date)}"}
      {_waiting(t)}</td>
    <td>{t.running} mnd <span class="muted">(norm {t.norm_months})</span>{_over_norm(t, duration)}</td>
    <td>{_volume(t)}</td>
    <td class="num">{_cost(t)}</td>
    <td class="num">{DASH if t.committed is None else euro(t.committed)}</td>
    <td>
      {_status(t)}
      {'<br><span class="badge badge-bad">einddatum verstreken</span>' if t.past_planned_end else ""}
      {f'<br><span class="badge badge-warn">{t.granted_extensions}× verlengd</span>' if t.granted_extensions else ""}
      {'<br><span class="badge badge-warn">verlenging wacht op toets</span>' if t.pending_extension else ""}
      {_outside_budget(t)}
      {_reviews(t, code, links, today)}
      {_actions(t, code, links) if links and t.is_open else ""}
    </td>
  </tr>
  """  # noqa: E501 - the template's lines, kept as they were


def _follows(t) -> str:
    follows = t.follows
    if follows is None:
        return ""
    product = follows.product
    return (
        f'<br><span class="muted">vervolg op {escaped(product.code)} {escaped(product.description)} '
        f"(tot {date(follows.end_date)})</span>"
    )


def _referred(t) -> str:
    referral = t.referral
    if referral is None:
        return ""
    source = escaped(str(SOURCE_LABELS.get(referral.source, referral.source)).lower())
    return f'<br><span class="muted">verwezen door {source} ({date(referral.date)})</span>'


def _waiting(t) -> str:
    if t.waiting:
        informed = (
            f' <span class="muted">gezin geïnformeerd {date(t.family_informed_date)}</span>'
            if t.family_informed_date
            else ""
        )
        bridging = f'<br><span class="muted">overbrugging: {escaped(t.bridging_care)}</span>' if t.bridging_care else ""
        return f'<br><span class="badge badge-warn">wacht op start zorg</span>{informed}{bridging}\n      '
    if t.actual_start_date and t.actual_start_date != t.start_date:
        return f'<br><span class="muted">zorg gestart {date(t.actual_start_date)}</span>'
    return ""


def _over_norm(t, duration: int | None) -> str:
    # The duration rule fires above norm + the gemeente's threshold; a switched-off rule shows no badge.
    if t.over_norm and duration is not None and t.running > t.norm_months + duration:
        return '<br><span class="badge badge-bad">boven norm</span>'
    return ""


def _volume(t) -> str:
    unit = escaped(str(UNIT_LABELS.get(t.unit, t.unit)).lower())
    frequency = escaped(str(FREQUENCY_LABELS.get(t.frequency, t.frequency)).lower())
    price = f'<br><span class="muted">{euro(t.tariff, 2)} per eenheid</span>' if t.has_case_price else ""
    return f"{number(t.volume, -2)} {unit} {frequency}{price}"


def _cost(t) -> str:
    if t.cost_basis == CostBasisLabel.MISSING:
        return '<span class="badge badge-warn">prijs ontbreekt</span>'
    indicative = '<br><span class="muted">indicatief</span>' if t.cost_basis != CostBasisLabel.TARIFF else ""
    return f"{euro(t.cost_to_date)}{indicative}"


def _status(t) -> str:
    if t.end_date:
        reason = _label(END_REASON_LABELS, t.end_reason)
        return f'<span class="badge badge-muted">beëindigd</span><br><span class="muted">{reason}</span>\n      '
    return '<span class="badge badge-ok">lopend</span>'


def _outside_budget(t) -> str:
    if not t.outside_budget:
        return ""
    reason = escaped(t.outside_budget_reason)
    return f'<br><span class="badge badge-bad">buiten budget</span> <span class="muted">{reason}</span>'


def _reviews(t, code: str, links: _Links | None, today: dt.date) -> str:
    """The reviews still to do: late or planned, with the link to record one."""
    badges = []
    for review in t.reviews.all():
        if review.is_done:
            continue
        late = review.due_date < today
        badge = (
            f'<br><span class="badge {"badge-bad" if late else "badge-muted"}">'
            f"review {'te laat' if late else 'gepland'} {date(review.due_date)}</span>"
        )
        if links:
            badge += (
                f' <a href="{links.review_record.format(review.pk)}">vastleggen'
                f'<span class="visually-hidden"> (review {code})</span></a>'
            )
        badges.append(badge)
    return "".join(badges)


def _actions(t, code: str, links: _Links) -> str:
    pk = t.pk
    extension = (
        ""
        if t.pending_extension
        else f'<a href="{links.extension.format(pk)}">Verlenging<span class="visually-hidden"> {code}</span></a>'
    )
    return f"""
      <div class="actions" style="margin:.4rem 0 0">
        <a href="{links.change.format(pk)}">Wijzigen<span class="visually-hidden"> {code}</span></a>
        <a href="{links.end.format(pk)}">Beëindigen<span class="visually-hidden"> {code}</span></a>
        <a href="{links.replace.format(pk)}">Omzetten<span class="visually-hidden"> {code} naar een ander product</span></a>
        <a href="{links.record_start.format(pk)}">Start zorg{" / wachten" if t.waiting else ""}<span class="visually-hidden"> {code}</span></a>
        {extension}
        <a href="{links.review_plan.format(pk)}">Review plannen<span class="visually-hidden"> {code}</span></a>
      </div>
      """  # noqa: E501 - the template's lines, kept as they were
