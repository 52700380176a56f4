"""French labels of the audit log's action codes ("learner.create" -> "Création d'un apprenant").

The code stays the record (CSV, filters); the label is for reading. An unknown code is shown
as it is, so a new action is never hidden.
"""

from __future__ import annotations

# What was acted on, with its article, as it follows "Création", "Modification"…
OBJECTS = {
    "organisation": "de l'organisme",
    "client_company": "d'une entreprise cliente",
    "clientcompany": "d'une entreprise cliente",
    "consumer_client": "d'un client particulier",
    "consumerclient": "d'un client particulier",
    "learner": "d'un apprenant",
    "membership": "d'un accès",
    "user": "d'un utilisateur",
    "training": "d'une formation",
    "trainingsession": "d'une session",
    "session": "d'une session",
    "enrolment": "d'une inscription",
    "contract": "d'un contrat",
    "quote": "d'un devis",
    "invoice": "d'une facture",
    "api_token": "d'un jeton API",
    "apitoken": "d'un jeton API",
    "policy_version": "d'une version des conditions",
    "policyversion": "d'une version des conditions",
    "order": "d'une commande",
    "checkout": "d'un paiement en ligne",
    "payment": "d'un paiement",
    "refund": "d'un remboursement",
    "funding": "d'un financement",
    "complaint": "d'une réclamation",
    "improvement_action": "d'une action d'amélioration",
}
VERBS = {"create": "Création", "update": "Modification", "delete": "Suppression"}

ACTIONS = {
    "membership.grant": "Attribution d'un accès",
    "membership.revoke": "Retrait d'un accès",
    "membership.suspend": "Suspension d'un compte (ACC-2)",
    "membership.reactivate": "Réactivation d'un compte",
    "trainer.titles": "Titres d'un formateur",
    "enrolment.cancel": "Annulation d'une inscription",
    "enrolment.promote_from_waitlist": "Inscription depuis la liste d'attente",
    "contract.sign": "Signature d'un contrat",
    "contract.convocations_send": "Envoi des convocations",
    "contract_event.record": "Événement sur un contrat",
    "contract_event.force": "Événement forcé sur un contrat",
    "quote.send": "Envoi d'un devis",
    "quote.accept": "Acceptation d'un devis",
    "quote.reject": "Refus d'un devis",
    "quote.convert": "Transformation d'un devis en contrat",
    "invoice.create_draft": "Brouillon de facture",
    "invoice.line_add": "Ligne ajoutée à une facture",
    "invoice.issue": "Émission d'une facture",
    "invoice.credit": "Facture créditée",
    "credit_note.issue": "Émission d'un avoir",
    "payment.record": "Enregistrement d'un paiement",
    "payment.allocate": "Affectation d'un paiement",
    "payment.online_succeeded": "Paiement en ligne réussi",
    "payment.online_failed": "Paiement en ligne échoué",
    "refund.pay": "Remboursement effectué",
    "funding.add": "Ajout d'un financement",
    "funding.fun_d1_rebill": "Refacturation au client de la part de l'OPCO (FUN-D1 ou CAN-L1)",
    "funding.fun_d1_refused": "Refacturation de la part de l'OPCO impossible",
    "settlement.run": "Règlement automatique : brouillons proposés",
    "settlement.issue": "Règlement automatique : brouillons émis",
    "settlement.refused": "Règlement automatique impossible",
    "credit_note.create_draft": "Avoir proposé (brouillon)",
    "refund.propose": "Remboursement proposé (brouillon)",
    "payment.impute": "Paiement imputé sur une nouvelle facture",
    "dunning.step": "Étape de relance",
    "dunning.letter": "Lettre de mise en demeure",
    "collections.run": "Passage des relances",
    "order.create": "Commande en ligne",
    "order.paid": "Commande payée",
    "order.void": "Commande annulée",
    "order.expire": "Commande annulée faute de paiement",
    "order.refunded": "Commande remboursée",
    "refund.create": "Remboursement programmé",
    "checkout.create": "Paiement en ligne demandé",
    "complaint.deadline": "Délai de réponse d'une réclamation",
    "complaint.answer": "Réponse à une réclamation",
    "complaint.close": "Clôture d'une réclamation",
    "mail_template.save": "Modèle de courriel enregistré",
    "mail_template.reset": "Modèle de courriel rétabli",
    "mail_preferences.save": "Préférences de courriels",
    "api_token.revoke": "Révocation d'un jeton API",
    "access_link.issue": "Envoi d'un lien d'accès",
    "access_link.use": "Utilisation d'un lien d'accès",
    "access_link.revoke.staff": "Révocation d'un lien d'accès",
    "access_link.revoke.loss_reported": "Lien d'accès déclaré perdu",
    "access_link.revoke.replaced": "Lien d'accès remplacé",
    "bench.bulk_load": "Chargement de données de mesure",
    "data_request.file": "Demande sur des données personnelles (ACC-6)",
    "data_request.extend": "Prolongation du délai de réponse (RGPD art. 12.3)",
    "data_request.answered": "Réponse à une demande sur des données personnelles",
    "data_request.refused": "Refus motivé d'une demande sur des données personnelles",
    "personal_data.export": "Export des données personnelles (portabilité)",
    "survey.questionnaire_save": "Modification d'un questionnaire",
    "survey.question_save": "Modification d'une question de questionnaire",
    "survey.question_delete": "Suppression d'une question de questionnaire",
    "survey.invitation_send": "Envoi d'un questionnaire",
    "survey.response": "Réponse à un questionnaire",
    "survey.grade": "Note d'une évaluation des acquis",
}


def action_label(code: str) -> str:
    if code in ACTIONS:
        return ACTIONS[code]
    noun, _, verb = code.rpartition(".")
    if verb in VERBS and noun in OBJECTS:
        return f"{VERBS[verb]} {OBJECTS[noun]}"
    return code
