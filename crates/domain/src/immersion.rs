//! « Vis mon job »: a campaign pairs master's students with public tech agents for a day of
//! immersion. The rules every page and service applies: the campaign's phases, what makes a
//! pair possible (a day both can do; a place in the student's régions, or remote on both
//! sides), the score of a pair and its explanation, and the matching itself: an assignment
//! (Kuhn–Munkres, from the `pathfinding` crate) that maximises the number of duos first, then
//! their total score.

use crate::codes::code_enum;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::HashSet;

code_enum!(
    /// Where the host receives the student.
    PlaceMode, "le lieu", {
        OnSite => ("sur-site", "Sur place"),
        Remote => ("distance", "À distance"),
        Either => ("au-choix", "Sur place ou à distance"),
    }
);

code_enum!(
    /// A host's offer of a day: `Paused` and `Withdrawn` ones are not matched.
    OfferState, "l’état de l’offre", {
        Open => ("ouverte", "Ouverte"),
        Paused => ("en-pause", "En pause"),
        Withdrawn => ("retiree", "Retirée"),
    }
);

code_enum!(
    /// A student's application: `Paused` after a proposal left unanswered (the student
    /// resumes it in one click), `Withdrawn` when they no longer take part.
    ApplicationState, "l’état de la candidature", {
        Active => ("active", "Active"),
        Paused => ("en-pause", "En pause"),
        Withdrawn => ("retiree", "Retirée"),
    }
);

code_enum!(
    /// Where a duo is. `Draft`: in the administrators' proposal, seen by nobody else;
    /// `Proposed`: sent to both sides, waiting for their answers; `Accepted`: both said yes
    /// (contact details shown); `Declined`, `Expired`, `Cancelled` free both sides.
    DuoState, "l’état du duo", {
        Draft => ("brouillon", "Proposition à valider"),
        Proposed => ("propose", "En attente des réponses"),
        Accepted => ("accepte", "Accepté des deux côtés"),
        Declined => ("decline", "Décliné"),
        Expired => ("expire", "Sans réponse à temps"),
        Cancelled => ("annule", "Annulé"),
    }
);

code_enum!(
    /// The two sides of a duo.
    Side, "le côté", {
        Student => ("etudiant", "L’étudiant·e"),
        Host => ("agent", "L’agent·e"),
    }
);

code_enum!(
    /// Why a side declines a proposal (one click: hosts answer when answering is quick).
    DeclineReason, "le motif", {
        Unavailable => ("indisponible", "Je ne suis plus disponible ce jour-là"),
        Profession => ("metier", "Le métier ne correspond pas"),
        Place => ("lieu", "Le lieu ne me convient pas"),
        Other => ("autre", "Une autre raison"),
    }
);

code_enum!(
    /// The student's year of study.
    StudyYear, "l’année d’études", {
        Bachelor3 => ("l3", "Licence 3"),
        Master1 => ("m1", "Master 1"),
        Master2 => ("m2", "Master 2"),
        Engineering => ("ingenieur", "École d’ingénieurs"),
        Doctorate => ("doctorat", "Doctorat"),
        Other => ("autre", "Autre"),
    }
);

/// A host receives at most this many students (one is the rule, a few the exception).
pub const MAX_SEATS: i32 = 5;
/// A campaign has at most this many days of immersion.
pub const MAX_DAYS: usize = 10;
/// Both sides answer a proposal within this many days by default.
pub const DEFAULT_ANSWER_DAYS: i32 = 5;
/// The campaign's objective by default (the first edition's duos).
pub const DEFAULT_OBJECTIVE: i32 = 60;
/// Applications, duos and feedback are purged this long after the campaign's last day (the
/// anonymous counts stay).
pub const RETENTION_DAYS: i64 = 180;
/// The day of immersion starts at this hour, Paris time (reminders and the feedback request
/// are timed from it).
pub const DAY_STARTS_HOUR: u32 = 9;
/// ... and ends at this one.
pub const DAY_ENDS_HOUR: u32 = 17;

