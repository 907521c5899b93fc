#!/usr/bin/env python3
"""Validate the demo catalogue crates/db/seed/demo.json.

Usage: python3 scripts/check_demo.py [path/to/demo.json]

Checks the schema, the reference data (communes, professions, domains) and the
coverage rules of the demo catalogue. Prints every violation found and exits
with status 1 if there is at least one, 0 otherwise. Python 3 stdlib only.
"""

import csv
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEMO = ROOT / "crates" / "db" / "seed" / "demo.json"
SHARED = Path("/work/shared/data")
COMMUNES_CSV = SHARED / "geo" / "communes-actuelles.csv"
PROFESSIONS_JSON = SHARED / "reference" / "pep-numerique-professions.json"

DOMAINS = {
    "architecture": "Architecture",
    "autres": "Autres",
    "donnees": "Données",
    "developpement": "Développement",
    "gestion": "Gestion",
    "infrastructure": "Infrastructure",
    "projet-produit": "Projet / Produit",
    "serveur-cloud": "Serveur / Cloud",
    "support": "Support",
    "securite": "Sécurité",
}
REGIONS = ["01", "02", "03", "04", "06", "11", "24", "27", "28", "32",
           "44", "52", "53", "75", "76", "84", "93", "94"]

NATURES = ["titulaires_et_contractuels", "contractuels", "titulaires"]
CONTRACT_TYPES = ["fonctionnaire", "cdi", "cdd", "apprentissage", "stage", "freelance", "via"]
TIMED_CONTRACTS = {"cdd", "apprentissage", "stage", "via"}
CATEGORIES = ["A+", "A", "B", "C"]
VERSANTS = ["FPE", "FPT", "FPH"]
EXPERIENCES = ["debutant", "confirme", "expert"]
EDUCATIONS = [3, 4, 5, 6, 7, 8, None]
REMOTES = ["non", "partiel", "total"]
WORKING_TIMES = ["temps_complet", "temps_non_complet"]
VACANCIES = ["vacant", "susceptible_vacant"]
STATES = ["published", "draft", "filled", "archived"]

INSTITUTION_TEXTS = ["presentation", "values", "missions", "projects", "figures",
                     "recruitment_process", "working_with_us"]
INSTITUTION_KEYS = ["slug", "name", "acronym", "ministry", "website"] + INSTITUTION_TEXTS + ["services"]
OFFER_TEXTS = ["mission", "profile", "team", "context", "perks", "process", "how_to_apply"]
OFFER_KEYS = [
    "slug", "reference", "title", "institution", "service",
    "mission", "profile", "team", "context", "perks", "process", "particularities", "how_to_apply",
    "nature", "contract_types", "duration_months", "category", "versant", "profession", "domains",
    "experience", "education", "remote", "working_time", "vacancy", "salary_min", "salary_max",
    "commune", "address", "published_days_ago", "expires_in_days", "starts_in_days", "state",
    "application_url", "contact_email", "languages",
]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REFERENCE_RE = re.compile(r"^MDN-\d{4}-\d{4}$")
EMAIL_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*@(?:[a-z0-9-]+\.)+example\.(?:gouv\.)?fr$")
URL_RE = re.compile(r"^https://(?:[a-z0-9-]+\.)+example\.(?:gouv\.)?fr(?:/[A-Za-z0-9._~/?&=%-]*)?$")
HTML_RE = re.compile(r"</?[A-Za-z][^>]*>|&[a-z]+;")
PHONE_RE = re.compile(r"(?:\+33|\b0)[1-9](?:[ .-]?\d{2}){4}\b")
ANY_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
INSEE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")

TEXT_MIN, TEXT_MAX = 40, 1600
PARTICULARITIES_MIN = 10
SALARY_MIN, SALARY_MAX = 28000, 110000


def slugify(label):
    """Profession slug: lowercase, accents/ligatures folded to ASCII, every run
    of non-alphanumeric characters (apostrophes included) -> one "-", trimmed."""
    s = label.lower()
    for src, dst in (("œ", "oe"), ("æ", "ae"), ("ß", "ss")):
        s = s.replace(src, dst)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    # anything still outside [a-z0-9] (apostrophes ' and ’, guillemets, spaces,
    # slashes, punctuation…) is a separator
    s = re.sub(r"[^a-z0-9]+", "-", s)
    return s.strip("-")


