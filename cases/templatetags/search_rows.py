"""The rows of the search results, built in Python: `{% load search_rows %}{% search_row child %}`.

Up to 50 rows of seven cells: through the template engine (about 15 function calls a variable) they were
half the search page's Python. The markup is the template's, escaped the same way (format_html)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import formatting

register = template.Library()

NOT_ASSIGNED = mark_safe('<span class="muted">niet toegewezen</span>')

ROW = """<tr>
          <td><a href="{url}">{case_number}</a></td>
          <td><a href="{url}">{name}</a></td>
          <td>{birth_date}</td>
          <td>{gemeente}</td>
          <td><a href="{household_url}">{household}</a>{address}</td>
          <td>{owner}</td>
          <td class="num">{open_count}</td>
        </tr>"""


@register.simple_tag
def search_row(child) -> str:
    """One found child: `child` as cases.views._search reads it (gemeente, household, owner, open_count)."""
    household = child.household
    address = household.address
    owner = child.owner
    return format_html(
        ROW,
        url=reverse("cases:child_detail", args=[child.pk]),
        case_number=child.case_number,
        name=child.full_name,
        birth_date=formatting.date(child.birth_date),
        gemeente=child.gemeente.name,
        household_url=reverse("cases:household_detail", args=[child.household_id]),
        household=household.name,
        address=format_html('<br><span class="muted">{}</span>', address) if address else "",
        owner=(owner.get_full_name() or owner.username) if owner else NOT_ASSIGNED,
        open_count=child.open_count,
    )
