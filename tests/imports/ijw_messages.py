"""Generate iJw 3.2 messages for tests and the benchmark; every message is checked against its XSD."""

import datetime as dt
import itertools

from lxml import etree

from imports.ijw import schema

BSN = "999900006"  # the standard's test number (elfproef-valid)
GEMEENTE = "0384"
PROVIDER = "42420001"
CODES = {"JW301": 436, "JW305": 438, "JW307": 440, "JW315": 446, "JW317": 486}
_ids = itertools.count(1)


def _header(kind, sender, receiver, day):
    return f"""<m:Header>
    <m:BerichtCode>{CODES[kind]}</m:BerichtCode><m:BerichtVersie>3</m:BerichtVersie><m:BerichtSubversie>2</m:BerichtSubversie>
    <m:Afzender>{sender}</m:Afzender><m:Ontvanger>{receiver}</m:Ontvanger>
    <m:BerichtIdentificatie><ijw:Identificatie>{next(_ids)}</ijw:Identificatie><ijw:Dagtekening>{day}</ijw:Dagtekening></m:BerichtIdentificatie>
    <m:XsdVersie><ijw:BasisschemaXsdVersie>1.0.0</ijw:BasisschemaXsdVersie><ijw:BerichtXsdVersie>1.0.0</ijw:BerichtXsdVersie></m:XsdVersie>
  </m:Header>"""


def _wrap(kind, body):
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<m:Bericht xmlns:ijw="http://www.istandaarden.nl/ijw/3_2/basisschema/schema" '
        f'xmlns:m="http://www.istandaarden.nl/ijw/3_2/{kind.lower()}/schema">{body}</m:Bericht>'
    )
    data = text.encode()
    tree = etree.fromstring(data)
    xsd = schema(kind)
    assert xsd.validate(tree), f"generated {kind} does not validate: {xsd.error_log}"
    return data


def _client_short(bsn, birth, last_name="Wit"):
    return f"""<m:Bsn>{bsn}</m:Bsn><m:Geboortedatum><ijw:Datum>{birth}</ijw:Datum></m:Geboortedatum>
    <m:Geslacht>1</m:Geslacht>
    <m:Naam><ijw:Geslachtsnaam><ijw:Achternaam>{last_name}</ijw:Achternaam></ijw:Geslachtsnaam>
      <ijw:Voorletters>T</ijw:Voorletters></m:Naam>"""


def _omvang(volume, unit, frequency):
    return (
        f"<m:Omvang><ijw:Volume>{volume}</ijw:Volume><ijw:Eenheid>{unit}</ijw:Eenheid>"
        f"<ijw:Frequentie>{frequency}</ijw:Frequentie></m:Omvang>"
    )


def jw301(
    number,
    *,
    product="45A48",
    start=dt.date(2025, 2, 3),
    end=dt.date(2026, 2, 2),
    allocated=None,
    change_reason="",
    reference="",
    volume=2,
    unit="04",
    frequency="2",
    budget=None,
    bsn=BSN,
    birth=dt.date(2012, 2, 14),
    gemeente=GEMEENTE,
    provider=PROVIDER,
    last_name="Wit",
):
    allocated = allocated or dt.datetime.combine(start, dt.time(9, 0))
    optional_reference = f"<m:ReferentieAanbieder>{reference}</m:ReferentieAanbieder>" if reference else ""
    reason = f"<m:RedenWijziging>{change_reason}</m:RedenWijziging>" if change_reason else ""
    budget_xml = f"<m:Budget>{budget}</m:Budget>" if budget is not None else ""
    body = f"""{_header("JW301", gemeente, provider, allocated.date())}
  <m:Client>
    <m:Bsn>{bsn}</m:Bsn><m:Geboortedatum><ijw:Datum>{birth}</ijw:Datum></m:Geboortedatum><m:Geslacht>1</m:Geslacht>
    <m:Naam><ijw:Geslachtsnaam><ijw:Achternaam>{last_name}</ijw:Achternaam></ijw:Geslachtsnaam>
      <ijw:Voornamen>Tom</ijw:Voornamen><ijw:NaamGebruik>1</ijw:NaamGebruik></m:Naam>
    <m:Contactgegevens><m:Contact><m:Soort>01</m:Soort></m:Contact></m:Contactgegevens>
    <m:ToegewezenProducten><m:ToegewezenProduct>
      <m:ToewijzingNummer>{number}</m:ToewijzingNummer>{optional_reference}
      <m:Product><ijw:Categorie>{product[:2]}</ijw:Categorie><ijw:Code>{product}</ijw:Code></m:Product>
      <m:Toewijzingsdatum>{allocated.date()}</m:Toewijzingsdatum><m:Toewijzingstijd>{allocated:%H:%M:%S}</m:Toewijzingstijd>
      <m:Ingangsdatum>{start}</m:Ingangsdatum><m:Einddatum>{end}</m:Einddatum>{reason}
      {_omvang(volume, unit, frequency)}{budget_xml}
    </m:ToegewezenProduct></m:ToegewezenProducten>
  </m:Client>"""
    return _wrap("JW301", body)


