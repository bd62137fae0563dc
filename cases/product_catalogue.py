"""The five Haaglanden segments (DOMAIN.md §4) and the national product code list grouped into them.

The grouping is a default a beheerder can change per product in the admin; other regions
segment differently. Source: cases/data/standaardproductcodelijst_jeugdwet.json, a copy of
../shared/ijw/standaardproductcodelijst_jeugdwet.json (Zorginstituut Nederland).
"""

import json
from pathlib import Path

CATALOGUE = Path(__file__).parent / "data" / "standaardproductcodelijst_jeugdwet.json"

# number, name, usual financing from 2027, norm months, residential
SEGMENTS = [
    (1, "Jeugdhulp met verblijf (incl. crisis)", "taak", 12, True),
    (2, "Hoog specialistische jeugdhulp (GGZ, incl. forensisch)", "taak", 12, False),
    (3, "Dagbesteding / dagbehandeling", "taak", 12, False),
    (4, "Onderwijs-jeugdhulp", "taak", 12, False),
    (5, "Veel voorkomende jeugdhulp", "inspanning", 12, False),
]

CRISIS_NORM_MONTHS = 6  # DOMAIN.md §6: crisis care is normed at 6 months
RESIDENTIAL_HULPVORM = {"11", "12", "13", "14"}
SPECIALIST_CATEGORIES = {"47", "48", "49", "52", "53", "54"}


def segment_number(category: str, hulpvorm: str, description: str) -> int:
    text = description.lower()
    if category in {"43", "44", "46"} or hulpvorm in RESIDENTIAL_HULPVORM:
        return 1
    if category in SPECIALIST_CATEGORIES or (category == "45" and "specialistisch" in text):
        return 2
    if category == "41" or hulpvorm == "03":
        return 3
    if category == "45" and "groep" in text:
        # Group-based help, typically delivered in and around school.
        return 4
    return 5


def product_defaults(row: dict) -> dict:
    """The stored fields of a Product for one row of the national list."""
    code = row["productcode"]
    category = code[:2]
    hulpvorm = row["dimensie_hulpvorm_code"] or "-"
    variant = row["uitvoeringsvariant"] or ""
    with_stay = hulpvorm in RESIDENTIAL_HULPVORM or category in {"43", "44"}
    if variant == "Outputgericht":
        financing, unit = "output", "82"
    elif with_stay:
        financing, unit = "inspanning", "14"
    elif category == "41":
        financing, unit = "inspanning", "16"
    else:
        financing, unit = "inspanning", "04"
    return {
        "description": row["omschrijving"][:200],
        "category": category,
        "execution_variant": variant,
        "with_stay": with_stay,
        "unit": unit,
        "financing": financing,
        "norm_months": CRISIS_NORM_MONTHS if category == "46" else None,
        "segment_number": segment_number(category, hulpvorm, row["omschrijving"]),
    }


def load_catalogue(segment_model, product_model) -> None:
    """Create the default segments and all products; existing rows are left as the beheerder set them."""
    segments = {}
    for number, name, financing, norm, residential in SEGMENTS:
        segments[number], _ = segment_model.objects.get_or_create(
            number=number,
            defaults={"name": name, "financing": financing, "norm_months": norm, "is_residential": residential},
        )
    rows = json.loads(CATALOGUE.read_text(encoding="utf-8"))["products"]
    existing = set(product_model.objects.values_list("code", flat=True))
    new = []
    for row in rows:
        if row["productcode"] in existing:
            continue
        fields = product_defaults(row)
        segment = segments[fields.pop("segment_number")]
        new.append(product_model(code=row["productcode"], segment=segment, **fields))
    product_model.objects.bulk_create(new)
