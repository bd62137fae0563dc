"""Generate JW323 declarations and JW325 answers for tests and the benchmark; each is checked against its XSD."""

import datetime as dt
import itertools

from .ijw_messages import _wrap

GEMEENTE = "0384"
PROVIDER = "65656055"
_ids = itertools.count(900001)


def _header(kind, code, sender, receiver, message_id, day):
    return f"""<m:Header>
    <m:BerichtCode>{code}</m:BerichtCode><m:BerichtVersie>3</m:BerichtVersie><m:BerichtSubversie>2</m:BerichtSubversie>
    <m:Afzender>{sender}</m:Afzender><m:Ontvanger>{receiver}</m:Ontvanger>
    <m:BerichtIdentificatie><ijw:Identificatie>{message_id}</ijw:Identificatie><ijw:Dagtekening>{day}</ijw:Dagtekening></m:BerichtIdentificatie>
    <m:XsdVersie><ijw:BasisschemaXsdVersie>1.0.0</ijw:BasisschemaXsdVersie><ijw:BerichtXsdVersie>1.0.0</ijw:BerichtXsdVersie></m:XsdVersie>"""


def line(allocation, begin, end, volume, tariff_cents, *, ref, bsn="999900006", product="45A48", dc="D", unit="04",
         amount_cents=None, codes=()):  # fmt: skip
    """One prestatie; the amount is volume × tariff unless given."""
    return {
        "allocation": allocation, "begin": begin, "end": end, "volume": volume, "tariff": tariff_cents, "ref": ref,
        "bsn": bsn, "product": product, "dc": dc, "unit": unit,
        "amount": amount_cents if amount_cents is not None else round(volume * tariff_cents), "codes": codes,
    }  # fmt: skip


def _prestatie(item, *, answer=False):
    codes = ""
    if answer:
        codes = (
            "<m:RetourCodes>" + "".join(f"<m:RetourCode>{c}</m:RetourCode>" for c in item["codes"]) + "</m:RetourCodes>"
        )
    return f"""<m:Prestatie>
      <m:ProductReferentie><ijw:ReferentieNummer>{item["ref"]}</ijw:ReferentieNummer></m:ProductReferentie>
      <m:ToewijzingNummer>{item["allocation"]}</m:ToewijzingNummer>
      <m:ProductCategorie>{item["product"][:2]}</m:ProductCategorie><m:ProductCode>{item["product"]}</m:ProductCode>
      <m:ProductPeriode><ijw:Begindatum>{item["begin"]}</ijw:Begindatum><ijw:Einddatum>{item["end"]}</ijw:Einddatum></m:ProductPeriode>
      <m:GeleverdVolume>{item["volume"]}</m:GeleverdVolume><m:Eenheid>{item["unit"]}</m:Eenheid>
      <m:ProductTarief>{item["tariff"]}</m:ProductTarief>
      <m:IngediendBedrag><ijw:Bedrag>{abs(item["amount"])}</ijw:Bedrag><ijw:DebetCredit>{item["dc"]}</ijw:DebetCredit></m:IngediendBedrag>{codes}
    </m:Prestatie>"""


def _clients(lines, *, answer=False):
    by_bsn = {}
    for item in lines:
        by_bsn.setdefault(item["bsn"], []).append(item)
    client_codes = "<m:RetourCodes><m:RetourCode>0200</m:RetourCode></m:RetourCodes>" if answer else ""
    return "".join(
        f"<m:Client><m:Bsn>{bsn}</m:Bsn><m:Prestaties>{''.join(_prestatie(i, answer=answer) for i in items)}"
        f"</m:Prestaties>{client_codes}</m:Client>"
        for bsn, items in by_bsn.items()
    )


def _signed(item):
    return item["amount"] if item["dc"] == "D" else -item["amount"]


def _total(name, cents):
    return (
        f"<m:{name}><ijw:TotaalBedrag>{abs(cents)}</ijw:TotaalBedrag>"
        f"<ijw:DebetCredit>{'C' if cents < 0 else 'D'}</ijw:DebetCredit></m:{name}>"
    )


def jw323(lines, *, period, number="DN1", message_id=None, total=None, gemeente=GEMEENTE, provider=PROVIDER,
          day=None):  # fmt: skip
    """A declaration over `period` (first, last day); the total adds up unless given."""
    message_id = message_id or str(next(_ids))
    total = sum(_signed(i) for i in lines) if total is None else total
    day = day or period[1] + dt.timedelta(days=5)
    body = f"""{_header("JW323", 490, provider, gemeente, message_id, day)}</m:Header>
  <m:Declaratie>
    <m:DeclaratieNummer>{number}</m:DeclaratieNummer>
    <m:DeclaratiePeriode><ijw:Begindatum>{period[0]}</ijw:Begindatum><ijw:Einddatum>{period[1]}</ijw:Einddatum></m:DeclaratiePeriode>
    <m:DeclaratieDagtekening>{day}</m:DeclaratieDagtekening>
    {_total("TotaalIngediendBedrag", total)}
    <m:Clienten>{_clients(lines)}</m:Clienten>
  </m:Declaratie>"""
    return _wrap("JW323", body)


def jw325(declaration_id, lines, rejected, *, number="DN1", total=None, approved=None, day=dt.date(2026, 6, 10),
          gemeente=GEMEENTE, provider=PROVIDER):  # fmt: skip
    """The answer to declaration message `declaration_id` over `lines`: the refs in `rejected` ({ref: codes}) are
    listed with their codes; totals add up unless given."""
    listed = [{**i, "codes": rejected[i["ref"]]} for i in lines if i["ref"] in rejected]
    total = sum(_signed(i) for i in lines) if total is None else total
    approved = sum(_signed(i) for i in lines if i["ref"] not in rejected) if approved is None else approved
    clients = f"<m:Clienten>{_clients(listed, answer=True)}</m:Clienten>" if listed else ""
    body = f"""{_header("JW325", 491, gemeente, provider, str(next(_ids)), day)}
    <m:DeclaratieIdentificatie><ijw:Identificatie>{declaration_id}</ijw:Identificatie><ijw:Dagtekening>{day}</ijw:Dagtekening></m:DeclaratieIdentificatie>
    <m:XsdVersieDeclaratie><ijw:BasisschemaXsdVersie>1.0.0</ijw:BasisschemaXsdVersie><ijw:BerichtXsdVersie>1.0.0</ijw:BerichtXsdVersie></m:XsdVersieDeclaratie>
    <m:RetourCodes><m:RetourCode>0200</m:RetourCode></m:RetourCodes>
  </m:Header>
  <m:DeclaratieAntwoord>
    <m:DeclaratieNummer>{number}</m:DeclaratieNummer>
    {_total("TotaalIngediendBedrag", total)}{_total("TotaalToegekendBedrag", approved)}
    {clients}
    <m:RetourCodes><m:RetourCode>0200</m:RetourCode></m:RetourCodes>
  </m:DeclaratieAntwoord>"""
    return _wrap("JW325", body)
