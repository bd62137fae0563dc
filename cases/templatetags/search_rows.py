"""The rows of the search results, built in Python: `{% load search_rows %}{% search_row child %}`.

Up to 50 rows of seven cells: through the template engine (about 15 function calls a variable) they were
half the search page's Python, and format_html's escaping and a `reverse()` a link were about as many again.
The markup is the template's; text goes through `escaped` (what the template's autoescape does), the links
are reversed once (`url_with_pk`)."""

from functools import cache

from django import template
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe

from .. import formatting
from ..forms import escaped
from ..links import url_with_pk

register = template.Library()

NOT_ASSIGNED = '<span class="muted">niet toegewezen</span>'


@cache
def _urls(script_prefix: str) -> tuple[str, str]:
    """The links of a row with '{}' for the pk, once a process (and script prefix: reverse() starts with it)."""
    return url_with_pk("cases:child_detail"), url_with_pk("cases:household_detail")


@register.simple_tag
def search_row(child) -> SafeString:
    """One found child: `child` as cases.views._search reads it (gemeente, household, owner, open_count)."""
    child_url, household_url = _urls(get_script_prefix())
    url = child_url.format(child.pk)
    household = child.household
    address = household.address
    owner = child.owner
    return mark_safe(  # noqa: S308 - every text below is escaped
        f"""<tr>
          <td><a href="{url}">{child.case_number}</a></td>
          <td><a href="{url}">{escaped(child.full_name)}</a></td>
          <td>{formatting.date(child.birth_date)}</td>
          <td>{escaped(child.gemeente.name)}</td>
          <td><a href="{household_url.format(child.household_id)}">{escaped(household.name)}</a>"""
        f"""{f'<br><span class="muted">{escaped(address)}</span>' if address else ""}</td>
          <td>{escaped(owner.get_full_name() or owner.username) if owner else NOT_ASSIGNED}</td>
          <td class="num">{child.open_count}</td>
        </tr>"""
    )