class Checker:
    def __init__(self):
        self.errors = []

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    # -- generic helpers -------------------------------------------------
    def keys(self, where, obj, expected):
        if not isinstance(obj, dict):
            self.err(where, "must be an object")
            return False
        missing = [k for k in expected if k not in obj]
        extra = [k for k in obj if k not in expected]
        if missing:
            self.err(where, f"missing keys {missing}")
        if extra:
            self.err(where, f"unexpected keys {extra}")
        return not missing

    def text(self, where, value, nullable=False, min_len=TEXT_MIN):
        if value is None:
            if not nullable:
                self.err(where, "must not be null")
            return
        if not isinstance(value, str) or not value.strip():
            self.err(where, "must be a non-empty string")
            return
        if not min_len <= len(value) <= TEXT_MAX:
            self.err(where, f"length {len(value)} outside {min_len}..{TEXT_MAX}")
        self.clean(where, value)
        sentences = len(re.findall(r"[.!?…](?:\s|$)", value))
        bullets = len(re.findall(r"(?m)^- ", value))
        if bullets == 0 and sentences > 6:
            self.err(where, f"{sentences} sentences (max 6 without a list)")
        if bullets > 8:
            self.err(where, f"{bullets} bullet items (short lists only)")
        if "\n" in value and bullets == 0 and "\n\n" not in value:
            self.err(where, "single newline outside a list")

    def clean(self, where, value):
        if HTML_RE.search(value):
            self.err(where, "contains HTML")
        if PHONE_RE.search(value):
            self.err(where, "contains a phone number")
        for mail in ANY_EMAIL_RE.findall(value):
            if not EMAIL_RE.match(mail.lower()):
                self.err(where, f"contains a non-fictional e-mail {mail!r}")
        if "http://" in value or "www." in value and "example" not in value:
            self.err(where, "contains a raw link")

    def short(self, where, value, nullable=False):
        if value is None:
            if not nullable:
                self.err(where, "must not be null")
            return
        if not isinstance(value, str) or not value.strip() or "\n" in value:
            self.err(where, "must be a non-empty single-line string")
            return
        self.clean(where, value)

    def enum(self, where, value, allowed):
        if value not in allowed:
            self.err(where, f"{value!r} not in {allowed}")

    def int_or_null(self, where, value, lo=None, hi=None, nullable=True):
        if value is None:
            if not nullable:
                self.err(where, "must not be null")
            return
        if not isinstance(value, int) or isinstance(value, bool):
            self.err(where, f"{value!r} must be an integer")
            return
        if lo is not None and value < lo or hi is not None and value > hi:
            self.err(where, f"{value} outside {lo}..{hi}")


def load_communes():
    with open(COMMUNES_CSV, encoding="utf-8") as f:
        return {row["code_insee"]: row for row in csv.DictReader(f)}


def load_professions():
    with open(PROFESSIONS_JSON, encoding="utf-8") as f:
        data = json.load(f)
    out = {}
    for p in data["professions"]:
        out[slugify(p["pep_label"])] = p
    return out


def walk_services(c, where, services, seen, depth=0):
    """Returns the number of services having children."""
    nested = 0
    if not isinstance(services, list):
        c.err(where, "services must be a list")
        return 0
    for i, s in enumerate(services):
        w = f"{where}[{i}]"
        if not c.keys(w, s, ["slug", "name", "children"]):
            continue
        if not isinstance(s["slug"], str) or not SLUG_RE.match(s["slug"]):
            c.err(w, f"bad service slug {s['slug']!r}")
        elif s["slug"] in seen:
            c.err(w, f"duplicate service slug {s['slug']!r} in institution")
        seen.add(s["slug"])
        c.short(f"{w}.name", s["name"])
        if s["children"]:
            nested += 1
        if depth > 3:
            c.err(w, "services nested too deeply")
        nested += walk_services(c, f"{w}.children", s["children"], seen, depth + 1)
    return nested


