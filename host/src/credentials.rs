//! Turns an account's credential into what a call needs: the origins it may
//! reach and a [`Bearer`], the token the gate injects. Tokens never reach plugins.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::allowlist::OriginPolicy;
use crate::auth::{JwtCredential, TokenSource};
use crate::config::{Account, Credential};
use crate::pacing::{CallPacing, Pacer};
use crate::shared_state::SharedState;

/// What a call may reach and with which credential. The token stays on the
/// host side: the plugin only learns the account name and server origin.
#[derive(Clone)]
pub struct Access {
    pub account: String,
    pub server_origin: String,
    pub policy: Arc<OriginPolicy>,
    pub bearer: Option<Arc<Bearer>>,
    /// The rate-limit pacing of the call; `None` for calls that send nothing.
    pub pacing: Option<CallPacing>,
}

impl Access {
    /// A call that may reach nothing and holds no credential (describing a
    /// plugin, reading its docs, a dry run): the gate refuses every request,
    /// and the plugin still learns the account and server it would run for.
    pub fn offline(account: String, server_origin: String) -> Access {
        Access { account, server_origin, policy: Arc::new(OriginPolicy::deny_all()), bearer: None, pacing: None }
    }

    /// The account's origins without a credential: for a preview, whose
    /// requests the gate captures, so that nothing at all is sent.
    pub fn without_credential(account: &Account) -> Access {
        Access {
            account: account.name.clone(),
            server_origin: account.server.to_url(),
            policy: Arc::new(OriginPolicy::for_account(account.profile, &account.server)),
            bearer: None,
            pacing: None,
        }
    }
}

/// The access of a call for `account`: its server's origins and its token.
pub async fn access(account: &Account) -> Result<Access, String> {
    let state = SharedState::from_env()?;
    let bearer = Bearer::for_account(account, &state).await?;
    let pacer = pacer(account, &state);
    Ok(Access {
        account: account.name.clone(),
        server_origin: account.server.to_url(),
        policy: Arc::new(OriginPolicy::for_account(account.profile, &account.server)),
        bearer: Some(Arc::new(bearer)),
        pacing: Some(CallPacing::new(pacer, None, None)),
    })
}

/// The process's pacer for the account's server and identity (RingCentral
/// counts per user and app: the client id and the JWT, or the static token).
fn pacer(account: &Account, state: &SharedState) -> Arc<Pacer> {
    let identity = match &account.credential {
        Credential::Static(token) => format!("token:{token}"),
        Credential::Jwt { client_id, jwt, .. } => format!("jwt:{client_id}:{jwt}"),
    };
    Arc::new(Pacer::new(state.clone(), &account.server.to_url(), &identity))
}

/// The bearer token of one call, and how to get another if the server says
/// it expired. A call renews at most once.
pub struct Bearer {
    label: String,
    current: Mutex<Arc<str>>,
    source: Option<Arc<TokenSource>>,
    renewed: AtomicBool,
}

impl Bearer {
    async fn for_account(account: &Account, state: &SharedState) -> Result<Bearer, String> {
        let label = format!("{} account '{}'", account.integration, account.name);
        match &account.credential {
            Credential::Static(token) => Ok(Bearer::fixed(label, token)),
            Credential::Jwt { client_id, client_secret, jwt } => {
                let source = TokenSource::shared(
                    JwtCredential {
                        profile: account.profile,
                        server: account.server.clone(),
                        account: format!("{}/{}", account.integration, account.name),
                        client_id: client_id.clone(),
                        client_secret: client_secret.clone(),
                        jwt: jwt.clone(),
                    },
                    state,
                );
                // A token still fresh in memory needs no trip to the cache file.
                let token = match source.fresh_token() {
                    Some(token) => token,
                    None => blocking(&source, |s| s.access_token()).await.map_err(|e| format!("{label}: {e}"))?,
                };
                Ok(Bearer { label, current: Mutex::new(Arc::from(token)), source: Some(source), renewed: false.into() })
            }
        }
    }

    /// A token that cannot be renewed.
    pub fn fixed(label: String, token: &str) -> Bearer {
        Bearer { label, current: Mutex::new(Arc::from(token)), source: None, renewed: false.into() }
    }

    pub fn token(&self) -> Arc<str> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Whether a rejected token can be replaced in this call.
    pub fn can_renew(&self) -> bool {
        self.source.is_some() && !self.renewed.load(Ordering::SeqCst)
    }

    /// Whether this call already renewed its token.
    pub fn was_renewed(&self) -> bool {
        self.renewed.load(Ordering::SeqCst)
    }

    /// The server rejected `rejected`: get another token (from the cache if
    /// another process already renewed it, else from the token endpoint).
    pub async fn renew(&self, rejected: &str) -> Result<Arc<str>, String> {
        let Some(source) = &self.source else {
            return Err(format!("{}: the static access token was rejected and cannot be renewed", self.label));
        };
        if self.renewed.swap(true, Ordering::SeqCst) {
            return Err(format!("{}: the access token was already renewed once in this call", self.label));
        }
        let rejected = rejected.to_string();
        let token = blocking(source, move |s| s.renew(&rejected)).await.map_err(|e| format!("{}: {e}", self.label))?;
        let token: Arc<str> = Arc::from(token);
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = token.clone();
        Ok(token)
    }
}

/// Runs token work (file locks, a blocking HTTP exchange) off the async threads.
async fn blocking<T: Send + 'static>(
    source: &Arc<TokenSource>,
    work: impl FnOnce(&TokenSource) -> Result<T, crate::auth::AuthError> + Send + 'static,
) -> Result<T, String> {
    let source = source.clone();
    match tokio::task::spawn_blocking(move || work(&source)).await {
        Ok(result) => result.map_err(|e| e.message),
        Err(e) => Err(format!("the token client stopped: {e}")),
    }
}
