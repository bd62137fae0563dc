"""factory_boy factories with traits for the states tests need."""

import datetime as dt
from decimal import Decimal

import factory

from cases.models import (
    Child,
    Extension,
    Gemeente,
    Household,
    Product,
    Provider,
    Role,
    Segment,
    StopReview,
    Trajectory,
    User,
)
from cases.product_catalogue import load_catalogue
from referrals.models import Referral


class GemeenteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gemeente
        django_get_or_create = ("code",)

    # Four digits, clear of the demo codes 9901/9902, however many gemeenten a run makes.
    code = factory.Sequence(lambda n: f"{1000 + n % 8000:04d}")
    name = factory.Sequence(lambda n: f"Testgemeente {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nl")
    role = Role.TOEGANG
    password = factory.django.Password("geheim-wachtwoord")

    @factory.post_generation
    def gemeenten(self, create, extracted, **kwargs):
        if create and extracted:
            self.gemeenten.set(extracted)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    gemeente = factory.SubFactory(GemeenteFactory)
    name = factory.Sequence(lambda n: f"Gezin Test{n}")


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    gemeente = factory.SubFactory(GemeenteFactory)
    household = factory.SubFactory(HouseholdFactory, gemeente=factory.SelfAttribute("..gemeente"))
    first_name = factory.Sequence(lambda n: f"Kind{n}")
    last_name = "Jansen"
    birth_date = dt.date(2014, 5, 17)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    child = factory.SubFactory(ChildFactory)
    date = dt.date(2025, 1, 6)
    source = "02"
    request_category = "gedrag"


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("agb_code",)

    agb_code = factory.Sequence(lambda n: f"{73000000 + n}")
    name = factory.Sequence(lambda n: f"Aanbieder {n}")
    contracted = True


def ensure_catalogue() -> None:
    """The product catalogue comes from a data migration; a transactional test's flush removes it."""
    if not Product.objects.exists():
        load_catalogue(Segment, Product)


def ambulant_product(tariff: str = "95.00") -> Product:
    """An inspanningsgericht ambulant product (45A48) with a tariff per hour."""
    ensure_catalogue()
    product = Product.objects.get(code="45A48")
    product.tariff = Decimal(tariff)
    product.save()
    return product


class TrajectoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trajectory

    child = factory.SubFactory(ChildFactory)
    referral = factory.SubFactory(ReferralFactory, child=factory.SelfAttribute("..child"))
    provider = factory.SubFactory(ProviderFactory)
    product = factory.LazyFunction(ambulant_product)
    start_date = dt.date(2025, 2, 3)
    # Care started on the allocated day unless a test says otherwise (None: the child is waiting).
    actual_start_date = factory.LazyAttribute(lambda t: t.start_date)
    planned_end_date = dt.date(2026, 2, 2)
    volume = Decimal("2")
    unit = "04"
    frequency = "2"
    tariff = factory.LazyAttribute(lambda t: t.product.tariff)
    financing = factory.LazyAttribute(lambda t: t.product.financing)
    norm_months = 12

    class Params:
        ended = factory.Trait(end_date=dt.date(2025, 12, 19), end_reason="31")


class ExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Extension

    trajectory = factory.SubFactory(TrajectoryFactory)
    requested_end_date = factory.LazyAttribute(lambda e: e.trajectory.planned_end_date + dt.timedelta(days=182))
    reason = "Behandeldoelen nog niet bereikt"


class StopReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StopReview

    trajectory = factory.SubFactory(TrajectoryFactory)
    due_date = dt.date(2025, 8, 1)
