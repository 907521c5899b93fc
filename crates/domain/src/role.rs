use crate::codes::code_enum;

code_enum!(
    /// What a user account may do; enforced on the server for every route.
    Role, "le rôle", {
        Candidate => ("candidate", "Candidat·e"),
        Recruiter => ("recruiter", "Recruteur·euse"),
        Administrator => ("administrator", "Administrateur·rice"),
    }
);

code_enum!(
    /// When a recruiter hears of new applications to their employer's offers.
    ApplicationMail, "la fréquence des e-mails de candidature", {
        Each => ("chaque", "À chaque nouvelle candidature (regroupées par offre toutes les 10 minutes)"),
        Daily => ("quotidien", "Un récapitulatif par jour"),
        Never => ("jamais", "Jamais (le récapitulatif du lundi reste envoyé)"),
    }
);

code_enum!(
    /// Why an agent asks for an account: the administrators read it, and the approval leads
    /// there.
    AccessPurpose, "le motif de la demande", {
        Recruiting => ("recruter", "Recruter"),
        ImmersionHost => ("vis-mon-job", "Accueillir un·e étudiant·e « Vis mon job »"),
    }
);

impl AccessPurpose {
    /// Where the approval's sign-in link leads.
    pub fn home(self) -> &'static str {
        match self {
            AccessPurpose::Recruiting => "/recruteur",
            AccessPurpose::ImmersionHost => "/vis-mon-job/accueillir",
        }
    }
}
