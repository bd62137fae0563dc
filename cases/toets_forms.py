"""The filters of the toetsmedewerker's queue: only what is in the queue can be chosen."""

from django import forms

from .forms import LongSelect
from .models import Product, Provider, Segment


class QueueFilterForm(forms.Form):
    """Product and aanbieder by id, the choices read as (id, label) pairs: the largest gemeente's queue
    offers some 450 products and 570 providers, and a model instance for each cost more than the page's
    queries."""

    product = forms.TypedChoiceField(label="Product", coerce=int, required=False, empty_value=None, widget=LongSelect)
    provider = forms.TypedChoiceField(
        label="Aanbieder", coerce=int, required=False, empty_value=None, widget=LongSelect
    )
    segment = forms.TypedChoiceField(label="Segment", coerce=int, required=False, empty_value=None, widget=LongSelect)

    def __init__(self, *args, product_ids, provider_ids, **kwargs):
        super().__init__(*args, **kwargs)
        products = Product.objects.filter(pk__in=product_ids).order_by("code")
        self.fields["product"].choices = [("", "alle producten")] + [
            (pk, f"{code} {description}") for pk, code, description in products.values_list("pk", "code", "description")
        ]
        providers = Provider.objects.filter(pk__in=provider_ids).order_by("name")
        self.fields["provider"].choices = [("", "alle aanbieders")] + list(providers.values_list("pk", "name"))
        self.fields["segment"].choices = [("", "alle segmenten")] + [
            (s.number, str(s)) for s in Segment.objects.order_by("number")
        ]
