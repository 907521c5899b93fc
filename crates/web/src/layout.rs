//! What every page's layout needs: title, breadcrumb, the current navigation entry.

use crate::assets;

/// An entry of the breadcrumb; the last one (the current page) has no link.
#[derive(Debug, Clone)]
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

/// Main navigation entries, to mark the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Home,
    Offers,
    Employers,
    Projects,
    Technologies,
    Stories,
    Forum,
    Immersion,
    Candidate,
    None,
}

impl Nav {
    pub fn code(self) -> &'static str {
        match self {
            Nav::Home => "accueil",
            Nav::Offers => "offres",
            Nav::Employers => "employeurs",
            Nav::Projects => "projets",
            Nav::Technologies => "technologies",
            Nav::Stories => "temoignages",
            Nav::Forum => "forum",
            Nav::Immersion => "vis-mon-job",
            Nav::Candidate => "candidat",
            Nav::None => "",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Page {
    /// The page's own title; the layout appends the site name.
    pub title: String,
    pub description: String,
    pub breadcrumb: Vec<Crumb>,
    pub nav: Nav,
    pub static_prefix: String,
    /// The signed-in account, for the header's quick links (none on cached anonymous pages).
    pub account: Option<crate::auth::AccountNav>,
    /// The page's absolute address for search engines (`<link rel="canonical">`).
    pub canonical: Option<String>,
}

impl Page {
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            description: "Les offres d’emploi du numérique de l’État : développement, données, design, sécurité, \
                          infrastructure, produit. Trouvez votre poste dans la fonction publique."
                .into(),
            breadcrumb: Vec::new(),
            nav: Nav::None,
            static_prefix: assets::prefix(),
            account: crate::auth::current_account(),
            canonical: None,
        }
    }

    pub fn canonical(mut self, url: impl Into<String>) -> Self {
        self.canonical = Some(url.into());
        self
    }

    pub fn nav(mut self, nav: Nav) -> Self {
        self.nav = nav;
        self
    }

    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }

    /// Adds "Accueil" then the given trail; the last element is the current page.
    pub fn crumbs(mut self, trail: &[(&str, Option<&str>)]) -> Self {
        self.breadcrumb = std::iter::once(Crumb { label: "Accueil".into(), href: Some("/".into()) })
            .chain(trail.iter().map(|(l, h)| Crumb { label: (*l).into(), href: h.map(Into::into) }))
            .collect();
        self
    }

    pub fn asset(&self, path: &str) -> String {
        format!("{}/{path}", self.static_prefix)
    }

    /// Whether the navigation entry named `code` is the current one (templates mark it with
    /// `aria-current="page"`).
    pub fn current(&self, code: &str) -> bool {
        self.nav.code() == code
    }
}
