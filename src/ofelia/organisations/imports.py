"""CSV import of learners, consumer clients and client companies.

Upload → preview (each line as it will be created, with its errors naming the column) →
confirm. The import is all or nothing: if one line has an error, nothing is created and the
user fixes the file and uploads it again; the confirmation re-checks every line (the data may
have changed since the preview) in one transaction.

Accepted: `;` or `,` separators (guessed from the header), UTF-8 with or without BOM (what
Excel writes with « CSV UTF-8 »), and Windows-1252 (Excel's « CSV (séparateur : point-virgule) »).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from ofelia.core import audit

from . import services
from .merge import folded
from .models import Civility, ClientCompany, CompanyContact, ConsumerClient, Learner, Organisation

MAX_BYTES = 1_000_000
MAX_LINES = 5_000

PERSON_COLUMNS = {
    "civilite": "civility", "prenom": "first_name", "nom": "last_name", "email": "email",
    "telephone": "phone", "adresse": "address_line1", "complement_adresse": "address_line2",
    "code_postal": "postal_code", "ville": "city",
}
KINDS: dict[str, dict[str, Any]] = {
    "apprenants": {
        "label": "apprenants",
        "columns": {**PERSON_COLUMNS, "entreprise": "company", "client_particulier": "consumer"},
        "required": ("civilite", "prenom", "nom", "email"),
        "example": ["Mme", "Claire", "Martin", "claire.martin@example.fr", "06 12 34 56 78",
                    "3 rue des Lilas", "", "49000", "Angers", "Entreprise Exemple", ""],
    },
    "particuliers": {
        "label": "clients particuliers",
        "columns": PERSON_COLUMNS,
        "required": ("civilite", "prenom", "nom", "email"),
        "example": ["M.", "Paul", "Durand", "paul.durand@example.fr", "06 98 76 54 32",
                    "12 avenue Foch", "Bât. B", "75016", "Paris"],
    },
    "entreprises": {
        "label": "entreprises clientes",
        "columns": {
            "nom": "name", "siret": "siret", "tva": "vat_number", "email": "email",
            "telephone": "phone", "adresse": "address_line1", "code_postal": "postal_code",
            "ville": "city", "contact_prenom": "contact_first_name", "contact_nom": "contact_last_name",
            "contact_email": "contact_email", "contact_telephone": "contact_phone",
            "contact_fonction": "contact_function",
        },
        "required": ("nom",),
        "example": ["Boulangerie Dupont", "51234567800019", "", "compta@dupont.example.fr",
                    "02 41 00 00 00", "1 place du Marché", "49000", "Angers", "Jeanne", "Dupont",
                    "jeanne.dupont@dupont.example.fr", "06 00 00 00 00", "Gérante"],
    },
}
CIVILITIES = {"mme": Civility.MADAME, "madame": Civility.MADAME, "m": Civility.MONSIEUR,
              "m.": Civility.MONSIEUR, "monsieur": Civility.MONSIEUR, "mr": Civility.MONSIEUR}


class ImportRefused(Exception):
    """The file as a whole cannot be read (size, encoding, header, too many lines)."""


@dataclass
class ImportLine:
    number: int  # line number in the file (the header is line 1)
    raw: dict[str, str]
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # shown, not blocking

    def error(self, column: str, message: str) -> None:
        self.errors.append(f"Colonne « {column} » : {message}")


@dataclass
class ImportPreview:
    kind: str
    columns: list[str]
    lines: list[ImportLine]
    ignored_columns: list[str]

    @property
    def error_count(self) -> int:
        return sum(1 for line in self.lines if line.errors)

    @property
    def is_valid(self) -> bool:
        return bool(self.lines) and self.error_count == 0


def template_csv(kind: str) -> str:
    spec = KINDS[kind]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(spec["columns"].keys())
    writer.writerow(spec["example"])
    return "\ufeff" + out.getvalue()


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"Le fichier dépasse {MAX_BYTES // 1_000_000} Mo : découpez-le.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


HEADER_ALIASES = {"e_mail": "email", "mail": "email", "courriel": "email", "tel": "telephone",
                  "contact_e_mail": "contact_email", "contact_courriel": "contact_email"}


def _header_key(name: str) -> str:
    key = folded(name).replace(" ", "_")
    return HEADER_ALIASES.get(key, key)


def _rows(text: str, kind: str) -> tuple[list[str], list[str], list[tuple[int, dict[str, str]]]]:
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused("Le fichier est vide.") from None
    keys = [_header_key(h) for h in header]
    known = KINDS[kind]["columns"]
    missing = [c for c in KINDS[kind]["required"] if c not in keys]
    if missing:
        raise ImportRefused(
            "Colonnes obligatoires absentes de la première ligne : "
            + ", ".join(f"« {c} »" for c in missing)
            + ". Téléchargez le modèle pour voir les colonnes attendues.")
    ignored = [h for h, k in zip(header, keys, strict=True) if k not in known]
    rows: list[tuple[int, dict[str, str]]] = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_LINES:
            raise ImportRefused(f"Le fichier a plus de {MAX_LINES} lignes : découpez-le.")
        row = {k: (values[i].strip() if i < len(values) else "") for i, k in enumerate(keys) if k in known}
        rows.append((reader.line_num, row))
    if not rows:
        raise ImportRefused("Le fichier ne contient aucune ligne après l'en-tête.")
    present = list(dict.fromkeys(k for k in keys if k in known))  # the file's order, as in `raw`
    return present, ignored, rows


def _check_model(line: ImportLine, instance: Any, columns: dict[str, str], exclude: list[str]) -> None:
    by_field = {v: k for k, v in columns.items()}
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = by_field.get(name, name)
            for message in messages:
                line.error(column, message)


def _person_line(line: ImportLine, organisation: Organisation, model: type, columns: dict[str, str]) -> None:
    fields = {columns[k]: v for k, v in line.raw.items() if columns[k] not in {"company", "consumer"}}
    civility = CIVILITIES.get(fields.get("civility", "").lower())
    if civility is None:
        line.error("civilite", "indiquez « Mme » ou « M. ».")
        fields.pop("civility", None)
    else:
        fields["civility"] = civility
    line.fields = fields
    _check_model(line, model(organisation=organisation, **fields), columns,
                 ["organisation", "user", "company", "consumer"] + (["civility"] if civility is None else []))


def _existing_lower(queryset: Any, column: str, values: set[str]) -> set[str]:
    return set(queryset.annotate(_v=Lower(column)).filter(_v__in=values).values_list("_v", flat=True))


def preview(*, organisation: Organisation, kind: str, text: str) -> ImportPreview:
    """Reads and checks every line; creates nothing."""
    try:
        columns_present, ignored, rows = _rows(text, kind)
    except csv.Error as error:
        raise ImportRefused(f"Ce fichier n'est pas un CSV lisible ({error}).") from error
    columns = KINDS[kind]["columns"]
    lines = [ImportLine(number=n, raw=row) for n, row in rows]
    if kind in ("apprenants", "particuliers"):
        model = Learner if kind == "apprenants" else ConsumerClient
        for line in lines:
            _person_line(line, organisation, model, columns)
        emails = {line.raw.get("email", "").lower() for line in lines if line.raw.get("email")}
        existing = _existing_lower(model.objects.for_organisation(organisation), "email", emails)
        label = "un apprenant" if kind == "apprenants" else "un client particulier"
        _duplicates(lines, "email", existing, f"{label} de l'organisme a déjà cette adresse")
        if kind == "apprenants":
            _resolve_employers(lines, organisation)
        _warn_same_names(lines, model.objects.for_organisation(organisation))
    else:
        for line in lines:
            _company_line(line, organisation, columns)
        names = {line.raw["nom"].lower() for line in lines if line.raw.get("nom")}
        _duplicates(lines, "nom", _existing_lower(ClientCompany.objects.for_organisation(organisation), "name", names),
                    "une entreprise de l'organisme porte déjà ce nom")
        sirets = {line.fields.get("siret", "") for line in lines} - {""}
        taken = set(ClientCompany.objects.for_organisation(organisation).filter(siret__in=sirets)
                    .values_list("siret", flat=True))
        _duplicates(lines, "siret", taken, "une entreprise de l'organisme a déjà ce SIRET",
                    value=lambda line: line.fields.get("siret", ""))
    return ImportPreview(kind=kind, columns=columns_present, lines=lines, ignored_columns=ignored)


def _duplicates(lines: list[ImportLine], column: str, existing: set[str], message: str,
                value: Callable[[ImportLine], str] | None = None) -> None:
    seen: dict[str, int] = {}
    for line in lines:
        key = value(line) if value else line.raw.get(column, "").lower()
        if not key:
            continue
        if key in existing:
            line.error(column, f"{message} (doublon d'une fiche existante).")
        elif key in seen:
            line.error(column, f"doublon dans le fichier (même valeur qu'à la ligne {seen[key]}).")
        else:
            seen[key] = line.number


def _warn_same_names(lines: list[ImportLine], existing: Any) -> None:
    """A record with the same name (accents and case aside) is a probable duplicate: said, not
    refused (two people may share a name); the duplicates page merges them afterwards."""
    wanted = {(folded(line.raw.get("prenom", "")), folded(line.raw.get("nom", ""))): line for line in lines}
    for pk, first, last, email in existing.values_list("pk", "first_name", "last_name", "email").iterator(
            chunk_size=5000):
        line = wanted.get((folded(first), folded(last)))
        if line is not None and not line.errors:
            line.warnings.append(f"« {first} {last} » existe déjà ({email}, fiche n° {pk}) : doublon probable ? "
                                 "Vérifiez après l'import dans « Doublons ».")


def _resolve_employers(lines: list[ImportLine], organisation: Organisation) -> None:
    companies = ClientCompany.objects.for_organisation(organisation)
    wanted_names = {line.raw.get("entreprise", "").lower() for line in lines} - {""}
    by_siret = {c.siret: c for c in companies.filter(siret__in={"".join(n.split()) for n in wanted_names})}
    by_name = {c._n: c for c in companies.annotate(_n=Lower("name")).filter(_n__in=wanted_names)}
    consumer_emails = {line.raw.get("client_particulier", "").lower() for line in lines} - {""}
    consumers = {c._e: c for c in ConsumerClient.objects.for_organisation(organisation)
                 .annotate(_e=Lower("email")).filter(_e__in=consumer_emails)}
    for line in lines:
        wanted = line.raw.get("entreprise", "")
        if wanted:
            company = by_siret.get("".join(wanted.split())) or by_name.get(wanted.lower())
            if company is None:
                line.error("entreprise", f"entreprise inconnue « {wanted} » (nom ou SIRET d'une "
                                         "entreprise cliente déjà enregistrée).")
            line.fields["company"] = company
        consumer_email = line.raw.get("client_particulier", "")
        if consumer_email:
            consumer = consumers.get(consumer_email.lower())
            if consumer is None:
                line.error("client_particulier", f"aucun client particulier n'a l'adresse « {consumer_email} ».")
            line.fields["consumer"] = consumer
        if line.fields.get("company") and line.fields.get("consumer"):
            line.error("entreprise", "un apprenant vient d'une entreprise ou d'un client particulier, pas des deux.")


def _company_line(line: ImportLine, organisation: Organisation, columns: dict[str, str]) -> None:
    company_fields = {columns[k]: v for k, v in line.raw.items() if not k.startswith("contact_")}
    company_fields["siret"] = "".join(company_fields.get("siret", "").split())
    contact_fields = {columns[k].removeprefix("contact_"): v for k, v in line.raw.items() if k.startswith("contact_")}
    line.fields = {**company_fields, "contact": contact_fields if any(contact_fields.values()) else None}
    _check_model(line, ClientCompany(organisation=organisation, **company_fields), columns, ["organisation"])
    if line.fields["contact"]:
        contact_columns = {k: v.removeprefix("contact_") for k, v in columns.items() if k.startswith("contact_")}
        _check_model(line, CompanyContact(organisation=organisation, **contact_fields), contact_columns,
                     ["organisation", "company", "user", "civility"])


@transaction.atomic
def import_confirm(*, actor: Any, organisation: Organisation, kind: str, text: str) -> ImportPreview:
    """Re-checks every line and creates them all, or nothing (ImportRefused if a line is wrong)."""
    result = preview(organisation=organisation, kind=kind, text=text)
    if not result.is_valid:
        raise ImportRefused(f"{result.error_count} ligne(s) en erreur : rien n'a été importé. "
                            "Corrigez le fichier puis importez-le de nouveau.")
    for line in result.lines:
        if kind == "apprenants":
            services.learner_create(actor=actor, organisation=organisation, **line.fields)
        elif kind == "particuliers":
            services.consumer_client_create(actor=actor, organisation=organisation, **line.fields)
        else:
            data = dict(line.fields)
            contact = data.pop("contact")
            company = services.client_company_create(actor=actor, organisation=organisation, **data)
            if contact:
                services.company_contact_create(actor=actor, company=company, **contact)
    audit.record(actor=actor, action=f"import.{kind}", organisation=organisation,
                 object_type="organisations.import", object_repr=f"Import CSV de {len(result.lines)} "
                 f"{KINDS[kind]['label']}", after={"lines": len(result.lines)})
    return result
