//! Sign-in with ProConnect, the State's identity federation for its agents (OpenID Connect,
//! authorization code flow with PKCE, nonce and state, userinfo as a signed JWT).
//!
//! This crate only speaks the protocol: it builds the address that sends the agent to
//! ProConnect, then turns the code that comes back into a verified [`AgentIdentity`]. What the
//! platform does with that identity (which account, which institution) is the web layer's.

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreErrorResponseType, CoreGenderClaim,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenResponse,
};
use openidconnect::{
    AccessToken, AdditionalClaims, AuthType, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyAdditionalClaims, EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, LogoutRequest,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, Scope, StandardErrorResponse, TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// The scopes ProConnect knows, beyond `openid` (sent by the library).
const SCOPES: [&str; 6] = ["email", "given_name", "usual_name", "siret", "uid", "idp_id"];
/// The provider's keys and endpoints are fetched again after this long (keys rotate).
const DISCOVERY_TTL: Duration = Duration::from_secs(3600);
/// No call to the provider may hold a request longer than this.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// How the platform is registered with ProConnect.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The issuer, e.g. `https://auth.proconnect.gouv.fr/api/v2`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where ProConnect sends the agent back (`…/connexion/proconnect/retour`).
    pub redirect_url: String,
    /// Where ProConnect sends the agent after signing out.
    pub post_logout_url: String,
}

/// Why a sign-in with ProConnect failed. The messages are for logs; the web layer tells people
/// in French.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("configuration: {0}")]
    Config(String),
    /// ProConnect could not be reached or answered something unusable.
    #[error("provider: {0}")]
    Provider(String),
    /// What came back does not belong to the sign-in we started (state, nonce, signature).
    #[error("verification: {0}")]
    Verification(String),
}

/// What an agent's sign-in proves, once every signature and the nonce are checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentIdentity {
    /// ProConnect's stable identifier of the agent.
    pub subject: String,
    pub email: String,
    pub given_name: String,
    pub usual_name: String,
    /// The SIRET of the agent's employer, when the identity provider gives one.
    pub siret: Option<String>,
    /// Kept to sign the agent out of ProConnect too.
    pub id_token: String,
}

/// What must survive between sending the agent to ProConnect and their return: kept in the
/// agent's session, never in the address.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub state: String,
    nonce: String,
    pkce_verifier: String,
}

/// ProConnect's claims beyond the standard ones.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ProConnectClaims {
    #[serde(default)]
    usual_name: Option<String>,
    #[serde(default)]
    siret: Option<String>,
    #[serde(default)]
    uid: Option<String>,
    #[serde(default)]
    idp_id: Option<String>,
}
impl AdditionalClaims for ProConnectClaims {}

type DiscoveredClient = Client<
    EmptyAdditionalClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    CoreTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

struct Discovered {
    client: DiscoveredClient,
    end_session: Option<EndSessionUrl>,
    at: Instant,
}

/// A ProConnect client: the settings, an HTTP client and the provider's metadata, fetched on
/// first use and refreshed hourly.
pub struct ProConnect {
    settings: Settings,
    http: reqwest::Client,
    discovered: RwLock<Option<Arc<Discovered>>>,
}

impl std::fmt::Debug for ProConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProConnect").field("issuer", &self.settings.issuer).finish_non_exhaustive()
    }
}

