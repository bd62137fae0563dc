"""Reading iJw 3.2 messages: XSD validation (lxml) and the fields jeugdregie uses, as plain data.

Every message is validated against its own schema (imports/data/ijw/xsd/, copied from
../shared/ijw/xsd/) before a single field is read; a message that does not validate is refused
with the schema's findings in Dutch. The parser is hardened: no entities, no network, no huge trees.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

from .common import mask_bsn
from .report import Problem

XSD_DIR = Path(__file__).resolve().parent / "data" / "ijw" / "xsd"
IJW = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"
NAMESPACE = re.compile(r"^http://www\.istandaarden\.nl/ijw/3_2/(jw\d{3})/schema$")
IMPORTED = ("JW301", "JW305", "JW307", "JW315", "JW317", "JW323", "JW325")
MAX_SCHEMA_ERRORS = 20


class MessageError(Exception):
    """A refused message file; reading and applying (ijw_import.py) both raise it."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems[0].message if problems else "")
        self.problems = problems

    @classmethod
    def one(cls, file: str, where: str, field_name: str, value: str, text: str) -> "MessageError":
        return cls([Problem(file, where, field_name, value, text)])


@dataclass
class Message:
    kind: str
    file: str
    gemeente_code: str
    provider_agb: str
    message_id: str
    message_date: dt.date
    bsn: str
    birth_date: dt.date | None = None
    first_name: str = ""
    name_prefix: str = ""
    last_name: str = ""
    # One dict per product line (JSON-friendly: dates as ISO text, so a waiting message can be stored).
    items: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    # JW323/JW325: the declaration's own fields (number, period, totals; the answered message).
    declaration: dict = field(default_factory=dict)

    def where(self, item: dict | None = None) -> str:
        if item and item.get("reference"):
            return f"{self.kind} prestatie {item['reference']}"
        if item and item.get("allocation_number"):
            return f"{self.kind} toewijzing {item['allocation_number']}"
        if item and item.get("provider_reference"):
            return f"{self.kind} referentie {item['provider_reference']}"
        return self.kind


@cache
def schema(kind: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / f"{kind}.xsd")))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True)


def _dutch(message: str) -> tuple[str, str, str]:
    """(field, value, Dutch message) for the libxml2 schema errors one meets in practice."""
    element = re.search(r"Element '\{[^}]*\}(\w+)'", message)
    name = element.group(1) if element else ""
    if match := re.search(r": '([^']*)' is not a valid value of the atomic type '\{[^}]*\}(\w+)'", message):
        value, kind = match.groups()
        if "Datum" in kind:
            return name, value, f"'{value}' is geen geldige datum."
        return name, value, f"'{value}' is geen geldige waarde ({kind})."
    if match := re.search(r"\[facet '(\w+)'\] The value '([^']*)'", message):
        return name, match.group(2), f"De waarde '{match.group(2)}' is niet toegestaan ({match.group(1)})."
    if "This element is not expected" in message:
        expected = (
            re.findall(r"\{[^}]*\}(\w+)", message.split("Expected is", 1)[-1]) if "Expected is" in message else []
        )
        hint = f" Verwacht: {', '.join(expected)}." if expected else ""
        return name, "", f"Element '{name}' hoort hier niet volgens het schema.{hint}"
    if "Missing child element" in message:
        expected = re.findall(r"\{[^}]*\}(\w+)", message.split("Expected is", 1)[-1])
        return name, "", f"Verplicht element ontbreekt in '{name}': {', '.join(expected)}."
    return name, "", f"Voldoet niet aan het schema: {message}"


def iso_date(text: str) -> dt.date | None:
    """A date as a message carries it (the XSD has checked it: 2026-02-02); None for an empty element."""
    return dt.date.fromisoformat(text) if text else None


