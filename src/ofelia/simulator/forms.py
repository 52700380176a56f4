"""The panel's forms: a case built from a few fields (common training questions) or pasted JSON."""

from __future__ import annotations

import json
from typing import Any

from django import forms

CLIENTS = [("professional", "Professionnel (entreprise)"), ("consumer", "Particulier (consommateur)")]
FORMATS = [("inter", "Inter-entreprises"), ("intra", "Intra-entreprise"), ("elearning", "E-learning"),
           ("service", "Prestation"), ("product", "Produit"), ("long_service", "Prestation longue")]
REASONS = [("other", "Autre motif"), ("legitimate", "Motif légitime reconnu"),
           ("force_majeure", "Force majeure")]


class TrainingCaseForm(forms.Form):
    """Cancellation, abandonment and late-payment questions on a training contract."""

    policy = forms.ChoiceField(label="Politique")
    as_of = forms.DateField(label="Date d'évaluation", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            help_text="Vide : aujourd'hui.")
    client = forms.ChoiceField(label="Client", choices=CLIENTS)
    format = forms.ChoiceField(label="Format", choices=FORMATS)
    signed_on = forms.DateField(label="Signature / commande", widget=forms.DateInput(attrs={"type": "date"}))
    at_distance = forms.BooleanField(label="Conclu à distance ou hors établissement", required=False)
    start = forms.DateField(label="Premier jour", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="Dernier jour", widget=forms.DateInput(attrs={"type": "date"}))
    price = forms.DecimalField(label="Prix HT (€)", min_value=0, decimal_places=2)
    vat_rate = forms.DecimalField(label="TVA (%)", min_value=0, max_value=100, initial=0)
    hours = forms.DecimalField(label="Durée (heures)", min_value=0, decimal_places=2)
    deposit = forms.DecimalField(label="Acompte versé HT (€)", min_value=0, decimal_places=2, initial=0)
    opco_amount = forms.DecimalField(label="Prise en charge OPCO HT (€)", min_value=0, decimal_places=2,
                                     required=False)
    cancellation_on = forms.DateField(label="Annulation par le client le", required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}))
    cancellation_reason = forms.ChoiceField(label="Motif de l'annulation", choices=REASONS, initial="other")
    invoice_on = forms.DateField(label="Facture émise le", required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    invoice_amount = forms.DecimalField(label="Montant TTC de la facture (€)", min_value=0,
                                        decimal_places=2, required=False)
    payment_on = forms.DateField(label="Payée le", required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="Vide : impayée à la date d'évaluation.")

    EVENT_FIELDS = ("cancellation_on", "cancellation_reason", "invoice_on", "invoice_amount", "payment_on")

    def contract_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name not in self.EVENT_FIELDS]

    def event_fields(self) -> list[Any]:
        return [self[name] for name in self.EVENT_FIELDS]

    def __init__(self, *args: Any, policy_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = policy_choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("invoice_on") and data.get("invoice_amount") is None:
            self.add_error("invoice_amount", "Indiquez le montant de la facture.")
        if data.get("payment_on") and not data.get("invoice_on"):
            self.add_error("invoice_on", "Un paiement se rapporte à une facture : indiquez sa date.")
        return data

    def case(self) -> dict[str, Any]:
        """The JSON case (SIMULATION.md `training`) these fields describe."""
        d = self.cleaned_data
        case: dict[str, Any] = {
            "case": "training",
            "policy": d["policy"],
            "contract": {
                "client": d["client"], "format": d["format"],
                "signed_on": d["signed_on"].isoformat(), "at_distance": bool(d["at_distance"]),
                "price": f"{d['price']:.2f}", "vat_rate": str(d["vat_rate"]),
                "hours": str(d["hours"]), "start": d["start"].isoformat(),
                "end": d["end"].isoformat(), "deposit": f"{d['deposit'] or 0:.2f}",
            },
            "funding": [],
            "events": [],
        }
        if d.get("as_of"):
            case["as_of"] = d["as_of"].isoformat()
        if d.get("opco_amount"):
            case["funding"].append({"payer": "opco", "amount": f"{d['opco_amount']:.2f}",
                                    "agreement_on": None})
        if d.get("cancellation_on"):
            case["events"].append({"type": "cancellation", "by": "client",
                                   "on": d["cancellation_on"].isoformat(),
                                   "reason": d["cancellation_reason"]})
        if d.get("invoice_on"):
            case["events"].append({"type": "invoice", "id": "F-1", "on": d["invoice_on"].isoformat(),
                                   "amount": f"{d['invoice_amount']:.2f}", "payer": "client"})
            if d.get("payment_on"):
                case["events"].append({"type": "payment", "invoice": "F-1",
                                       "on": d["payment_on"].isoformat(),
                                       "amount": f"{d['invoice_amount']:.2f}"})
        return case


class JsonCaseForm(forms.Form):
    case_json = forms.CharField(label="Cas JSON", widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}))

    def clean_case_json(self) -> Any:
        text = self.cleaned_data["case_json"]
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"JSON mal formé (ligne {exc.lineno}, colonne {exc.colno}) : {exc.msg}") from None


class PolicyVersionForm(forms.Form):
    source = forms.CharField(
        label="Politique (TOML)",
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        help_text="Une table [policy] puis une table [rules.<RÈGLE>] par clause, avec son article.",
    )