def jw305(
    number, *, begin=dt.date(2025, 2, 10), product="45A48", status=1, bsn=BSN, gemeente=GEMEENTE, provider=PROVIDER
):
    body = f"""{_header("JW305", provider, gemeente, begin)}
  <m:Client>{_client_short(bsn, dt.date(2012, 2, 14))}
    <m:StartProducten><m:StartProduct>
      <m:ToewijzingNummer>{number}</m:ToewijzingNummer>
      <m:Product><ijw:Categorie>{product[:2]}</ijw:Categorie><ijw:Code>{product}</ijw:Code></m:Product>
      <m:Begindatum>{begin}</m:Begindatum><m:StatusAanlevering>{status}</m:StatusAanlevering>
    </m:StartProduct></m:StartProducten>
  </m:Client>"""
    return _wrap("JW305", body)


def jw307(
    number,
    *,
    begin=dt.date(2025, 2, 10),
    end=dt.date(2025, 12, 19),
    reason="31",
    product="45A48",
    status=1,
    bsn=BSN,
    gemeente=GEMEENTE,
    provider=PROVIDER,
):
    body = f"""{_header("JW307", provider, gemeente, end)}
  <m:Client>{_client_short(bsn, dt.date(2012, 2, 14))}
    <m:StopProducten><m:StopProduct>
      <m:ToewijzingNummer>{number}</m:ToewijzingNummer>
      <m:Product><ijw:Categorie>{product[:2]}</ijw:Categorie><ijw:Code>{product}</ijw:Code></m:Product>
      <m:Begindatum>{begin}</m:Begindatum><m:RedenBeeindiging>{reason}</m:RedenBeeindiging>
      <m:Einddatum>{end}</m:Einddatum><m:StatusAanlevering>{status}</m:StatusAanlevering>
    </m:StopProduct></m:StopProducten>
  </m:Client>"""
    return _wrap("JW307", body)


def jw315(
    reference,
    *,
    referrer="02",
    referrer_agb="01234567",
    product="45A48",
    start=dt.date(2025, 2, 3),
    day=dt.date(2025, 1, 20),
    bsn=BSN,
    gemeente=GEMEENTE,
    provider=PROVIDER,
):
    referrer_detail = (
        f"<ijw:ZorgverlenerCode>{referrer_agb}</ijw:ZorgverlenerCode>" if referrer in ("02", "03", "05") else ""
    )
    body = f"""{_header("JW315", provider, gemeente, day)}
  <m:Client>{_client_short(bsn, dt.date(2012, 2, 14))}
    <m:AangevraagdeProducten><m:AangevraagdProduct>
      <m:ReferentieAanbieder>{reference}</m:ReferentieAanbieder>
      <m:Product><ijw:Categorie>{product[:2]}</ijw:Categorie><ijw:Code>{product}</ijw:Code></m:Product>
      <m:ToewijzingIngangsdatum>{start}</m:ToewijzingIngangsdatum>
      {_omvang(2, "04", "2")}
      <m:Verwijzer><ijw:Type>{referrer}</ijw:Type>{referrer_detail}</m:Verwijzer>
    </m:AangevraagdProduct></m:AangevraagdeProducten>
  </m:Client>"""
    return _wrap("JW315", body)


def jw317(
    number,
    *,
    end=dt.date(2026, 8, 2),
    desired_start=dt.date(2026, 1, 15),
    volume=None,
    reference="W-1",
    reason="2",
    bsn=BSN,
    gemeente=GEMEENTE,
    provider=PROVIDER,
):
    omvang = _omvang(volume, "04", "2") if volume else ""
    body = f"""{_header("JW317", provider, gemeente, desired_start)}
  <m:Client><m:Bsn>{bsn}</m:Bsn>
    <m:Verzoek><m:ReferentieAanbieder>{reference}</m:ReferentieAanbieder><m:RedenVerzoek>{reason}</m:RedenVerzoek>
      <m:TeWijzigenProducten><m:TeWijzigenProduct>
        <m:ToewijzingNummer>{number}</m:ToewijzingNummer><m:GewensteIngangsdatum>{desired_start}</m:GewensteIngangsdatum>
        <m:Einddatum>{end}</m:Einddatum>{omvang}
      </m:TeWijzigenProduct></m:TeWijzigenProducten>
    </m:Verzoek>
  </m:Client>"""
    return _wrap("JW317", body)