/// Where a campaign is at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before offers and applications open.
    Upcoming,
    /// Offers and applications are taken (and edited).
    Open,
    /// The window closed; the administrators prepare the matching.
    Matching,
    /// The matching was confirmed: proposals, answers, duos, until the last day's end.
    Duos,
    /// After the last day.
    Over,
}

/// The campaign's phase at `now`.
pub fn phase(
    opens: DateTime<Utc>,
    closes: DateTime<Utc>,
    confirmed: Option<DateTime<Utc>>,
    last_day_ends: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Phase {
    if now >= last_day_ends {
        Phase::Over
    } else if confirmed.is_some() {
        Phase::Duos
    } else if now < opens {
        Phase::Upcoming
    } else if now < closes {
        Phase::Open
    } else {
        Phase::Matching
    }
}

/// The day (or days) of a campaign, from a form's list; sorted, without repeats; `None`
/// when empty or longer than [`MAX_DAYS`].
pub fn days(mut days: Vec<NaiveDate>) -> Option<Vec<NaiveDate>> {
    days.sort();
    days.dedup();
    (!days.is_empty() && days.len() <= MAX_DAYS).then_some(days)
}

/// A host as the matching sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub id: i64,
    /// Students still to receive (capacity minus live duos).
    pub seats: u32,
    pub days: Vec<NaiveDate>,
    pub mode: PlaceMode,
    /// The workplace's région (INSEE code), when on site is possible.
    pub region: Option<String>,
    /// Profession and domain slugs.
    pub profession: String,
    pub domain: Option<String>,
}

/// A student as the matching sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    pub id: i64,
    pub days: Vec<NaiveDate>,
    pub regions: Vec<String>,
    pub remote_ok: bool,
    pub professions: Vec<String>,
    pub domains: Vec<String>,
}

/// Why a pair scores what it scores: shown to the administrators and to both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    SameProfession,
    SameDomain,
    SameRegion,
    RemoteBoth,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::SameProfession => "metier",
            Reason::SameDomain => "domaine",
            Reason::SameRegion => "region",
            Reason::RemoteBoth => "distance",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Reason::SameProfession => "même métier souhaité",
            Reason::SameDomain => "même domaine souhaité",
            Reason::SameRegion => "dans une région souhaitée",
            Reason::RemoteBoth => "à distance, accepté des deux côtés",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Reason::SameProfession, Reason::SameDomain, Reason::SameRegion, Reason::RemoteBoth]
            .into_iter()
            .find(|r| r.code() == code)
    }

    fn points(self) -> u32 {
        match self {
            Reason::SameProfession => 6,
            Reason::SameDomain => 3,
            // A day on site, in a région the student asked for, is richer than one on screen.
            Reason::SameRegion => 1,
            Reason::RemoteBoth => 0,
        }
    }
}

/// The explanation of a pair in one line: « même métier souhaité, dans une région souhaitée ».
pub fn explain(reasons: &[Reason]) -> String {
    let text = reasons.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
    let mut c = text.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => "Aucun vœu en commun, mais un jour et un lieu possibles".into(),
    }
}

/// A possible pair: its day, whether it is remote, its score and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    pub day: NaiveDate,
    pub remote: bool,
    pub score: u32,
    pub reasons: Vec<Reason>,
}

/// The highest score a pair can have.
pub const MAX_SCORE: u32 = 6 + 3 + 1;

