"""The filters of the toetsmedewerker's queue: only what is in the queue can be chosen."""

from django import forms

from .forms import LongSelect
from .models import Product, Provider, Segment


class QueueFilterForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), label="Product", required=False, widget=LongSelect
    )
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(), label="Aanbieder", required=False, widget=LongSelect
    )
    segment = forms.TypedChoiceField(label="Segment", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, product_ids, provider_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(pk__in=product_ids).order_by("code")
        self.fields["product"].empty_label = "alle producten"
        self.fields["provider"].queryset = Provider.objects.filter(pk__in=provider_ids).order_by("name")
        self.fields["provider"].empty_label = "alle aanbieders"
        self.fields["segment"].choices = [("", "alle segmenten")] + [
            (s.number, str(s)) for s in Segment.objects.order_by("number")
        ]
