"""The rows of a Mijn werk section as HTML built once per item: the template's loop over the items (some
150 on a regisseur's page) was a fifth of the page's time on the national set. Escaped like the template.

    {% load werk_tags %}<tbody>{% section_rows section.items show_owner %}</tbody>
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from cases.formatting import date as nl_date

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
    return format_html('<br><span class="muted">{}</span>', item.detail) if item.detail else ""


def _badge(item) -> str:
    """How late the item is; nothing for an item without a date."""
    if not item.due:
        return ""
    key, days = item.punctuality.key, item.punctuality.days_late
    if key == ON_TIME:
        return ON_TIME_BADGE
    if key == LATE:
        return format_html('<span class="badge badge-warn">{} dag{} te laat</span>', days, "" if days == 1 else "en")
    return format_html('<span class="badge badge-bad">{} dagen te laat (&gt; 3× termijn)</span>', days)


def _owner(item) -> str:
    """The casusregisseur's cell of the team tab."""
    owner = item.child.owner
    if owner is None:
        return UNASSIGNED
    return format_html("<td>{}</td>", owner.get_full_name() or owner.username)


@register.simple_tag
def section_rows(items, show_owner: bool) -> str:
    return format_html_join(
        "",
        ROW,
        (
            (
                item.url,
                item.child.case_number,
                item.child.full_name,
                item.what,
                _detail(item),
                nl_date(item.due) if item.due else NO_DATE,
                _badge(item),
                _owner(item) if show_owner else "",
            )
            for item in items
        ),
    )