def read_message(path: Path, display_name: str) -> Message:
    """Validate and read one message file; raises MessageError with every problem found."""

    def fail(where: str, field_name: str, value: str, text: str) -> MessageError:
        return MessageError.one(display_name, where, field_name, value, text)

    try:
        tree = etree.parse(str(path), _parser())
    except etree.XMLSyntaxError as exc:
        raise fail(f"regel {exc.lineno}", "xml", "", f"Het bestand is geen geldige XML: {exc.msg}.") from None
    if tree.docinfo.doctype:
        # iJw messages never carry a DOCTYPE; one here can only be trouble (entities, XXE).
        raise fail("bericht", "DOCTYPE", "", "Een iJw-bericht mag geen DOCTYPE bevatten.")
    root = tree.getroot()
    match = NAMESPACE.match(etree.QName(root).namespace or "")
    if etree.QName(root).localname != "Bericht" or not match:
        raise fail("bericht", "Bericht", "", "Dit is geen iJw 3.2-bericht.")
    kind = match.group(1).upper()
    if not (XSD_DIR / f"{kind}.xsd").exists():
        raise fail("bericht", "Bericht", kind, f"Berichttype {kind} is geen iJw 3.2-bericht dat jeugdregie kent.")
    xsd = schema(kind)
    try:
        valid = xsd.validate(tree)
    except etree.XMLSchemaValidateError:
        raise fail("bericht", "Bericht", "", "Het bericht kan niet tegen het schema worden gecontroleerd.") from None
    if not valid:
        problems = []
        for error in list(xsd.error_log)[:MAX_SCHEMA_ERRORS]:
            field_name, value, text = _dutch(error.message)
            if field_name == "Bsn":
                value = mask_bsn(value)
            problems.append(Problem(display_name, f"{kind} regel {error.line}", field_name, value, text))
        raise MessageError(problems)
    if kind not in IMPORTED:
        raise fail(
            kind,
            "Bericht",
            kind,
            f"Berichttype {kind} wordt niet geïmporteerd; jeugdregie leest JW301, JW305, JW307, JW315, JW317, "
            "JW323 en JW325.",
        )
    return _READERS[kind](_Reader(root, kind.lower()), kind, display_name)


class _Reader:
    """Find text by a path like 'Client/Product/ijw:Code' in the message's own namespace."""

    def __init__(self, root, prefix: str):
        self.root = root
        self.prefix = prefix

    @staticmethod
    @cache
    def _tags(path: str, prefix: str) -> tuple[str, ...]:
        # Clark notation ({namespace}Name), worked out once per path: lxml then needs no prefix map,
        # which made the lookups the largest cost of reading a message.
        own = f"{{http://www.istandaarden.nl/ijw/3_2/{prefix}/schema}}"
        return tuple(f"{{{IJW}}}{part[4:]}" if part.startswith("ijw:") else own + part for part in path.split("/"))

    @staticmethod
    @cache
    def _path(path: str, prefix: str) -> str:
        return "/".join(_Reader._tags(path, prefix))

    def text(self, path: str, node=None) -> str:
        found = _first(node if node is not None else self.root, self._tags(path, self.prefix))
        return (found.text or "").strip() if found is not None else ""

    def all(self, path: str, node=None) -> list:
        return (node if node is not None else self.root).findall(self._path(path, self.prefix))


def _first(node, tags: tuple[str, ...]):
    """The first element at the path of `tags` below `node`, in document order, as lxml's find gives it; walked
    with iterchildren, twice as fast as find's path parsing (it ran ~20 times for every message)."""
    for child in node.iterchildren(tags[0]):
        if len(tags) == 1:
            return child
        if (found := _first(child, tags[1:])) is not None:
            return found
    return None


def _header(r: _Reader, kind: str, name: str, *, gemeente_is_sender: bool) -> Message:
    sender, receiver = r.text("Header/Afzender"), r.text("Header/Ontvanger")
    birth = r.text("Client/Geboortedatum/ijw:Datum")
    return Message(
        kind=kind,
        file=name,
        gemeente_code=sender if gemeente_is_sender else receiver,
        provider_agb=receiver if gemeente_is_sender else sender,
        message_id=r.text("Header/BerichtIdentificatie/ijw:Identificatie"),
        message_date=dt.date.fromisoformat(r.text("Header/BerichtIdentificatie/ijw:Dagtekening")),
        bsn=r.text("Client/Bsn"),
        birth_date=iso_date(birth),
        first_name=r.text("Client/Naam/ijw:Voornamen") or r.text("Client/Naam/ijw:Voorletters"),
        name_prefix=r.text("Client/Naam/ijw:Geslachtsnaam/ijw:Voorvoegsel"),
        last_name=r.text("Client/Naam/ijw:Geslachtsnaam/ijw:Achternaam"),
    )


