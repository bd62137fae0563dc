"""The rows of a Mijn werk section as HTML built once per item: the template's loop over the items (some
150 on a regisseur's page) was a fifth of the page's time on the national set. Escaped like the template.

    {% load werk_tags %}<tbody>{% section_rows section.items show_owner %}</tbody>
"""

from django import template
from django.utils.safestring import mark_safe

from cases.formatting import date as nl_date
from cases.forms import escaped as _escape  # conditional_escape's result without its lazy-string wrappers

from ..windows import LATE, ON_TIME

register = template.Library()

ROW = (
    "<tr>\n"
    '      <td><a href="{}">{}</a> {}</td>\n'
    "      <td>{}{}</td>\n"
    "      <td>{}</td>\n"
    "      <td>{}</td>\n"
    "      {}\n"
    "    </tr>"
)
NO_DATE = mark_safe('<span class="muted">—</span>')
ON_TIME_BADGE = mark_safe('<span class="badge badge-ok">op tijd</span>')
UNASSIGNED = mark_safe("<td><strong>niet toegewezen</strong></td>")


def _detail(item) -> str:
    return f'<br><span class="muted">{_escape(item.detail)}</span>' if item.detail else ""


def _badge(item) -> str:
    """How late the item is; nothing for an item without a date."""
    if not item.due:
        return ""
    key, days = item.punctuality.key, item.punctuality.days_late
    if key == ON_TIME:
        return ON_TIME_BADGE
    if key == LATE:
        return f'<span class="badge badge-warn">{days} dag{"" if days == 1 else "en"} te laat</span>'
    return f'<span class="badge badge-bad">{days} dagen te laat (&gt; 3× termijn)</span>'


def _owner(item) -> str:
    """The casusregisseur's cell of the team tab."""
    owner = item.child.owner
    if owner is None:
        return UNASSIGNED
    return f"<td>{_escape(owner.get_full_name() or owner.username)}</td>"


def _row(item, show_owner: bool) -> str:
    return ROW.format(
        _escape(item.url),
        _escape(item.child.case_number),
        _escape(item.child.full_name),
        _escape(item.what),
        _detail(item),
        _escape(nl_date(item.due)) if item.due else NO_DATE,
        _badge(item),
        _owner(item) if show_owner else "",
    )


@register.simple_tag
def section_rows(items, show_owner: bool) -> str:
    return mark_safe("".join(_row(item, show_owner) for item in items))