def main(argv):
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_DEMO
    c = Checker()
    if not path.is_file():
        print(f"{path}: file not found")
        return 1
    raw = path.read_text(encoding="utf-8")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        print(f"{path}: invalid JSON: {e}")
        return 1
    if re.search(r"\\u[0-9a-fA-F]{4}", raw):
        c.err("file", "contains ASCII-escaped characters (write with ensure_ascii=False)")
    if raw != json.dumps(data, ensure_ascii=False, indent=2) + "\n" and \
            raw != json.dumps(data, ensure_ascii=False, indent=2):
        c.err("file", "not pretty-printed with a 2-space indent")

    communes = load_communes()
    professions = load_professions()

    if not c.keys("root", data, ["institutions", "offers"]):
        return report(c)

    # -- institutions -------------------------------------------------------
    services_by_inst = {}
    nested_total = 0
    inst_slugs = Counter()
    for i, inst in enumerate(data["institutions"]):
        w = f"institutions[{i}]"
        if not c.keys(w, inst, INSTITUTION_KEYS):
            continue
        w = f"institution {inst['slug']!r}"
        inst_slugs[inst["slug"]] += 1
        if not isinstance(inst["slug"], str) or not SLUG_RE.match(inst["slug"]):
            c.err(w, "bad slug")
        c.short(f"{w}.name", inst["name"])
        c.short(f"{w}.acronym", inst["acronym"], nullable=True)
        c.short(f"{w}.ministry", inst["ministry"], nullable=True)
        if not isinstance(inst["website"], str) or not re.match(r"^https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?$", inst["website"]):
            c.err(w, f"bad website {inst['website']!r}")
        for k in INSTITUTION_TEXTS:
            c.text(f"{w}.{k}", inst[k])
        seen = set()
        nested_total += walk_services(c, f"{w}.services", inst["services"], seen)
        if not seen:
            c.err(w, "needs at least one service")
        services_by_inst[inst["slug"]] = seen
    for s, n in inst_slugs.items():
        if n > 1:
            c.err("institutions", f"duplicate slug {s!r}")
    if len(inst_slugs) < 9:
        c.err("institutions", f"only {len(inst_slugs)} institutions (min 9)")
    if nested_total < 1:
        c.err("institutions", "no service has a nested child service")

    # -- offers -------------------------------------------------------------
    offers = data["offers"]
    slugs, refs = Counter(), Counter()
    good = []
    for i, o in enumerate(offers):
        w = f"offers[{i}]"
        if not c.keys(w, o, OFFER_KEYS):
            continue
        w = f"offer {o.get('reference')} ({o.get('slug')})"
        slugs[o["slug"]] += 1
        refs[o["reference"]] += 1
        if not isinstance(o["slug"], str) or not SLUG_RE.match(o["slug"]):
            c.err(w, "bad slug")
        if not isinstance(o["reference"], str) or not REFERENCE_RE.match(o["reference"]):
            c.err(w, "bad reference")
        c.short(f"{w}.title", o["title"])
        if isinstance(o["title"], str) and len(o["title"]) > 120:
            c.err(w, "title too long")
        if o["institution"] not in services_by_inst:
            c.err(w, f"unknown institution {o['institution']!r}")
        elif o["service"] is not None and o["service"] not in services_by_inst[o["institution"]]:
            c.err(w, f"service {o['service']!r} not in institution {o['institution']!r}")
        for k in OFFER_TEXTS:
            c.text(f"{w}.{k}", o[k])
        # a particularity can be a single short sentence ("Habilitation requise.")
        c.text(f"{w}.particularities", o["particularities"], nullable=True, min_len=PARTICULARITIES_MIN)

        c.enum(f"{w}.nature", o["nature"], NATURES)
        ct = o["contract_types"]
        if not isinstance(ct, list) or not ct:
            c.err(w, "contract_types must be a non-empty list")
            ct = []
        for t in ct:
            c.enum(f"{w}.contract_types", t, CONTRACT_TYPES)
        if len(set(ct)) != len(ct):
            c.err(w, "duplicate contract types")
        # nature / contract types consistency
        if o["nature"] == "titulaires" and set(ct) != {"fonctionnaire"}:
            c.err(w, "nature 'titulaires' requires contract_types ['fonctionnaire']")
        if o["nature"] == "contractuels" and "fonctionnaire" in ct:
            c.err(w, "nature 'contractuels' excludes 'fonctionnaire'")
        if o["nature"] == "titulaires_et_contractuels" and ("fonctionnaire" not in ct or len(ct) < 2):
            c.err(w, "nature 'titulaires_et_contractuels' requires 'fonctionnaire' plus a contract")
        if set(ct) & {"apprentissage", "stage", "freelance", "via"} and o["nature"] != "contractuels":
            c.err(w, "apprentissage/stage/freelance/via offers must be 'contractuels'")
        c.int_or_null(f"{w}.duration_months", o["duration_months"], 1, 48)
        timed = bool(set(ct) & TIMED_CONTRACTS)
        if timed and o["duration_months"] is None:
            c.err(w, "duration_months required for cdd/apprentissage/stage/via")
        if not timed and o["duration_months"] is not None:
            c.err(w, "duration_months only for cdd/apprentissage/stage/via")

        c.enum(f"{w}.category", o["category"], CATEGORIES)
        c.enum(f"{w}.versant", o["versant"], VERSANTS)
        if o["profession"] not in professions:
            c.err(w, f"unknown profession {o['profession']!r}")
        doms = o["domains"]
        if not isinstance(doms, list) or not doms:
            c.err(w, "domains must be a non-empty list")
            doms = []
        for d in doms:
            c.enum(f"{w}.domains", d, list(DOMAINS))
        if len(set(doms)) != len(doms):
            c.err(w, "duplicate domains")
        prof = professions.get(o["profession"])
        if prof and prof.get("metiers_numeriques_category"):
            expected = [k for k, v in DOMAINS.items() if v == prof["metiers_numeriques_category"]]
            if expected and expected[0] not in doms:
                c.err(w, f"domains {doms} miss the profession's domain {expected[0]!r}")

        c.enum(f"{w}.experience", o["experience"], EXPERIENCES)
        c.enum(f"{w}.education", o["education"], EDUCATIONS)
        c.enum(f"{w}.remote", o["remote"], REMOTES)
        c.enum(f"{w}.working_time", o["working_time"], WORKING_TIMES)
        c.enum(f"{w}.vacancy", o["vacancy"], VACANCIES)
        c.enum(f"{w}.state", o["state"], STATES)

        smin, smax = o["salary_min"], o["salary_max"]
        c.int_or_null(f"{w}.salary_min", smin, SALARY_MIN, SALARY_MAX)
        c.int_or_null(f"{w}.salary_max", smax, SALARY_MIN, SALARY_MAX)
        if (smin is None) != (smax is None):
            c.err(w, "salary_min and salary_max must both be set or both null")
        elif isinstance(smin, int) and isinstance(smax, int) and smax < smin:
            c.err(w, "salary_max < salary_min")

        commune = communes.get(o["commune"]) if isinstance(o["commune"], str) else None
        if not isinstance(o["commune"], str) or not INSEE_RE.match(o["commune"]) or commune is None:
            c.err(w, f"unknown commune {o['commune']!r}")
        elif commune["region"] not in REGIONS:
            c.err(w, f"commune {o['commune']} is outside the 18 régions")
        c.short(f"{w}.address", o["address"])

        c.int_or_null(f"{w}.published_days_ago", o["published_days_ago"], 0, 60, nullable=False)
        c.int_or_null(f"{w}.expires_in_days", o["expires_in_days"], 5, 120)
        c.int_or_null(f"{w}.starts_in_days", o["starts_in_days"], -60, 365)

        if o["application_url"] is not None and not (isinstance(o["application_url"], str) and URL_RE.match(o["application_url"])):
            c.err(w, f"application_url {o['application_url']!r} must be https on an example.fr host")
        if o["contact_email"] is not None and not (isinstance(o["contact_email"], str) and EMAIL_RE.match(o["contact_email"])):
            c.err(w, f"contact_email {o['contact_email']!r} must be on an example.fr domain")
        if o["application_url"] is None and o["contact_email"] is None and o["state"] == "published":
            c.err(w, "published offer needs an application_url or a contact_email")
        c.short(f"{w}.languages", o["languages"], nullable=True)
        good.append(o)

    for s, n in slugs.items():
        if n > 1:
            c.err("offers", f"duplicate slug {s!r}")
    for r, n in refs.items():
        if n > 1:
            c.err("offers", f"duplicate reference {r!r}")

    coverage(c, good, communes)
    return report(c, good, communes)


