"""Links to many rows of one kind, reversed once a page instead of once a row."""

from django.urls import reverse


def url_with_pk(name: str) -> str:
    """The URL of `name` (one pk argument) with '{}' where the pk goes: `url_with_pk(...).format(child.pk)`."""
    return reverse(name, args=[0]).replace("/0/", "/{}/")