/// Whether `host` and `student` can form a duo (a day both can do; a place in the student's
/// régions, or remote on both sides), and how well. The earliest common day is chosen; on
/// site is preferred to remote when both are possible.
pub fn fit(host: &Host, student: &Student) -> Option<Fit> {
    let day = host.days.iter().filter(|d| student.days.contains(d)).min().copied()?;
    let on_site =
        host.mode != PlaceMode::Remote && host.region.as_ref().is_some_and(|r| student.regions.iter().any(|s| s == r));
    let remote = host.mode != PlaceMode::OnSite && student.remote_ok;
    if !on_site && !remote {
        return None;
    }
    let mut reasons = Vec::new();
    if student.professions.contains(&host.profession) {
        reasons.push(Reason::SameProfession);
    }
    if host.domain.as_ref().is_some_and(|d| student.domains.contains(d)) {
        reasons.push(Reason::SameDomain);
    }
    reasons.push(if on_site { Reason::SameRegion } else { Reason::RemoteBoth });
    let score = reasons.iter().map(|r| r.points()).sum();
    Some(Fit { day, remote: !on_site, score, reasons })
}

/// One duo of a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairing {
    pub host: i64,
    pub student: i64,
    pub fit: Fit,
}

/// The proposal: as many duos as the constraints allow, and among those the best total score
/// (an assignment problem: Kuhn–Munkres on students × the hosts' seats, each possible pair
/// weighing more than every score together, so that one more duo always wins). `excluded`
/// pairs (host, student) are never proposed (a pair declined or left unanswered before).
/// Deterministic: the same input gives the same duos (inputs are taken in order of id).
pub fn propose(hosts: &[Host], students: &[Student], excluded: &HashSet<(i64, i64)>) -> Vec<Pairing> {
    let mut hosts: Vec<&Host> = hosts.iter().filter(|h| h.seats > 0).collect();
    hosts.sort_by_key(|h| h.id);
    let mut students: Vec<&Student> = students.iter().collect();
    students.sort_by_key(|s| s.id);
    let seats: Vec<&Host> = hosts.iter().flat_map(|h| std::iter::repeat_n(*h, h.seats as usize)).collect();
    let size = seats.len().max(students.len());
    if size == 0 {
        return Vec::new();
    }
    let fits: Vec<Vec<Option<Fit>>> = students
        .iter()
        .map(|s| seats.iter().map(|h| if excluded.contains(&(h.id, s.id)) { None } else { fit(h, s) }).collect())
        .collect();
    // Every possible pair weighs more than all the scores of any assignment together.
    let pair_weight = i64::from(MAX_SCORE) * size as i64 + 1;
    let mut weights = Vec::with_capacity(size * size);
    for row in 0..size {
        for col in 0..size {
            let w = fits
                .get(row)
                .and_then(|r| r.get(col))
                .and_then(|f| f.as_ref())
                .map_or(0, |f| pair_weight + i64::from(f.score));
            weights.push(w);
        }
    }
    let Ok(matrix) = pathfinding::matrix::Matrix::from_vec(size, size, weights) else {
        return Vec::new();
    };
    let (_, assignment) = pathfinding::kuhn_munkres::kuhn_munkres(&matrix);
    let mut out = Vec::new();
    for (row, col) in assignment.into_iter().enumerate() {
        let (Some(s), Some(h)) = (students.get(row), seats.get(col)) else { continue };
        if let Some(Some(f)) = fits.get(row).and_then(|r| r.get(col)) {
            out.push(Pairing { host: h.id, student: s.id, fit: f.clone() });
        }
    }
    out.sort_by_key(|p| (p.host, p.student));
    out
}

/// When a proposal left unanswered is reminded: halfway through the time to answer.
pub fn answer_reminder_due(proposed_at: DateTime<Utc>, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= proposed_at + (expires_at - proposed_at) / 2 && now < expires_at
}

/// The reminders before the day: a week before, and the day before (a duo accepted late gets
/// only the nearest one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayReminder {
    Week,
    Eve,
}

