"""What an iJw message must be before anything is written: checked at once, every problem of the file together."""

from decimal import Decimal

from cases.codes import EndReason, Frequency, ReferrerType, Unit
from cases.validators import bsn_is_valid

from .common import mask_bsn
from .ijw import Message, MessageError, iso_date
from .lookups import Lookups
from .report import Problem


def check_message(message: Message, lookups: Lookups) -> None:
    """Everything that can be checked before writing; every problem of the file at once."""
    problems = []

    def problem(where, field, value, text):
        problems.append(Problem(message.file, where, field, value, text))

    if text := lookups.gemeente_problem(message.gemeente_code):
        problem(message.kind, "gemeente", message.gemeente_code, text)
    if text := lookups.provider_problem(message.provider_agb):
        problem(message.kind, "aanbieder", message.provider_agb, text)
    if not bsn_is_valid(message.bsn):
        problem(
            message.kind, "Bsn", mask_bsn(message.bsn), "Dit is geen geldig BSN (het voldoet niet aan de elfproef)."
        )
    for item in message.items:
        where = message.where(item)
        code = item.get("product_code", "")
        if message.kind in ("JW301", "JW315"):
            if not code:
                problem(
                    where,
                    "Product",
                    "",
                    "Een toewijzing zonder productcode (aspecifiek) kan jeugdregie niet vastleggen.",
                )
            elif text := lookups.product_problem(code):
                problem(where, "Product", code, text)
        if message.kind == "JW301":
            if not (item["volume"] and item["unit"] and item["frequency"]):
                problem(
                    where,
                    "Omvang",
                    "",
                    "Een toewijzing zonder omvang (volume, eenheid, frequentie) kan jeugdregie niet vastleggen.",
                )
            elif Decimal(item["volume"]) <= 0:
                problem(where, "Volume", item["volume"], "Het volume moet groter zijn dan nul.")
            elif item["unit"] not in Unit.values or item["frequency"] not in Frequency.values:
                problem(where, "Omvang", f"{item['unit']}/{item['frequency']}", "Onbekende eenheid of frequentie.")
            if not item["end"]:
                problem(where, "Einddatum", "", "Een toewijzing zonder einddatum kan jeugdregie niet vastleggen.")
            elif iso_date(item["end"]) < iso_date(item["start"]):
                problem(where, "Einddatum", item["end"], f"De einddatum ligt vóór de ingangsdatum {item['start']}.")
        if message.kind in ("JW305", "JW307") and not item["allocation_number"]:
            problem(
                where,
                "ToewijzingNummer",
                "",
                "Zonder toewijzingnummer kan jeugdregie het bericht aan geen toewijzing koppelen.",
            )
        if message.kind in ("JW305", "JW307") and item["status"] not in ("1", "2", "3"):
            problem(where, "StatusAanlevering", item["status"], "Onbekende status aanlevering (COD467).")
        if message.kind == "JW307":
            if item["end_reason"] not in EndReason.values:
                problem(where, "RedenBeeindiging", item["end_reason"], "Onbekende reden van beëindiging (JZ588).")
            if iso_date(item["end"]) < iso_date(item["begin"]):
                problem(where, "Einddatum", item["end"], f"De einddatum ligt vóór de begindatum {item['begin']}.")
        if message.kind == "JW315" and item["referrer_type"] not in ReferrerType.values:
            problem(where, "Verwijzer", item["referrer_type"], "Onbekende verwijzer (COD327).")
    if message.kind == "JW315" and not message.birth_date:
        problem(message.kind, "Geboortedatum", "", "Zonder geboortedatum kan jeugdregie geen dossier aanmaken.")
    if problems:
        raise MessageError(problems)
