"""The reference data a beheerder enters (DOMAIN.md §2): gemeenten, youth population, budgets, products, providers."""

from decimal import Decimal

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cases.codes import Financing
from cases.models import (
    CostBasis,
    Gemeente,
    PaymentSchedule,
    Product,
    Provider,
    SegmentBudget,
    TaskContract,
    YouthPopulation,
)
from demo.calibration import contract_shares
from demo.catalogue import PRODUCTS, PROVIDERS
from demo.figures import LOGGED_FROM, PROEFDORP_SHARE, TARGETS, TASK_FINANCING_FROM, tariff_index
from demo.history import BATCH
from demo.plan import DemoPlan


def write_gemeenten(plan: DemoPlan, beheer) -> dict:
    return {
        g.code: g
        for g in bulk_create_with_history(
            [Gemeente(code=g.code, name=g.name) for g in plan.gemeenten],
            Gemeente,
            batch_size=BATCH,
            default_user=beheer,
        )
    }


ONE_IN_N_TARGETS = {2026: 9, 2027: 10, 2028: 11}


def write_youth_population(plan: DemoPlan, gemeenten: dict, beheer) -> None:
    """A slowly growing youth population, as entered by the beheerder each year."""
    bulk_create_with_history(
        [
            YouthPopulation(
                gemeente=gemeenten[g.code],
                year=year,
                count=round(g.population * (0.985 + 0.005 * (year - LOGGED_FROM.year))),
                # The council's goal (DOMAIN.md §1: from 1 in 8 towards 1 in 9 and further), set from 2026.
                one_in_n_target=ONE_IN_N_TARGETS.get(year),
            )
            for g in plan.gemeenten
            for year in range(LOGGED_FROM.year, plan.today.year + 1)
        ],
        YouthPopulation,
        batch_size=BATCH,
        default_user=beheer,
    )


def write_budgets(plan: DemoPlan, gemeenten: dict, segments: dict, beheer) -> None:
    """Budget per segment per year, a little under the calibrated spend: the structural overrun of §1."""
    rows = []
    for gemeente_plan in plan.gemeenten:
        share = Decimal("1") if gemeente_plan.spend_targets else Decimal(str(PROEFDORP_SHARE))
        base = gemeente_plan.spend_targets or {s: spend for s, (spend, _) in TARGETS.items()}
        for year in range(LOGGED_FROM.year, plan.today.year + 1):
            for number, spend in base.items():
                amount = spend * share * Decimal(str(tariff_index(year) * 0.96))
                rows.append(
                    SegmentBudget(
                        gemeente=gemeenten[gemeente_plan.code],
                        segment=segments[number],
                        year=year,
                        amount=(amount / 1000).quantize(Decimal("1")) * 1000,
                    )
                )
    bulk_create_with_history(rows, SegmentBudget, batch_size=BATCH, default_user=beheer)


def write_products(plan: DemoPlan, beheer) -> dict:
    """Set tariff, financing, unit and norm on the products the demo uses, as a beheerder would."""
    products = {p.code: p for p in Product.objects.filter(code__in=[p.code for p in PRODUCTS])}
    for product_plan in PRODUCTS:
        product = products[product_plan.code]
        product.tariff = plan.tariffs[product_plan.code]
        product.financing = Financing.TASK if product.tariff is None else Financing.EFFORT
        product.reference_tariff = plan.reference_tariffs.get(product_plan.code)
        product.norm_volume = product_plan.norm_volume
        product.unit = product_plan.unit or product.unit
        product.norm_months = product_plan.norm or product.norm_months
    bulk_update_with_history(
        list(products.values()),
        Product,
        ["tariff", "financing", "unit", "norm_months", "reference_tariff", "norm_volume"],
        batch_size=BATCH,
        default_user=beheer,
    )
    return products


def write_providers(beheer) -> dict:
    return {
        p.agb_code: p
        for p in bulk_create_with_history(
            [Provider(agb_code=p.agb, name=p.name, contracted=p.contracted) for p in PROVIDERS],
            Provider,
            batch_size=BATCH,
            default_user=beheer,
        )
    }


def write_task_contracts(plan: DemoPlan, gemeenten: dict, segments: dict, providers: dict, beheer) -> None:
    """Taakgerichte contracts for segments 1-4 from TASK_FINANCING_FROM: per contracted provider its share of
    the segment's last P × Q year, of the segment's spend at that year's prices. Residential and specialist
    care is weighed by reference tariff (a JeugdzorgPlus day is not a foster-care day); onderwijs-jeugdhulp
    is spread over care days and paid per quarter."""
    base_year = TASK_FINANCING_FROM.year - 1
    rows = []
    for gemeente_plan in plan.gemeenten:
        share = Decimal("1") if gemeente_plan.spend_targets else Decimal(str(PROEFDORP_SHARE))
        base = gemeente_plan.spend_targets or {s: spend for s, (spend, _) in TARGETS.items()}
        shares = contract_shares(gemeente_plan, base_year)
        for year in range(TASK_FINANCING_FROM.year, max(plan.today.year, TASK_FINANCING_FROM.year) + 1):
            for (agb, number), provider_share in sorted(shares.items()):
                amount = base[number] * share * Decimal(str(tariff_index(year))) * provider_share
                amount = (amount / 1000).quantize(Decimal("1")) * 1000
                if amount <= 0:
                    continue
                school = number == 4
                rows.append(
                    TaskContract(
                        gemeente=gemeenten[gemeente_plan.code],
                        provider=providers[agb],
                        segment=segments[number],
                        year=year,
                        amount=amount,
                        payment_schedule=PaymentSchedule.QUARTERLY if school else PaymentSchedule.MONTHLY,
                        cost_basis=CostBasis.CARE_DAYS if school else CostBasis.REFERENCE,
                    )
                )
    bulk_create_with_history(rows, TaskContract, batch_size=BATCH, default_user=beheer)
