"""The questionnaires every organisation starts with (Qualiopi: positioning, indicator 8;
evaluation of learning, indicator 11; satisfaction of every stakeholder, indicator 30).
The organisation edits them; these are only the first versions."""

from __future__ import annotations

S5, S10, ONE, MANY, TEXT = "scale5", "scale10", "single", "multiple", "text"

# (kind, audience, title, intro, scoring, [(text, type, choices, correct, required)])
DEFAULTS: list[tuple[str, str, str, str, str, list[tuple[str, str, str, str, bool]]]] = [
    ("positioning", "learner", "Questionnaire de positionnement",
     "Ces réponses aident le formateur à adapter la formation à votre niveau et à vos attentes.",
     "none", [
         ("Comment évaluez-vous votre niveau actuel sur le sujet de la formation ?", S5, "", "", True),
         ("Avez-vous déjà suivi une formation sur ce sujet ?", ONE, "Oui\nNon", "", True),
         ("Qu'attendez-vous de cette formation ?", TEXT, "", "", True),
         ("Avez-vous besoin d'un aménagement (handicap, horaires, matériel) ?", TEXT, "", "", False),
     ]),
    ("learning", "learner", "Évaluation des acquis",
     "Faites le point sur ce que vous avez appris ; le formateur complète par sa note.",
     "trainer", [
         ("Dans quelle mesure estimez-vous avoir atteint les objectifs de la formation ?", S5, "", "", True),
         ("Quelles compétences allez-vous mettre en œuvre en premier ?", TEXT, "", "", True),
     ]),
    ("hot", "learner", "Votre satisfaction sur la formation",
     "Quelques minutes pour nous dire ce que vous avez pensé de la formation.", "none", [
         ("L'organisation et l'accueil", S5, "", "", True),
         ("Le contenu de la formation", S5, "", "", True),
         ("Le formateur ou la formatrice", S5, "", "", True),
         ("L'atteinte de vos objectifs", S5, "", "", True),
         ("La durée de la formation était…", ONE, "Trop courte\nAdaptée\nTrop longue", "", True),
         ("Recommanderiez-vous cette formation à un collègue ?", S10, "", "", True),
         ("Vos remarques et suggestions", TEXT, "", "", False),
     ]),
    ("hot", "client", "Satisfaction de l'entreprise cliente",
     "Votre avis sur la formation suivie par vos collaborateurs.", "none", [
         ("La qualité des échanges avec notre organisme", S5, "", "", True),
         ("La réponse apportée à votre besoin", S5, "", "", True),
         ("Recommanderiez-vous notre organisme ?", S10, "", "", True),
         ("Vos remarques", TEXT, "", "", False),
     ]),
    ("hot", "trainer", "Bilan du formateur",
     "Votre regard sur le déroulement de la session.", "none", [
         ("Les conditions matérielles (salle, équipement)", S5, "", "", True),
         ("L'homogénéité du niveau du groupe", S5, "", "", True),
         ("Ce qui serait à améliorer", MANY,
          "La salle\nLe matériel\nLes supports\nL'organisation\nRien de particulier", "", True),
         ("Vos remarques", TEXT, "", "", False),
     ]),
    ("cold", "learner", "Et quelques mois après ?",
     "Quelques mois ont passé : la formation vous sert-elle au quotidien ?", "none", [
         ("Mettez-vous en pratique ce que vous avez appris ?", S5, "", "", True),
         ("La formation a-t-elle changé votre façon de travailler ?", ONE,
          "Oui, nettement\nUn peu\nPas encore", "", True),
         ("Vos remarques", TEXT, "", "", False),
     ]),
    ("cold", "client", "Les effets de la formation dans votre entreprise",
     "Quelques mois après la formation, en voyez-vous les effets ?", "none", [
         ("Les compétences acquises sont-elles mises en œuvre ?", S5, "", "", True),
         ("Vos remarques", TEXT, "", "", False),
     ]),
]