/// Which reminder is due at `now` for a day starting at `starts`, given what was sent.
pub fn day_reminder_due(
    starts: DateTime<Utc>,
    week_sent: bool,
    eve_sent: bool,
    now: DateTime<Utc>,
) -> Option<DayReminder> {
    if now >= starts {
        return None;
    }
    if !eve_sent && now >= starts - Duration::days(1) {
        return Some(DayReminder::Eve);
    }
    if !week_sent && !eve_sent && now >= starts - Duration::days(7) {
        return Some(DayReminder::Week);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, day).expect("date")
    }

    fn host(id: i64, days: &[u32], mode: PlaceMode, region: &str, profession: &str) -> Host {
        Host {
            id,
            seats: 1,
            days: days.iter().map(|x| d(*x)).collect(),
            mode,
            region: Some(region.into()),
            profession: profession.into(),
            domain: Some(format!("dom-{}", &profession[..1])),
        }
    }

    fn student(id: i64, days: &[u32], regions: &[&str], remote_ok: bool, professions: &[&str]) -> Student {
        Student {
            id,
            days: days.iter().map(|x| d(*x)).collect(),
            regions: regions.iter().map(|r| r.to_string()).collect(),
            remote_ok,
            professions: professions.iter().map(|p| p.to_string()).collect(),
            domains: professions.iter().map(|p| format!("dom-{}", &p[..1])).collect(),
        }
    }

    /// A small pseudo-random generator, so that generated campaigns are the same at each run.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    const REGIONS: [&str; 5] = ["11", "84", "76", "75", "53"];
    const PROFESSIONS: [&str; 6] = ["dev", "data", "design", "secu", "archi", "produit"];

    fn campaign(seed: u64, hosts: usize, students: usize) -> (Vec<Host>, Vec<Student>) {
        let mut r = Lcg(seed);
        let modes = [PlaceMode::OnSite, PlaceMode::Remote, PlaceMode::Either];
        let pick_days = |r: &mut Lcg| -> Vec<u32> {
            let mut v: Vec<u32> = (0..3).filter(|_| r.next(2) == 0).map(|i| 15 + i).collect();
            if v.is_empty() {
                v.push(15 + r.next(3) as u32);
            }
            v
        };
        let hosts = (0..hosts)
            .map(|i| {
                let days = pick_days(&mut r);
                let mut h = host(
                    i as i64 + 1,
                    &days,
                    modes[r.next(3) as usize],
                    REGIONS[r.next(5) as usize],
                    PROFESSIONS[r.next(6) as usize],
                );
                h.seats = if r.next(6) == 0 { 2 } else { 1 };
                h
            })
            .collect();
        let students = (0..students)
            .map(|i| {
                let days = pick_days(&mut r);
                let regions: Vec<&str> = (0..1 + r.next(2)).map(|_| REGIONS[r.next(5) as usize]).collect();
                let professions: Vec<&str> = (0..1 + r.next(2)).map(|_| PROFESSIONS[r.next(6) as usize]).collect();
                student(i as i64 + 100, &days, &regions, r.next(3) > 0, &professions)
            })
            .collect();
        (hosts, students)
    }

    fn check_hard_constraints(hosts: &[Host], students: &[Student], duos: &[Pairing]) {
        let mut per_host = std::collections::HashMap::new();
        let mut seen_students = HashSet::new();
        for p in duos {
            let h = hosts.iter().find(|h| h.id == p.host).expect("host");
            let s = students.iter().find(|s| s.id == p.student).expect("student");
            assert!(h.days.contains(&p.fit.day) && s.days.contains(&p.fit.day), "a day both can do: {p:?}");
            if p.fit.remote {
                assert!(h.mode != PlaceMode::OnSite && s.remote_ok, "remote on both sides: {p:?}");
            } else {
                assert!(h.mode != PlaceMode::Remote, "on site only where the host receives: {p:?}");
                assert!(s.regions.contains(h.region.as_ref().expect("region")), "in the student's régions: {p:?}");
            }
            assert!(seen_students.insert(s.id), "a student in one duo only");
            *per_host.entry(h.id).or_insert(0u32) += 1;
            assert!(per_host[&h.id] <= h.seats, "a host never receives more than their seats");
        }
    }

    /// The most duos any assignment can make, by trying them all (small instances only).
    fn brute_force(hosts: &[Host], students: &[Student]) -> usize {
        fn go(i: usize, students: &[Student], seats: &mut Vec<(Host, u32)>) -> usize {
            let Some(s) = students.get(i) else { return 0 };
            let mut best = go(i + 1, students, seats);
            for k in 0..seats.len() {
                if seats[k].1 > 0 && fit(&seats[k].0, s).is_some() {
                    seats[k].1 -= 1;
                    best = best.max(1 + go(i + 1, students, seats));
                    seats[k].1 += 1;
                }
            }
            best
        }
        let mut seats: Vec<(Host, u32)> = hosts.iter().map(|h| (h.clone(), h.seats)).collect();
        go(0, students, &mut seats)
    }

    #[test]
    fn a_pair_needs_a_common_day_and_a_place() {
        let h = host(1, &[15, 16], PlaceMode::OnSite, "11", "dev");
        assert_eq!(fit(&h, &student(2, &[17], &["11"], true, &["dev"])), None, "no common day");
        assert_eq!(fit(&h, &student(2, &[16], &["84"], true, &["dev"])), None, "on site elsewhere, remote refused");
        let f = fit(&h, &student(2, &[16, 15], &["11"], false, &["dev"])).expect("fit");
        assert_eq!(f.day, d(15), "the earliest common day");
        assert!(!f.remote);
        assert_eq!(f.reasons, vec![Reason::SameProfession, Reason::SameDomain, Reason::SameRegion]);
        assert_eq!(f.score, MAX_SCORE);
        assert_eq!(explain(&f.reasons), "Même métier souhaité, même domaine souhaité, dans une région souhaitée");
        let remote = host(3, &[15], PlaceMode::Either, "11", "secu");
        let f = fit(&remote, &student(4, &[15], &["84"], true, &["dev"])).expect("remote fit");
        assert!(f.remote);
        assert_eq!(f.reasons, vec![Reason::RemoteBoth]);
        assert_eq!(f.score, 0);
        assert_eq!(fit(&remote, &student(4, &[15], &["84"], false, &["dev"])), None, "remote needs both");
        let only_remote = host(5, &[15], PlaceMode::Remote, "11", "data");
        assert!(fit(&only_remote, &student(6, &[15], &["11"], false, &["data"])).is_none());
    }

    #[test]
    fn the_most_duos_win_over_the_best_scores() {
        // Student 10 fits both hosts, best with host 1; student 11 fits only host 1. A greedy
        // pass on scores would give host 1 to student 10 and leave student 11 alone.
        let hosts =
            vec![host(1, &[15], PlaceMode::OnSite, "11", "dev"), host(2, &[15], PlaceMode::Remote, "11", "data")];
        let students = vec![student(10, &[15], &["11"], true, &["dev"]), student(11, &[15], &["11"], false, &["data"])];
        let duos = propose(&hosts, &students, &HashSet::new());
        assert_eq!(duos.len(), 2);
        assert_eq!((duos[0].host, duos[0].student), (1, 11));
        assert_eq!((duos[1].host, duos[1].student), (2, 10));
    }

    #[test]
    fn excluded_pairs_are_never_proposed_again() {
        let hosts = vec![host(1, &[15], PlaceMode::OnSite, "11", "dev")];
        let students = vec![student(10, &[15], &["11"], false, &["dev"]), student(11, &[15], &["11"], false, &[])];
        let duos = propose(&hosts, &students, &HashSet::from([(1, 10)]));
        assert_eq!(duos.len(), 1);
        assert_eq!(duos[0].student, 11, "the next possible student, not the one who declined");
    }

    #[test]
    fn generated_campaigns_keep_every_rule_and_make_the_most_duos() {
        for seed in 0..40 {
            let (hosts, students) = campaign(seed, 1 + (seed as usize % 5), 1 + (seed as usize * 7 % 6));
            let duos = propose(&hosts, &students, &HashSet::new());
            check_hard_constraints(&hosts, &students, &duos);
            assert_eq!(duos.len(), brute_force(&hosts, &students), "seed {seed}: as many duos as possible");
        }
    }

    #[test]
    fn a_real_sized_campaign_is_deterministic_and_explained() {
        let (hosts, students) = campaign(2027, 60, 90);
        let first = propose(&hosts, &students, &HashSet::new());
        check_hard_constraints(&hosts, &students, &first);
        let seats: u32 = hosts.iter().map(|h| h.seats).sum();
        assert!(first.len() as u32 <= seats);
        assert!(first.len() >= 40, "most hosts find a student: {}", first.len());
        // Shuffled input, same proposal.
        let mut h2 = hosts.clone();
        h2.reverse();
        let mut s2 = students.clone();
        s2.rotate_left(17);
        assert_eq!(propose(&h2, &s2, &HashSet::new()), first);
        for p in &first {
            assert!(!p.fit.reasons.is_empty(), "every duo says why");
            assert_eq!(p.fit.score, p.fit.reasons.iter().map(|r| r.points()).sum::<u32>());
        }
        // The maximum number of duos, checked against a maximum bipartite matching computed
        // another way (augmenting paths).
        assert_eq!(first.len(), max_matching(&hosts, &students));
    }

    /// Kuhn's augmenting paths on students × seats: the maximum number of duos.
    fn max_matching(hosts: &[Host], students: &[Student]) -> usize {
        let seats: Vec<&Host> = hosts.iter().flat_map(|h| std::iter::repeat_n(h, h.seats as usize)).collect();
        let mut owner: Vec<Option<usize>> = vec![None; seats.len()];
        fn augment(
            s: usize,
            students: &[Student],
            seats: &[&Host],
            seen: &mut Vec<bool>,
            owner: &mut Vec<Option<usize>>,
        ) -> bool {
            for k in 0..seats.len() {
                if !seen[k] && fit(seats[k], &students[s]).is_some() {
                    seen[k] = true;
                    if owner[k].is_none_or(|o| augment(o, students, seats, seen, owner)) {
                        owner[k] = Some(s);
                        return true;
                    }
                }
            }
            false
        }
        (0..students.len()).filter(|s| augment(*s, students, &seats, &mut vec![false; seats.len()], &mut owner)).count()
    }

    #[test]
    fn phases_and_reminders() {
        let t = |h: i64| DateTime::<Utc>::from_timestamp(1_800_000_000 + h * 3600, 0).expect("t");
        assert_eq!(phase(t(10), t(20), None, t(100), t(0)), Phase::Upcoming);
        assert_eq!(phase(t(10), t(20), None, t(100), t(10)), Phase::Open);
        assert_eq!(phase(t(10), t(20), None, t(100), t(20)), Phase::Matching);
        assert_eq!(phase(t(10), t(20), Some(t(30)), t(100), t(30)), Phase::Duos);
        assert_eq!(phase(t(10), t(20), Some(t(30)), t(100), t(100)), Phase::Over);
        assert!(!answer_reminder_due(t(0), t(120), t(59)));
        assert!(answer_reminder_due(t(0), t(120), t(60)));
        assert!(!answer_reminder_due(t(0), t(120), t(120)));
        let day = t(24 * 30);
        assert_eq!(day_reminder_due(day, false, false, day - Duration::days(8)), None);
        assert_eq!(day_reminder_due(day, false, false, day - Duration::days(7)), Some(DayReminder::Week));
        assert_eq!(day_reminder_due(day, true, false, day - Duration::days(3)), None);
        assert_eq!(day_reminder_due(day, true, false, day - Duration::hours(20)), Some(DayReminder::Eve));
        assert_eq!(
            day_reminder_due(day, false, false, day - Duration::hours(20)),
            Some(DayReminder::Eve),
            "late: the nearest"
        );
        assert_eq!(day_reminder_due(day, false, true, day - Duration::hours(2)), None);
        assert_eq!(day_reminder_due(day, false, false, day), None);
        assert_eq!(days(vec![d(16), d(15), d(16)]), Some(vec![d(15), d(16)]));
        assert_eq!(days(vec![]), None);
    }
}