def coverage(c, offers, communes):
    states = Counter(o["state"] for o in offers)
    if len(offers) < 72:
        c.err("coverage", f"{len(offers)} offers (min 72)")
    pub = [o for o in offers if o["state"] == "published"]
    open_pub = [o for o in pub if o["expires_in_days"] is None or o["expires_in_days"] >= 10]
    if len(open_pub) < 60:
        c.err("coverage", f"{len(open_pub)} published offers open >= 10 days (min 60)")
    for s in ("draft", "filled", "archived"):
        if states[s] < 2:
            c.err("coverage", f"{states[s]} {s} offers (min 2)")

    per_region = Counter(communes[o["commune"]]["region"] for o in pub if o["commune"] in communes)
    for r in REGIONS:
        if per_region[r] < 2:
            c.err("coverage", f"région {r} has {per_region[r]} published offers (min 2)")

    def must_cover(field, values, multi=False):
        used = set()
        for o in pub:
            v = o[field]
            used.update(v if multi else [v])
        missing = [v for v in values if v not in used]
        if missing:
            c.err("coverage", f"{field}: values never used by a published offer: {missing}")

    must_cover("contract_types", CONTRACT_TYPES, multi=True)
    must_cover("nature", NATURES)
    must_cover("category", CATEGORIES)
    must_cover("versant", VERSANTS)
    must_cover("experience", EXPERIENCES)
    must_cover("education", EDUCATIONS)
    must_cover("remote", REMOTES)
    must_cover("working_time", WORKING_TIMES)
    must_cover("vacancy", VACANCIES)
    must_cover("domains", list(DOMAINS), multi=True)

    profs = {o["profession"] for o in pub}
    if len(profs) < 25:
        c.err("coverage", f"{len(profs)} distinct professions among published offers (min 25)")

    with_salary = sum(1 for o in offers if o["salary_min"] is not None)
    if not (len(offers) / 2 < with_salary < len(offers)):
        c.err("coverage", f"salary on {with_salary}/{len(offers)} offers (must be most, not all)")
    if not any(o["application_url"] for o in offers):
        c.err("coverage", "no offer has an application_url")
    if all(o["application_url"] for o in offers):
        c.err("coverage", "application_url must be absent on some offers")
    if not any(o["particularities"] is None for o in offers):
        c.err("coverage", "particularities must be null on some offers")
    if all(o["particularities"] is None for o in offers):
        c.err("coverage", "particularities must be present on some offers")

    titles = [o["title"] for o in offers]
    dev = [t for t in titles if "Développeuse / Développeur" in t or "Développeur·euse" in t]
    if len(dev) < 4:
        c.err("coverage", f"{len(dev)} developer titles (min 4)")
    data_titles = [t for t in titles if re.search(r"\bdata\b", t, re.I)]
    if len(data_titles) < 2:
        c.err("coverage", f"{len(data_titles)} titles containing 'data' (min 2)")
    for kw, label in ((r"\bUX\b|[Dd]esign", "design/UX"), (r"[Ss]écurité|RSSI|intrusion|cyber", "sécurité"),
                      (r"[Cc]loud|[Ii]nfrastructure|[Ss]ystèmes", "cloud/infra"), (r"Product Owner", "product owner"),
                      (r"[Aa]rchitecte", "architecte"), (r"protection des données|DPO", "DPO"),
                      (r"[Cc]heffe / [Cc]hef de projet|[Cc]hef·fe de projet", "chef·fe de projet"),
                      (r"[Ss]upport", "support")):
        if not any(re.search(kw, t) for t in titles):
            c.err("coverage", f"no {label} title")
    dup_titles = [t for t, n in Counter(titles).items() if n > 1]
    if dup_titles:
        c.err("coverage", f"duplicate titles {dup_titles}")


def report(c, offers=None, communes=None):
    if offers:
        states = Counter(o["state"] for o in offers)
        print(f"{len(offers)} offers: " + ", ".join(f"{k}={v}" for k, v in sorted(states.items())))
    if c.errors:
        for e in c.errors:
            print("ERROR", e)
        print(f"{len(c.errors)} violation(s)")
        return 1
    print("demo catalogue OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
