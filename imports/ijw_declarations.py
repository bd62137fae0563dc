"""JW323 declaratie and JW325 declaratie-antwoord: a message for many clients, applied as a whole.

The rules are in imports/declarations.py (shared with the declarations CSV); this turns a message into
its lines and counts the outcome.
"""

from decimal import Decimal

from cases.models import DeclarationSource

from .declarations import DeclarationLine, Declared, declaration_answer, declarations_import
from .ijw import Message, iso_date
from .ijw_base import LABEL, MessageHandlers

DECLARATION_KINDS = ("JW323", "JW325")


def _euros(cents) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


class DeclarationMessages(MessageHandlers):
    """`_declaration` for JW323 and JW325."""

    def _declaration(self, message: Message) -> None:
        if message.kind == "JW323":
            self._jw323_message(message)
        else:
            self._jw325_message(message)

    def _jw323_message(self, message: Message) -> None:
        head = message.declaration
        declared = Declared(
            file=message.file,
            kind="JW323",
            source=DeclarationSource.IJW,
            gemeente_code=message.gemeente_code,
            number=head["number"],
            message_id=message.message_id,
            period=(iso_date(head["begin"]), iso_date(head["end"])),
            total=_euros(head["total_cents"]),
        )
        lines = [
            DeclarationLine(
                where=message.where(item),
                provider_agb=message.provider_agb,
                bsn=item["bsn"],
                reference=item["reference"],
                allocation_number=item["allocation_number"],
                product_code=item["product_code"],
                begin=iso_date(item["begin"]),
                end=iso_date(item["end"]),
                volume=Decimal(item["volume"]),
                unit=item["unit"],
                tariff=_euros(item["tariff_cents"]) if item["tariff_cents"] else None,
                debit_credit=item["debit_credit"],
                amount=_euros(item["amount_cents"]),
            )
            for item in message.items
        ]
        for outcome, n in declarations_import(declared, lines, lookups=self.lookups, writer=self.writer):
            self.counts.extend([(LABEL["JW323"], outcome)] * n)

    def _jw325_message(self, message: Message) -> None:
        head = message.declaration
        outcome_counts = declaration_answer(
            file=message.file,
            provider_agb=message.provider_agb,
            answers_message_id=head["answers_message_id"],
            number=head.get("number", ""),
            has_answer=head["has_answer"],
            header_codes=head["header_codes"],
            total=_euros(head["total_cents"]) if head["has_answer"] else None,
            approved_total=_euros(head["approved_cents"]) if head["has_answer"] else None,
            answered=message.items,
            lookups=self.lookups,
            writer=self.writer,
        )
        for outcome, n in outcome_counts:
            self.counts.extend([(LABEL["JW325"], outcome)] * n)
