#!/usr/bin/env python3
"""Writes a synthetic Choisir le service public open-data CSV of about SIZE_MB megabytes
(default 100), for the import benchmark. Same 30 columns, quoting and quirks as the real
export (multi-line fields, dd/mm/yyyy dates, 31/12/9999, "Paris (75)"); texts are random
combinations of a small vocabulary, references are unique.

    python3 scripts/gen-csp.py OUT.csv [SIZE_MB]
"""
import csv
import random
import sys

HEADER = ["Organisme de rattachement", "Référence", "Versant", "Métier", "Statut du poste",
          "Nature de l'emploi", "Durée du contrat", "Intitulé du poste", "Localisation du poste",
          "Lieu d'affectation", "Niveau d'études", "Niveau d'expérience min. requis",
          "Date de vacance de l'emploi", "Date de début de publication par défaut",
          "Date de fin de publication par défaut", "Date de première publication", "Spécialisation",
          "Télétravail", "Management", "Employeur", "Catégorie", "Temps Plein", "Durée du poste",
          "Langues", "Niveaux", "Lieu d'affectation (sans géolocalisation)", "Avis de vacances au JO",
          "Compétences attendues", "Documents à transmettre", "Nature de contrat"]

PLACES = [("Paris (75)", "75007 Paris"), ("Rhône (69)", "69003 Lyon"), ("Nord (59)", "59000 Lille"),
          ("Gironde (33)", "33000 Bordeaux"), ("Haute-Garonne (31)", "31000 Toulouse"),
          ("Ille-et-Vilaine (35)", "35000 Rennes"), ("Bas-Rhin (67)", "67000 Strasbourg"),
          ("Corse-du-Sud (2A)", "20000 Ajaccio"), ("La Réunion (974)", "97400 Saint-Denis"),
          ("Loire-Atlantique (44)", "44000 Nantes"), ("Bouches-du-Rhône (13)", "13001 Marseille")]
PROFESSIONS = ["Développeuse / Développeur", "Data Scientist", "Product Owner", "Architecte technique",
               "Chargée / Chargé de gestion administrative et/ou de paie", "Technicienne / Technicien support utilisateurs",
               "Responsable Sécurité des Systèmes d’Information - RSSI", "Gestionnaire logistique", "Archiviste"]
TITLES = ["Développeur·euse back-end", "Data scientist", "Product owner", "Architecte cloud", "Gestionnaire paie",
          "Technicien·ne support", "RSSI adjoint·e", "Gestionnaire logistique", "Archiviste numérique"]
EMPLOYERS = [f"Direction départementale n° {i}" for i in range(400)] + [f"Université {i}" for i in range(100)]
WORDS = ("service public numérique données usagers qualité sécurité équipe projet agile accessibilité "
         "exploitation réseau application développement analyse pilotage budget conformité").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def main():
    out = sys.argv[1]
    size = int(float(sys.argv[2]) * 1024 * 1024) if len(sys.argv) > 2 else 100 * 1024 * 1024
    rng = random.Random(42)
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(HEADER)
        i = 0
        while f.tell() < size:
            i += 1
            dept, address = rng.choice(PLACES)
            k = rng.randrange(len(TITLES))
            day = rng.randrange(1, 28)
            row = {h: "" for h in HEADER}
            row.update({
                "Organisme de rattachement": "Ministère de l'Intérieur et des Outre-mer",
                "Référence": f"O{i:013d}",
                "Versant": rng.choice(["Fonction publique de l'Etat", "Fonction publique Territoriale", "Fonction Publique Hospitalière"]),
                "Métier": PROFESSIONS[k],
                "Statut du poste": rng.choice(["Vacant", "Susceptible d'être vacant"]),
                "Nature de l'emploi": rng.choice(["Emploi ouvert aux titulaires et aux contractuels", "Emploi ouvert uniquement aux contractuels"]),
                "Intitulé du poste": f"{TITLES[k]} ({i})",
                "Localisation du poste": dept,
                "Lieu d'affectation": f"{rng.randrange(1, 200)} rue de la République {address}",
                "Niveau d'études": rng.choice(["Niveau 6 Licence/diplômes équivalents", "Niveau 7 Master/diplômes équivalents", ""]),
                "Niveau d'expérience min. requis": rng.choice(["Débutant", "Confirmé", "Expert"]),
                "Date de début de publication par défaut": f"{day:02d}/10/2026",
                "Date de fin de publication par défaut": rng.choice([f"{day:02d}/12/2026", "31/12/9999"]),
                "Date de première publication": f"{day:02d}/10/2026",
                "Télétravail": rng.choice(["Oui", "Non"]),
                "Employeur": rng.choice(EMPLOYERS) + "\n1 place de la Préfecture",
                "Catégorie": rng.choice(["Catégorie A (cadre)", "Catégorie B (profession intermédiaire)", "Catégorie C (employé)"]),
                "Temps Plein": "Oui",
                "Compétences attendues": sentence(rng, 40) + "\n" + sentence(rng, 30),
                "Documents à transmettre": "CV et lettre de motivation",
            })
            w.writerow([row[h] for h in HEADER])
    print(f"{out}: {i} offres", file=sys.stderr)


if __name__ == "__main__":
    main()
