//! What the audit log records: a closed list, stored as its code, shown with its French label.

use crate::codes::code_enum;

code_enum!(
    /// One kind of change an administrator or a recruiter made.
    AuditAction, "l’action du journal", {
        OfferCreated => ("offre.creation", "Offre créée"),
        OfferEdited => ("offre.modification", "Offre modifiée"),
        OfferDuplicated => ("offre.duplication", "Offre dupliquée"),
        OfferState => ("offre.etat", "État d’une offre changé"),
        ApplicationStage => ("candidature.etape", "Candidature changée d’étape"),
        ApplicationNote => ("candidature.note", "Note sur une candidature"),
        PoolInvitation => ("vivier.invitation", "Invitation depuis le vivier"),
        EmployerPagePublished => ("page_employeur.publication", "Page employeur publiée"),
        EmployerPageDraft => ("page_employeur.brouillon", "Brouillon de page employeur enregistré"),
        AccessApproved => ("demande_acces.approuvee", "Demande d’accès approuvée"),
        AccessRefused => ("demande_acces.refusee", "Demande d’accès refusée"),
        ReasonAdded => ("motif.ajout", "Motif de refus ajouté"),
        ReasonState => ("motif.etat", "Motif de refus activé ou désactivé"),
        TemplateEdited => ("modele_courriel.modifie", "Modèle d’e-mail modifié"),
        TemplateReset => ("modele_courriel.retabli", "Modèle d’e-mail rétabli"),
        ProfessionEdited => ("metier.modifie", "Métier modifié"),
        ProfessionCreated => ("metier.creation", "Métier ajouté"),
        DomainRenamed => ("domaine.renomme", "Domaine renommé"),
        DomainCreated => ("domaine.creation", "Domaine ajouté"),
        Import => ("import", "Import d’offres"),
        EmployerCreated => ("employeur.creation", "Employeur créé"),
        EmployerEdited => ("employeur.modification", "Employeur modifié"),
        EmployerPublication => ("employeur.publication", "Page d’un employeur affichée ou masquée"),
        EmployerDomainAdded => ("employeur.domaine_ajoute", "Domaine d’adresse e-mail rattaché à un employeur"),
        EmployerDomainRemoved => ("employeur.domaine_retire", "Domaine d’adresse e-mail retiré d’un employeur"),
        AccountRole => ("compte.role", "Rôle d’un compte changé"),
        AccountAttachment => ("compte.rattachement", "Rattachement d’un compte changé"),
        AccountProConnect => ("compte.proconnect_rattache", "Compte relié à ProConnect"),
        AccountActivation => ("compte.activation", "Compte activé ou désactivé"),
        NewsletterSent => ("lettre.envoi", "Lettre d’information envoyée"),
        ProductCreated => ("produit.creation", "Produit créé"),
        ProductEdited => ("produit.modification", "Produit modifié"),
        ProductState => ("produit.etat", "État d’un produit changé"),
        TechnologyMerged => ("technologie.fusion", "Technologies fusionnées"),
        TechnologyRenamed => ("technologie.renommee", "Technologie renommée"),
        StoryCreated => ("temoignage.creation", "Témoignage créé"),
        StoryEdited => ("temoignage.modification", "Témoignage modifié"),
        StoryMedia => ("temoignage.media", "Photo, vidéo ou sous-titres d’un témoignage changés"),
        StoryState => ("temoignage.etat", "État d’un témoignage changé"),
        StoryConsent => ("temoignage.consentement", "Consentement d’une personne enregistré"),
        StoryConsentWithdrawn => ("temoignage.retrait_consentement", "Consentement d’une personne retiré"),
        ForumEditionSaved => ("forum.edition", "Édition du forum créée ou modifiée"),
        ForumSessionSaved => ("forum.session", "Session du forum créée ou modifiée"),
        ForumSessionState => ("forum.session_etat", "Session du forum publiée, annulée ou remise en brouillon"),
        ForumBoothSaved => ("forum.stand", "Stand du forum créé ou modifié"),
        ForumSlotsPublished => ("forum.creneaux", "Créneaux de job dating publiés"),
        ForumSlotRemoved => ("forum.creneau_retire", "Créneau de job dating retiré"),
        ForumMeetingOutcome => ("forum.suite_entretien", "Suite donnée à un entretien de job dating"),
        ForumAttendance => ("forum.presence", "Présence à une session du forum enregistrée"),
        ForumAnnouncement => ("forum.annonce", "Annonce envoyée aux inscrits du forum"),
        ImmersionCampaignSaved => ("immersion.campagne", "Campagne « Vis mon job » créée ou modifiée"),
        ImmersionMatching => ("immersion.appariement", "Proposition de duos « Vis mon job » calculée ou modifiée"),
        ImmersionConfirmed => ("immersion.confirmation", "Duos « Vis mon job » confirmés et envoyés"),
        ImmersionDuoCancelled => ("immersion.duo_annule", "Duo « Vis mon job » annulé"),
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut codes: Vec<&str> = AuditAction::ALL.iter().map(|a| a.code()).collect();
        for a in AuditAction::ALL {
            assert_eq!(a.code().parse::<AuditAction>(), Ok(*a));
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), AuditAction::ALL.len());
        assert!("inconnue".parse::<AuditAction>().is_err());
    }
}
