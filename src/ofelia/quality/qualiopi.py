"""The Référentiel national qualité (décret n° 2019-564, arrêté du 6 juin 2019 modifié):
7 criteria, 32 indicators, as data. Pure: no Django.

`only_for` says which indicators apply only to some activities; the organisation that does
not run them records the indicator « non applicable » with its reason (the auditor checks
the reason). `hint` is what the auditor expects to see, shown when Ofelia holds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

CERTIFYING = "certifying"
APPRENTICESHIP = "apprenticeship"
ALTERNANCE = "alternance"
SUBCONTRACTING = "subcontracting"

ONLY_FOR_LABELS = {
    CERTIFYING: "formations certifiantes (RNCP, répertoire spécifique)",
    APPRENTICESHIP: "apprentissage (CFA)",
    ALTERNANCE: "formations en alternance",
    SUBCONTRACTING: "recours à la sous-traitance ou au portage salarial",
}


@dataclass(frozen=True)
class Criterion:
    number: int
    title: str


@dataclass(frozen=True)
class Indicator:
    number: int
    criterion: int
    title: str
    hint: str
    only_for: str = ""

    @property
    def only_for_label(self) -> str:
        return ONLY_FOR_LABELS.get(self.only_for, "")


CRITERIA = (
    Criterion(1, "Information du public sur les prestations, les délais d'accès et les résultats obtenus"),
    Criterion(2, "Identification des objectifs des prestations et adaptation aux publics lors de leur conception"),
    Criterion(3, "Adaptation aux publics des modalités d'accueil, d'accompagnement, de suivi et d'évaluation"),
    Criterion(4, "Adéquation des moyens pédagogiques, techniques et d'encadrement"),
    Criterion(5, "Qualification et développement des compétences des personnels"),
    Criterion(6, "Inscription et investissement du prestataire dans son environnement professionnel"),
    Criterion(7, "Recueil et prise en compte des appréciations et des réclamations"),
)

INDICATORS = (
    Indicator(1, 1, "Information accessible sur les prestations, les délais d'accès, les tarifs et l'accessibilité",
              "Publiez au catalogue chaque formation avec ses objectifs, prérequis, durée, tarif et délais d'accès."),
    Indicator(2, 1, "Indicateurs de résultats adaptés à la nature des prestations",
              "Publiez des indicateurs de résultats : taux de satisfaction, d'assiduité, de réussite."),
    Indicator(3, 1, "Taux d'obtention des certifications préparées", "Publiez le taux d'obtention "
              "de chaque certification préparée.", CERTIFYING),
    Indicator(4, 2, "Analyse du besoin du bénéficiaire",
              "Gardez la trace de l'analyse du besoin (entretien, questionnaire) avant chaque prestation."),
    Indicator(5, 2, "Objectifs opérationnels et évaluables",
              "Rédigez pour chaque formation des objectifs opérationnels et évaluables."),
    Indicator(6, 2, "Contenus et modalités de mise en œuvre adaptés aux objectifs et aux publics",
              "Décrivez le programme, les moyens pédagogiques et les modalités d'évaluation."),
    Indicator(7, 2, "Adéquation des contenus aux exigences de la certification",
              "Montrez que le programme couvre le référentiel de la certification.", CERTIFYING),
    Indicator(8, 2, "Positionnement et évaluation des acquis à l'entrée",
              "Faites un positionnement à l'entrée (test, entretien) et gardez-en les résultats."),
    Indicator(9, 3, "Information des publics sur les conditions de déroulement de la prestation",
              "Envoyez une convocation à chaque stagiaire (lieu, horaires, contacts)."),
    Indicator(10, 3, "Adaptation de la prestation, accompagnement et suivi des bénéficiaires",
              "Tenez l'émargement de chaque demi-journée et le suivi des stagiaires."),
    Indicator(11, 3, "Évaluation de l'atteinte des objectifs par les bénéficiaires",
              "Évaluez les acquis en fin de formation et délivrez l'attestation de fin de formation."),
    Indicator(12, 3, "Engagement des bénéficiaires et prévention des ruptures de parcours",
              "Suivez l'assiduité et relancez les absents."),
    Indicator(13, 3, "Alternance : coordination avec l'entreprise",
              "Organisez la coordination entre le centre et l'entreprise (livret, visites).",
              ALTERNANCE),
    Indicator(14, 3, "Apprentissage : exercice de la citoyenneté des apprentis",
              "Montrez les actions d'éducation à la citoyenneté.", APPRENTICESHIP),
    Indicator(15, 3, "Apprentissage : droits et devoirs de l'apprenti, santé et sécurité",
              "Informez les apprentis de leurs droits et devoirs.", APPRENTICESHIP),
    Indicator(16, 3, "Conditions de présentation à la certification",
              "Informez les candidats des modalités d'examen et inscrivez-les.", CERTIFYING),
    Indicator(17, 4, "Moyens humains et techniques adaptés, environnement approprié",
              "Affectez des formateurs à chaque session et décrivez les moyens."),
    Indicator(18, 4, "Coordination des acteurs internes et externes",
              "Désignez qui coordonne qui (organigramme, réunions)."),
    Indicator(19, 4, "Ressources pédagogiques mises à disposition",
              "Mettez les ressources pédagogiques à disposition des stagiaires."),
    Indicator(20, 4, "Personnels dédiés : référents pédagogique, administratif et handicap",
              "Nommez vos référents (pédagogique, administratif, handicap)."),
    Indicator(21, 5, "Compétences des intervenants internes et externes",
              "Gardez le CV et les diplômes de chaque formateur."),
    Indicator(22, 5, "Développement des compétences des salariés",
              "Tenez le plan de formation de vos salariés."),
    Indicator(23, 6, "Veille légale et réglementaire", "Tenez un registre de veille légale."),
    Indicator(24, 6, "Veille sur les emplois, les métiers et les compétences",
              "Tenez un registre de veille métiers."),
    Indicator(25, 6, "Veille sur les innovations pédagogiques et technologiques",
              "Tenez un registre de veille pédagogique."),
    Indicator(26, 6, "Réseau de partenaires pour l'accueil des personnes en situation de handicap",
              "Identifiez vos partenaires handicap et votre référent."),
    Indicator(27, 6, "Sous-traitance et portage salarial : respect du référentiel",
              "Contrôlez que vos sous-traitants respectent le référentiel.", SUBCONTRACTING),
    Indicator(28, 6, "Formation en situation de travail : réseau de partenaires socio-économiques",
              "Mobilisez les entreprises d'accueil des alternants.", ALTERNANCE),
    Indicator(29, 6, "Apprentissage : insertion professionnelle et poursuite d'études",
              "Accompagnez l'insertion et la poursuite d'études des apprentis.", APPRENTICESHIP),
    Indicator(30, 7, "Recueil des appréciations des parties prenantes",
              "Recueillez les appréciations des stagiaires, des clients et des formateurs."),
    Indicator(31, 7, "Traitement des difficultés, réclamations et aléas",
              "Tenez le registre des réclamations et répondez à chacune."),
    Indicator(32, 7, "Mesures d'amélioration continue",
              "Tirez des réclamations et des appréciations des actions d'amélioration."),
)

BY_NUMBER = {i.number: i for i in INDICATORS}