def _omvang(r: _Reader, node) -> dict:
    return {
        "volume": r.text("Omvang/ijw:Volume", node),
        "unit": r.text("Omvang/ijw:Eenheid", node),
        "frequency": r.text("Omvang/ijw:Frequentie", node),
    }


def _read_jw301(r: _Reader, kind: str, name: str) -> Message:
    message = _header(r, kind, name, gemeente_is_sender=True)
    for node in r.all("Client/ToegewezenProducten/ToegewezenProduct"):
        time = r.text("Toewijzingstijd", node) or "00:00:00"
        message.items.append(
            {
                "allocation_number": r.text("ToewijzingNummer", node),
                "provider_reference": r.text("ReferentieAanbieder", node),
                "category": r.text("Product/ijw:Categorie", node),
                "product_code": r.text("Product/ijw:Code", node),
                "allocated_at": f"{r.text('Toewijzingsdatum', node)}T{time[:8]}",
                "start": r.text("Ingangsdatum", node),
                "end": r.text("Einddatum", node),
                "change_reason": r.text("RedenWijziging", node),
                "budget_cents": r.text("Budget", node),
                **_omvang(r, node),
            }
        )
    return message


def _read_jw305(r: _Reader, kind: str, name: str) -> Message:
    message = _header(r, kind, name, gemeente_is_sender=False)
    for node in r.all("Client/StartProducten/StartProduct"):
        message.items.append(
            {
                "allocation_number": r.text("ToewijzingNummer", node),
                "product_code": r.text("Product/ijw:Code", node),
                "begin": r.text("Begindatum", node),
                "status": r.text("StatusAanlevering", node),
            }
        )
    return message


def _read_jw307(r: _Reader, kind: str, name: str) -> Message:
    message = _header(r, kind, name, gemeente_is_sender=False)
    for node in r.all("Client/StopProducten/StopProduct"):
        message.items.append(
            {
                "allocation_number": r.text("ToewijzingNummer", node),
                "product_code": r.text("Product/ijw:Code", node),
                "begin": r.text("Begindatum", node),
                "end": r.text("Einddatum", node),
                "end_reason": r.text("RedenBeeindiging", node),
                "status": r.text("StatusAanlevering", node),
            }
        )
    return message


def _read_jw315(r: _Reader, kind: str, name: str) -> Message:
    message = _header(r, kind, name, gemeente_is_sender=False)
    for node in r.all("Client/AangevraagdeProducten/AangevraagdProduct"):
        message.items.append(
            {
                "provider_reference": r.text("ReferentieAanbieder", node),
                "product_code": r.text("Product/ijw:Code", node),
                "start": r.text("ToewijzingIngangsdatum", node),
                "referrer_type": r.text("Verwijzer/ijw:Type", node),
                "referrer_name": r.text("Verwijzer/ijw:Naam", node),
                "referrer_agb": r.text("Verwijzer/ijw:ZorgverlenerCode", node),
            }
        )
    return message


def _read_jw317(r: _Reader, kind: str, name: str) -> Message:
    message = _header(r, kind, name, gemeente_is_sender=False)
    request = r.all("Client/Verzoek")[0]
    reference = r.text("ReferentieAanbieder", request)
    reason = r.text("RedenVerzoek", request)
    for node in r.all("TeWijzigenProducten/TeWijzigenProduct", request):
        message.items.append(
            {
                "allocation_number": r.text("ToewijzingNummer", node),
                "provider_reference": reference,
                "request_reason": reason,
                "desired_start": r.text("GewensteIngangsdatum", node),
                "end": r.text("Einddatum", node),
                **_omvang(r, node),
            }
        )
    unchanged = len(r.all("OngewijzigdeProducten/OngewijzigdProduct", request))
    new_products = [r.text("Product/ijw:Code", node) for node in r.all("NieuweProducten/NieuwProduct", request)]
    if new_products:
        message.notes.append(
            f"verzoek {reference} vraagt om nieuwe producten ({', '.join(p or 'zonder code' for p in new_products)}); "
            "dat is geen verlenging en wordt vastgelegd zodra de gemeente toewijst (JW301)"
        )
    if unchanged:
        message.notes.append(f"verzoek {reference}: {unchanged} toewijzing(en) ongewijzigd")
    return message


