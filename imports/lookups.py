"""Reference data an import checks every row against, loaded once per import (small tables)."""

from cases.models import Gemeente, Product, Provider


class Lookups:
    def __init__(self, user=None):
        self.gemeenten = {g.code: g for g in Gemeente.objects.all()}
        self.products = {p.code: p for p in Product.objects.select_related("segment")}
        self.providers = {p.agb_code: p for p in Provider.objects.all()}
        # A user restricted to some gemeenten may import only for those; a command without --user may
        # import for every gemeente jeugdregie serves.
        self.allowed_gemeente_ids = None
        if user is not None and not user.is_superuser:
            self.allowed_gemeente_ids = set(user.gemeenten.values_list("pk", flat=True))

    def gemeente_problem(self, code: str) -> str | None:
        gemeente = self.gemeenten.get(code)
        if gemeente is None:
            return (
                f"Gemeente met CBS-code {code} wordt niet bediend door jeugdregie; niets geïmporteerd voor deze code."
            )
        if self.allowed_gemeente_ids is not None and gemeente.pk not in self.allowed_gemeente_ids:
            return f"U werkt niet voor gemeente {gemeente.name} ({code})."
        return None

    def product_problem(self, code: str) -> str | None:
        product = self.products.get(code)
        if product is None:
            return f"Productcode {code} is niet bekend in jeugdregie; voeg het product eerst toe in het beheer."
        if not product.active:
            return f"Product {code} is niet meer actief in jeugdregie."
        return None

    def provider_problem(self, agb: str) -> str | None:
        if agb not in self.providers:
            return (
                f"Aanbieder met AGB-code {agb} is niet bekend in jeugdregie; voeg de aanbieder eerst toe in het beheer."
            )
        return None
