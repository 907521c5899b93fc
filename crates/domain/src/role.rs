use crate::codes::code_enum;

code_enum!(
    /// What a user account may do; enforced on the server for every route.
    Role, "le rôle", {
        Candidate => ("candidate", "Candidat·e"),
        Recruiter => ("recruiter", "Recruteur·euse"),
        Administrator => ("administrator", "Administrateur·rice"),
    }
);
