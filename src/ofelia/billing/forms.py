"""Staff and extranet forms of the billing pages (French labels)."""

from __future__ import annotations

from typing import Any

from django import forms

from .funding import FUNDER_PAYERS, PAYER_LABELS
from .models import PaymentMethod

# ISO value: a type="date" input shows nothing for a localised "04/12/2026".
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label="Moyen", choices=[(PaymentMethod.TRANSFER, "Virement"),
                                                       (PaymentMethod.CHEQUE, "Chèque")])
    amount = forms.DecimalField(label="Montant reçu (€)", max_digits=14, decimal_places=2)
    received_on = forms.DateField(label="Reçu le", widget=DATE)
    reference = forms.CharField(label="Référence (n° de chèque, libellé du virement)",
                                max_length=120, required=False)
    allocate = forms.DecimalField(label="Montant affecté à cette facture (€)", max_digits=14,
                                  decimal_places=2, required=False)


class CreditNoteForm(forms.Form):
    reason = forms.CharField(label="Motif de l'avoir", max_length=255)
    amount = forms.DecimalField(label="Montant HT (vide : toute la facture)", max_digits=14,
                                decimal_places=2, required=False)


class RefundForm(forms.Form):
    amount = forms.DecimalField(label="Montant à rembourser (€)", max_digits=14, decimal_places=2)
    due_on = forms.DateField(label="À rembourser au plus tard le", widget=DATE)


class RefundPayForm(forms.Form):
    method = forms.ChoiceField(label="Moyen", choices=[(PaymentMethod.TRANSFER, "Virement"),
                                                       (PaymentMethod.CHEQUE, "Chèque")])
    paid_on = forms.DateField(label="Remboursé le", widget=DATE)
    reference = forms.CharField(label="Référence", max_length=120, required=False)


class FundingForm(forms.Form):
    payer = forms.ChoiceField(label="Financeur", choices=[(p, PAYER_LABELS[p]) for p in FUNDER_PAYERS])
    amount = forms.DecimalField(label="Montant pris en charge HT (OPCO, employeur)", max_digits=12,
                                decimal_places=2, required=False)
    subrogation = forms.BooleanField(label="Subrogation : l'OPCO nous paie directement",
                                     required=False, initial=True)
    requested_on = forms.DateField(label="Demande faite le", widget=DATE, required=False)
    agreement_on = forms.DateField(label="Accord reçu le (OPCO)", widget=DATE, required=False)
    rights = forms.DecimalField(label="Droits CPF disponibles HT", max_digits=12, decimal_places=2,
                                required=False)
    exempt = forms.BooleanField(label="Exonéré de la participation forfaitaire CPF", required=False)
    funder_name = forms.CharField(label="Nom du financeur (sur la facture)", max_length=255,
                                  required=False)
    funder_address = forms.CharField(label="Adresse de facturation du financeur", required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))


class DepositForm(forms.Form):
    amount = forms.DecimalField(label="Montant HT (vide : celui des conditions)", max_digits=12,
                                decimal_places=2, required=False)


INSTALMENT_LABELS = {1: "En une fois", 3: "En 3 fois sans frais", 4: "En 4 fois sans frais"}


class PayOnlineForm(forms.Form):
    instalments = forms.TypedChoiceField(label="Paiement", coerce=int,
                                         choices=list(INSTALMENT_LABELS.items()))

    def __init__(self, *args: Any, counts: tuple[int, ...] = (1, 3, 4), **kwargs: Any) -> None:
        """`counts`: what the terms allow for this invoice (PAY-L1), 1 always."""
        super().__init__(*args, **kwargs)
        self.fields["instalments"].choices = [(n, INSTALMENT_LABELS.get(n, f"En {n} fois"))
                                              for n in counts]
