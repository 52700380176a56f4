"""The Factur-X (EN 16931 profile) CII XML of an issued invoice or credit note.

Built element by element in the order of the CII D16B schema (the XSD checks the order);
amounts are the stored, already rounded values, so the XML and the PDF always agree.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from .calculations import VAT_EXEMPTION_MENTION

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
EN16931 = "urn:cen.eu:en16931:2017"
TYPE_CODES = {"invoice": "380", "credit_note": "381"}


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", **attrs)
    if text is not None:
        node.text = text
    return node


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _date(parent: etree._Element, tag: str, value: date, kind: str = "udt") -> None:
    holder = _el(parent, tag)
    _el(holder, f"{kind}:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _party(parent: etree._Element, tag: str, *, name: str, siret: str, vat: str,
           postcode: str, line: str, city: str, country: str, email: str = "") -> None:
    party = _el(parent, tag)
    _el(party, "ram:Name", name)
    if siret:
        legal = _el(party, "ram:SpecifiedLegalOrganization")
        _el(legal, "ram:ID", siret[:9], schemeID="0002")  # SIREN, ISO 6523 scheme 0002
    address = _el(party, "ram:PostalTradeAddress")
    if postcode:
        _el(address, "ram:PostcodeCode", postcode)
    if line:
        _el(address, "ram:LineOne", line)
    if city:
        _el(address, "ram:CityName", city)
    _el(address, "ram:CountryID", country or "FR")
    if email:
        uri = _el(party, "ram:URIUniversalCommunication")
        _el(uri, "ram:URIID", email, schemeID="EM")
    if vat:
        registration = _el(party, "ram:SpecifiedTaxRegistration")
        _el(registration, "ram:ID", vat, schemeID="VA")


def _split_address(text: str) -> tuple[str, str, str]:
    """(first line, postcode, city) from a multi-line French address."""
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    if not lines:
        return "", "", ""
    last = lines[-1]
    head, _, tail = last.partition(" ")
    if head.isdigit() and len(head) == 5:
        return (lines[0] if len(lines) > 1 else ""), head, tail
    return lines[0], "", last


def _category(vat_exempt: bool, rate: Decimal) -> str:
    if vat_exempt:
        return "E"  # exempt: needs an exemption reason (BR-E-10)
    return "S" if rate > 0 else "Z"


def build_cii_xml(invoice: Any, lines: list[Any]) -> bytes:
    root = etree.Element(f"{{{NS['rsm']}}}CrossIndustryInvoice", nsmap=NS)
    context = _el(root, "rsm:ExchangedDocumentContext")
    guideline = _el(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    _el(guideline, "ram:ID", EN16931)

    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", invoice.number)
    _el(document, "ram:TypeCode", TYPE_CODES[invoice.kind])
    _date(document, "ram:IssueDateTime", invoice.issue_date)
    notes = [(invoice.payment_terms, "AAB"), (invoice.late_penalty_mention, "PMD")]
    if invoice.vat_exempt:
        notes.append((VAT_EXEMPTION_MENTION, "TXD"))
    if invoice.reason:
        notes.append((f"Motif de l'avoir : {invoice.reason}", "AAI"))
    for content, code in notes:
        if content:
            note = _el(document, "ram:IncludedNote")
            _el(note, "ram:Content", content)
            _el(note, "ram:SubjectCode", code)

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for line in lines:
        item = _el(transaction, "ram:IncludedSupplyChainTradeLineItem")
        _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(line.position))
        product = _el(item, "ram:SpecifiedTradeProduct")
        _el(product, "ram:Name", line.description)
        agreement = _el(item, "ram:SpecifiedLineTradeAgreement")
        price = _el(agreement, "ram:NetPriceProductTradePrice")
        _el(price, "ram:ChargeAmount", f"{line.unit_price.normalize():f}")
        delivery = _el(item, "ram:SpecifiedLineTradeDelivery")
        _el(delivery, "ram:BilledQuantity", f"{line.quantity.normalize():f}", unitCode=line.unit)
        settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:CategoryCode", _category(invoice.vat_exempt, line.vat_rate))
        _el(tax, "ram:RateApplicablePercent", f"{line.vat_rate:.2f}")
        summation = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _el(summation, "ram:LineTotalAmount", _amount(line.amount_excl_vat))

    seller = invoice.seller
    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    if invoice.source_reference:
        _el(agreement, "ram:BuyerReference", invoice.source_reference)
    _party(agreement, "ram:SellerTradeParty", name=seller["legal_name"], siret=seller["siret"],
           vat=seller.get("vat_number", ""), postcode=seller.get("postal_code", ""),
           line=seller.get("address_line1", ""), city=seller.get("city", ""),
           country=seller.get("country", "FR"), email=seller.get("email", ""))
    line1, postcode, city = _split_address(invoice.buyer_address)
    _party(agreement, "ram:BuyerTradeParty", name=invoice.buyer_name, siret=invoice.buyer_siret,
           vat=invoice.buyer_vat_number, postcode=postcode, line=line1, city=city,
           country=invoice.buyer_country, email=invoice.buyer_email)

    delivery = _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    delivered_on = invoice.service_end or invoice.service_start
    if delivered_on:
        event = _el(delivery, "ram:ActualDeliverySupplyChainEvent")
        _date(event, "ram:OccurrenceDateTime", delivered_on)

    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:InvoiceCurrencyCode", "EUR")
    by_rate: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    for line in lines:
        by_rate[line.vat_rate][0] += line.amount_excl_vat
        by_rate[line.vat_rate][1] += line.vat_amount
    for rate, (base, vat) in sorted(by_rate.items()):
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:CalculatedAmount", _amount(vat))
        _el(tax, "ram:TypeCode", "VAT")
        if invoice.vat_exempt:
            _el(tax, "ram:ExemptionReason", VAT_EXEMPTION_MENTION)
        _el(tax, "ram:BasisAmount", _amount(base))
        _el(tax, "ram:CategoryCode", _category(invoice.vat_exempt, rate))
        _el(tax, "ram:RateApplicablePercent", f"{rate:.2f}")
    if invoice.service_start and invoice.service_end:
        period = _el(settlement, "ram:BillingSpecifiedPeriod")
        _date(period, "ram:StartDateTime", invoice.service_start)
        _date(period, "ram:EndDateTime", invoice.service_end)
    terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
    _el(terms, "ram:Description", invoice.payment_terms or "Avoir")
    if invoice.due_date:
        _date(terms, "ram:DueDateDateTime", invoice.due_date)
    total = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(total, "ram:LineTotalAmount", _amount(invoice.total_excl_vat))
    _el(total, "ram:TaxBasisTotalAmount", _amount(invoice.total_excl_vat))
    _el(total, "ram:TaxTotalAmount", _amount(invoice.total_vat), currencyID="EUR")
    _el(total, "ram:GrandTotalAmount", _amount(invoice.total_incl_vat))
    _el(total, "ram:DuePayableAmount", _amount(invoice.total_incl_vat))
    if invoice.credited_invoice_id:
        credited = invoice.credited_invoice
        reference = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(reference, "ram:IssuerAssignedID", credited.number)
        _date(reference, "ram:FormattedIssueDateTime", credited.issue_date, kind="qdt")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
