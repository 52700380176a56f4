"""The mails the platform sends: for each kind, whether a person may opt out (and why not),
the default French subject and body, and the variables its template may use (with the
sample values the preview shows). Templates use Django's template language, as plain text."""

from __future__ import annotations

from dataclasses import dataclass, field

SIGNATURE = "\n\n{{ organisation }}{% if organisation_phone %}\n{{ organisation_phone }}{% endif %}" \
            "{% if organisation_email %}\n{{ organisation_email }}{% endif %}"

COMMON = {"organisation": "Formations Dupont", "organisation_phone": "01 23 45 67 89",
          "organisation_email": "contact@formations-dupont.fr", "first_name": "Camille"}


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    mandatory: bool
    why: str
    subject: str
    body: str
    samples: dict[str, str] = field(default_factory=dict)

    @property
    def variables(self) -> dict[str, str]:
        return {**COMMON, **self.samples}


KINDS: tuple[Kind, ...] = (
    Kind(
        "quote_sent", "Devis envoyé", True,
        "Le devis est le document que le client a demandé : il lui est remis par ce courriel.",
        "Devis {{ number }} — {{ organisation }}",
        "Bonjour,\n\n{{ organisation }} vous adresse le devis {{ number }} ({{ amount }}), valable "
        "jusqu'au {{ valid_until }}.\n\nVous pouvez le lire, le télécharger, l'accepter ou le "
        "refuser dans votre espace client{% if link %} :\n{{ link }}{% else %}, rubrique « Mes "
        "devis ».{% endif %}\n\nLe devis est également joint à ce message au format PDF." + SIGNATURE,
        {"number": "D-2026-0042", "amount": "1 490,00 € HT", "valid_until": "31 décembre 2026",
         "link": "https://ofelia.example/espace/devis/42/"},
    ),
    Kind(
        "contract_confirmed", "Confirmation de commande et de contrat", True,
        "Code de la consommation, art. L221-13 : la confirmation du contrat conclu à distance est "
        "remise sur support durable, avec les conditions et, pour un consommateur, le formulaire "
        "de rétractation (art. L221-5) ; pour une entreprise, la convention signée est sa preuve.",
        "Confirmation : {{ title }} ({{ number }})",
        "Bonjour,\n\nNous confirmons votre {{ document }} n° {{ number }} pour la formation "
        "« {{ title }} » du {{ start_date }} au {{ end_date }}, pour {{ amount }}.\n\n"
        "Vous trouverez ci-joint le document signé avec ses conditions.{% if retraction_until %}"
        "\n\nVous disposez d'un droit de rétractation de quatorze jours, jusqu'au "
        "{{ retraction_until }} : le formulaire de rétractation est joint à ce message ; vous "
        "pouvez aussi vous rétracter depuis votre espace client.{% endif %}" + SIGNATURE,
        {"document": "contrat de formation", "number": "C-2026-0007", "title": "Excel avancé",
         "start_date": "12 janvier 2027", "end_date": "14 janvier 2027", "amount": "1 788,00 € TTC",
         "retraction_until": "18 décembre 2026"},
    ),
    Kind(
        "retraction_ack", "Accusé de réception de la rétractation", True,
        "Code de la consommation, art. L221-21 : une rétractation faite en ligne est accusée "
        "sans délai sur support durable.",
        "Rétractation reçue : {{ title }} ({{ number }})",
        "Bonjour,\n\nNous avons bien reçu le {{ on }} votre rétractation du contrat n° "
        "{{ number }} (« {{ title }} »). Les sommes versées vous seront remboursées au plus tard "
        "dans les quatorze jours (art. L221-24 du Code de la consommation)." + SIGNATURE,
        {"number": "C-2026-0007", "title": "Excel avancé", "on": "10 décembre 2026"},
    ),
    Kind(
        "convocation", "Convocation", True,
        "La convocation dit au stagiaire où et quand se présenter : sans elle, la formation "
        "prévue au contrat ne peut pas être suivie.",
        "Convocation : {{ title }} ({{ start_date }})",
        "Bonjour {{ first_name }},\n\nVous trouverez ci-joint votre convocation à la formation "
        "« {{ title }} » qui commence le {{ start_date }}, et l'invitation à ajouter à votre "
        "agenda." + SIGNATURE,
        {"title": "Excel avancé", "start_date": "12 janvier 2027"},
    ),
    Kind(
        "waitlist_promoted", "Place libérée (liste d'attente)", True,
        "L'inscription de la personne vient d'être confirmée : elle doit le savoir pour venir "
        "ou se désister.",
        "Une place s'est libérée : {{ title }}",
        "Bonjour {{ first_name }},\n\nUne place s'est libérée pour la session « {{ title }} » du "
        "{{ start_date }} au {{ end_date }}. Vous étiez premier ou première sur la liste "
        "d'attente : votre inscription est maintenant confirmée." + SIGNATURE,
        {"title": "Excel avancé", "start_date": "12 janvier 2027", "end_date": "14 janvier 2027"},
    ),
    Kind(
        "digital_consent", "Accès immédiat à un contenu en ligne", True,
        "Code de la consommation, art. L221-13 et L221-28 13° : l'accord exprès du consommateur "
        "pour un accès immédiat, qui lui fait perdre son droit de rétractation, lui est confirmé "
        "sur support durable.",
        "Confirmation : accès immédiat à « {{ title }} »",
        "Bonjour,\n\nLe {{ at }} (UTC), vous avez demandé l'accès immédiat à la formation en "
        "ligne « {{ title }} » (commande {{ number }}) en acceptant le texte suivant :\n\n"
        "« {{ consent_text }} »\n\nVotre droit de rétractation prend fin dès votre premier "
        "accès au contenu." + SIGNATURE,
        {"title": "Excel en ligne", "at": "4 décembre 2026 à 09:00", "number": "CMD-2026-0003",
         "consent_text": "Je demande l'accès immédiat et renonce à mon droit de rétractation."},
    ),
    Kind(
        "certificates", "Attestations de fin de formation", True,
        "Code du travail, art. L6353-1 : l'attestation de fin de formation est remise au "
        "stagiaire ; ce courriel la lui remet avec le certificat de réalisation.",
        "Vos attestations — {{ title }}",
        "Bonjour {{ first_name }},\n\nVous trouverez ci-joints votre certificat de réalisation, "
        "votre attestation de fin de formation et votre attestation d'assiduité pour la "
        "formation « {{ title }} ». Ils sont aussi disponibles dans votre espace, rubrique "
        "« Mes attestations »." + SIGNATURE,
        {"title": "Excel avancé"},
    ),
    Kind(
        "survey_invitation", "Questionnaire à remplir", False,
        "Répondre aux questionnaires de positionnement, d'évaluation et de satisfaction est "
        "facultatif : la personne peut ne pas les recevoir.",
        "{{ questionnaire }} — {{ title }}",
        "Bonjour{% if first_name %} {{ first_name }}{% endif %},\n\nDans le cadre de la formation "
        "« {{ title }} » (session du {{ start_date }}), nous vous invitons à répondre au "
        "questionnaire « {{ questionnaire }} ». Quelques minutes suffisent :\n{{ link }}\n\n"
        "Ce lien vous est personnel et reste valable jusqu'au {{ until }}. Merci de votre aide : "
        "vos réponses nous servent à améliorer nos formations." + SIGNATURE,
        {"questionnaire": "Votre satisfaction sur la formation", "title": "Excel avancé",
         "start_date": "12 janvier 2027", "until": "15 mars 2027",
         "link": "https://ofelia.example/questionnaire/exemple/"},
    ),
    Kind(
        "survey_reminder", "Relance d'un questionnaire", False,
        "Une relance est une simple courtoisie : la personne peut ne pas la recevoir.",
        "Rappel : {{ questionnaire }} — {{ title }}",
        "Bonjour{% if first_name %} {{ first_name }}{% endif %},\n\nSauf erreur de notre part, "
        "vous n'avez pas encore répondu au questionnaire « {{ questionnaire }} » sur la "
        "formation « {{ title }} ». Il est encore ouvert jusqu'au {{ until }} :\n{{ link }}"
        + SIGNATURE,
        {"questionnaire": "Votre satisfaction sur la formation", "title": "Excel avancé",
         "until": "15 mars 2027", "link": "https://ofelia.example/questionnaire/exemple/"},
    ),
    Kind(
        "course_message", "Message entre stagiaire et formateur (formation en ligne)", False,
        "Le message reste lisible dans l'espace en ligne, rubrique « Messages » : ce courriel "
        "n'en est que l'avis.",
        "Nouveau message de {{ sender }} — {{ title }}",
        "Bonjour {{ first_name }},\n\n{{ sender }} vous a écrit au sujet de la formation en "
        "ligne « {{ title }} » :\n\n« {{ message }} »\n\nPour lire la conversation et "
        "répondre, connectez-vous à votre espace{% if link %} :\n{{ link }}{% else %}, rubrique "
        "« Messages ».{% endif %}" + SIGNATURE,
        {"sender": "Jeanne Formatrice", "title": "Excel en ligne",
         "message": "Bonjour, je bloque sur l'exercice du module 2.",
         "link": "https://ofelia.example/espace/messages/12/"},
    ),
    Kind(
        "invoice_issued", "Facture émise", True,
        "Code général des impôts, art. 289 : la facture est remise à l'acheteur ; ce courriel "
        "est cette remise.",
        "Facture {{ number }} — {{ organisation }}",
        "Bonjour,\n\nVeuillez trouver votre facture n° {{ number }} du {{ issue_date }}, d'un "
        "montant de {{ amount }}, payable au plus tard le {{ due_date }}. Elle est aussi dans "
        "votre espace client, rubrique « Mes factures »." + SIGNATURE,
        {"number": "F-2026-0101", "issue_date": "4 décembre 2026", "amount": "1 788,00 €",
         "due_date": "3 janvier 2027"},
    ),
    Kind(
        "payment_received", "Paiement reçu", False,
        "Un accusé de courtoisie : la facture acquittée reste lisible dans l'espace client.",
        "Paiement reçu — facture {{ number }}",
        "Bonjour,\n\nNous avons bien reçu le {{ received_on }} votre paiement de {{ amount }} "
        "pour la facture n° {{ number }}. Reste dû sur cette facture : {{ balance }}." + SIGNATURE,
        {"number": "F-2026-0101", "received_on": "5 décembre 2026", "amount": "1 788,00 €",
         "balance": "0,00 €"},
    ),
    Kind(
        "refund_paid", "Remboursement effectué", True,
        "Code de la consommation, art. L221-24 : les sommes sont remboursées au consommateur "
        "qui s'est rétracté ; ce courriel lui dit que l'argent est parti, par quel moyen et "
        "pour quelle facture, la trace que l'organisme lui doit.",
        "Remboursement effectué — facture {{ number }}",
        "Bonjour,\n\nNous vous avons remboursé le {{ paid_on }} la somme de {{ amount }} au titre "
        "de la facture n° {{ number }}, {{ method }}. Selon votre banque, le montant apparaît "
        "sur votre compte sous quelques jours ouvrés." + SIGNATURE,
        {"number": "F-2026-0101", "paid_on": "12/12/2026", "amount": "1 788,00 €",
         "method": "sur la carte bancaire utilisée pour le paiement"},
    ),
    Kind(
        "reminder", "Relance amiable", False,
        "Une relance amiable n'est exigée par aucun texte : la personne peut ne pas la recevoir ; "
        "la mise en demeure, elle, lui parviendra.",
        "Relance : facture {{ number }}",
        "Bonjour,\n\nSauf erreur de notre part, la facture n° {{ number }} échue le "
        "{{ due_date }} reste impayée ({{ balance }}). Merci de régulariser ce paiement ou de "
        "nous contacter." + SIGNATURE,
        {"number": "F-2026-0101", "due_date": "3 janvier 2027", "balance": "1 788,00 €"},
    ),
    Kind(
        "formal_notice", "Mise en demeure", True,
        "Code civil, art. 1344 et 1231-6 : la mise en demeure fait courir les intérêts de retard "
        "et précède toute action en recouvrement ; le débiteur doit la recevoir.",
        "Mise en demeure : facture {{ number }}",
        "Madame, Monsieur,\n\nMalgré notre relance, la facture n° {{ number }} échue le "
        "{{ due_date }} reste impayée ({{ balance }}). Nous vous mettons en demeure de la régler "
        "sous huit jours. À défaut, nous engagerons une procédure de recouvrement." + SIGNATURE,
        {"number": "F-2026-0101", "due_date": "3 janvier 2027", "balance": "1 788,00 €"},
    ),
    Kind(
        "maintenance_announced", "Annonce de maintenance", True,
        "Conditions de l'organisme (ACC-3, VCL-7) : toute maintenance programmée est annoncée aux "
        "clients au moins 48 heures à l'avance ; le client concerné doit la recevoir.",
        "Maintenance programmée le {{ start }} — {{ organisation }}",
        "Bonjour,\n\nUne opération de maintenance est programmée du {{ start }} au {{ end }} "
        "(heure de Paris). Services concernés : {{ services }}.{% if description %}\n\n"
        "{{ description }}{% endif %}\n\nPendant cette période, le service peut être interrompu. "
        "Nous vous prions de nous excuser pour la gêne occasionnée." + SIGNATURE,
        {"start": "4 décembre 2026 à 22:00", "end": "5 décembre 2026 à 02:00",
         "services": "classes virtuelles", "description": "Mise à jour des serveurs de classes."},
    ),
)

BY_CODE = {kind.code: kind for kind in KINDS}


def kind_of(code: str) -> Kind:
    try:
        return BY_CODE[code]
    except KeyError:
        raise ValueError(f"Type de courriel inconnu : {code}") from None