def _signed_cents(r: _Reader, node, path: str) -> int:
    """A CDT_BedragMetDC or CDT_TotaalBedragMetDC as signed eurocents (COD043: C is negative)."""
    amount = int(r.text(f"{path}/ijw:Bedrag", node) or r.text(f"{path}/ijw:TotaalBedrag", node) or 0)
    return -amount if r.text(f"{path}/ijw:DebetCredit", node) == "C" else amount


def _prestatie(r: _Reader, node, bsn: str) -> dict:
    return {
        "bsn": bsn,
        "reference": r.text("ProductReferentie/ijw:ReferentieNummer", node),
        "previous_reference": r.text("ProductReferentie/ijw:VorigReferentieNummer", node),
        "allocation_number": r.text("ToewijzingNummer", node),
        "category": r.text("ProductCategorie", node),
        "product_code": r.text("ProductCode", node),
        "begin": r.text("ProductPeriode/ijw:Begindatum", node),
        "end": r.text("ProductPeriode/ijw:Einddatum", node),
        "volume": r.text("GeleverdVolume", node),
        "unit": r.text("Eenheid", node),
        "tariff_cents": r.text("ProductTarief", node),
        "debit_credit": r.text("IngediendBedrag/ijw:DebetCredit", node),
        "amount_cents": _signed_cents(r, node, "IngediendBedrag"),
        "codes": [code.text for code in r.all("RetourCodes/RetourCode", node)],
    }


def _read_jw323(r: _Reader, kind: str, name: str) -> Message:
    """Declaratie: one message for many clients, so each line carries its own BSN."""
    message = _header(r, kind, name, gemeente_is_sender=False)
    message.declaration = {
        "number": r.text("Declaratie/DeclaratieNummer"),
        "begin": r.text("Declaratie/DeclaratiePeriode/ijw:Begindatum"),
        "end": r.text("Declaratie/DeclaratiePeriode/ijw:Einddatum"),
        "total_cents": _signed_cents(r, r.root, "Declaratie/TotaalIngediendBedrag"),
    }
    for client in r.all("Declaratie/Clienten/Client"):
        bsn = r.text("Bsn", client)
        message.items.extend(_prestatie(r, node, bsn) for node in r.all("Prestaties/Prestatie", client))
    return message


def _read_jw325(r: _Reader, kind: str, name: str) -> Message:
    """Declaratie-antwoord: only the lines with a remark are listed; the rest of the declaration is approved."""
    message = _header(r, kind, name, gemeente_is_sender=True)
    answer = r.all("DeclaratieAntwoord")
    message.declaration = {
        "answers_message_id": r.text("Header/DeclaratieIdentificatie/ijw:Identificatie"),
        "header_codes": [code.text for code in r.all("Header/RetourCodes/RetourCode")],
        "has_answer": bool(answer),
    }
    if answer:
        node = answer[0]
        message.declaration.update(
            {
                "number": r.text("DeclaratieNummer", node),
                "total_cents": _signed_cents(r, node, "TotaalIngediendBedrag"),
                "approved_cents": _signed_cents(r, node, "TotaalToegekendBedrag"),
                "codes": [code.text for code in r.all("RetourCodes/RetourCode", node)],
            }
        )
        for client in r.all("Clienten/Client", node):
            bsn = r.text("Bsn", client)
            message.items.extend(_prestatie(r, line, bsn) for line in r.all("Prestaties/Prestatie", client))
    return message


_READERS = {
    "JW301": _read_jw301,
    "JW305": _read_jw305,
    "JW307": _read_jw307,
    "JW315": _read_jw315,
    "JW317": _read_jw317,
    "JW323": _read_jw323,
    "JW325": _read_jw325,
}