impl ProConnect {
    pub fn new(settings: Settings) -> Result<Self, Error> {
        for (name, value) in [
            ("issuer", &settings.issuer),
            ("redirect", &settings.redirect_url),
            ("post-logout", &settings.post_logout_url),
        ] {
            url::Url::parse(value).map_err(|e| Error::Config(format!("{name} URL `{value}`: {e}")))?;
        }
        if settings.client_id.is_empty() || settings.client_secret.is_empty() {
            return Err(Error::Config("client id and secret are required".into()));
        }
        // No redirects: a provider that redirects its token endpoint could send our secret
        // elsewhere (the library's own advice).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|e| Error::Config(e.to_string()))?;
        Ok(Self { settings, http, discovered: RwLock::new(None) })
    }

    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    async fn discovered(&self) -> Result<Arc<Discovered>, Error> {
        if let Some(d) = self.discovered.read().await.as_ref()
            && d.at.elapsed() < DISCOVERY_TTL
        {
            return Ok(Arc::clone(d));
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|e| Error::Config(e.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| Error::Provider(format!("discovery: {e}")))?;
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let redirect =
            RedirectUrl::new(self.settings.redirect_url.clone()).map_err(|e| Error::Config(e.to_string()))?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        // ProConnect authenticates clients by the secret in the request body.
        .set_auth_type(AuthType::RequestBody)
        .set_redirect_uri(redirect);
        let fresh = Arc::new(Discovered { client, end_session, at: Instant::now() });
        *self.discovered.write().await = Some(Arc::clone(&fresh));
        Ok(fresh)
    }

    /// The address to send the agent to, and what to keep in their session until they return.
    pub async fn start(&self) -> Result<(String, PendingSignIn), Error> {
        let d = self.discovered().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request =
            d.client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random);
        for scope in SCOPES {
            request = request.add_scope(Scope::new(scope.to_string()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let pending = PendingSignIn {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        };
        Ok((url.to_string(), pending))
    }

    /// Turns the code ProConnect sent back into a verified identity: the state must be the one
    /// we sent, the ID token signed by the provider for us with our nonce, the userinfo a JWT
    /// signed by the provider about the same subject.
    pub async fn finish(&self, pending: PendingSignIn, state: &str, code: &str) -> Result<AgentIdentity, Error> {
        if !constant_time_eq(pending.state.as_bytes(), state.as_bytes()) {
            return Err(Error::Verification("state does not match".into()));
        }
        let d = self.discovered().await?;
        let token = d
            .client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| Error::Config(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| Error::Provider(format!("token: {e}")))?;
        let id_token = token.id_token().ok_or_else(|| Error::Provider("no ID token".into()))?;
        let claims = id_token
            .claims(&d.client.id_token_verifier(), &Nonce::new(pending.nonce))
            .map_err(|e| Error::Verification(format!("ID token: {e}")))?;
        let subject = claims.subject().clone();
        let info: UserInfoClaims<ProConnectClaims, CoreGenderClaim> = d
            .client
            .user_info(AccessToken::new(token.access_token().secret().clone()), Some(subject.clone()))
            .map_err(|e| Error::Config(e.to_string()))?
            .require_signed_response(true)
            .request_async(&self.http)
            .await
            .map_err(|e| Error::Verification(format!("userinfo: {e}")))?;
        let email = info
            .email()
            .map(|e| e.as_str().trim().to_lowercase())
            .filter(|e| e.contains('@'))
            .ok_or_else(|| Error::Provider("no e-mail address in userinfo".into()))?;
        let extra = info.additional_claims();
        let given_name =
            info.given_name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string()).unwrap_or_default();
        Ok(AgentIdentity {
            subject: subject.as_str().to_string(),
            email,
            given_name,
            usual_name: extra.usual_name.clone().unwrap_or_default(),
            siret: extra.siret.clone().map(|s| s.replace(' ', "")).filter(|s| !s.is_empty()),
            id_token: id_token.to_string(),
        })
    }

    /// The address that signs the agent out of ProConnect too, when the provider has one.
    pub async fn logout_url(&self, id_token: &str) -> Option<String> {
        let d = self.discovered().await.ok()?;
        let end = d.end_session.clone()?;
        let hint = serde_json::Value::String(id_token.to_string());
        let token: openidconnect::core::CoreIdToken = serde_json::from_value(hint).ok()?;
        let post = PostLogoutRedirectUrl::new(self.settings.post_logout_url.clone()).ok()?;
        let url = LogoutRequest::from(end)
            .set_id_token_hint(&token)
            .set_client_id(ClientId::new(self.settings.client_id.clone()))
            .set_post_logout_redirect_uri(post)
            .set_state(CsrfToken::new_random())
            .http_get_url();
        Some(url.to_string())
    }
}

/// Comparing the state in constant time costs nothing and removes a timing question.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            issuer: "http://127.0.0.1:1/".into(),
            client_id: "id".into(),
            client_secret: "secret".into(),
            redirect_url: "http://127.0.0.1:8080/connexion/proconnect/retour".into(),
            post_logout_url: "http://127.0.0.1:8080/".into(),
        }
    }

    #[test]
    fn settings_are_checked() {
        assert!(ProConnect::new(settings()).is_ok());
        let bad = Settings { redirect_url: "retour".into(), ..settings() };
        assert!(matches!(ProConnect::new(bad), Err(Error::Config(m)) if m.contains("redirect")));
        let no_secret = Settings { client_secret: String::new(), ..settings() };
        assert!(matches!(ProConnect::new(no_secret), Err(Error::Config(_))));
    }

    #[tokio::test]
    async fn an_unreachable_provider_is_a_provider_error() {
        let pc = ProConnect::new(settings()).expect("settings");
        assert!(matches!(pc.start().await, Err(Error::Provider(_))));
    }

    #[test]
    fn states_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
