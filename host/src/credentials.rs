//! Turns an account's credential into what a call needs: the bearer token the
//! gate injects, and the origins it may reach. Tokens never reach plugins.

use std::sync::Arc;

use crate::config::{Account, Credential};
use crate::gate::OriginPolicy;
use crate::runtime::Access;

pub async fn access(account: &Account) -> Result<Access, String> {
    let token = bearer_token(account).await?;
    Ok(Access {
        account: account.name.clone(),
        server_origin: account.server.to_url(),
        policy: Arc::new(OriginPolicy::for_server(&account.server)),
        bearer_token: Some(Arc::from(token)),
    })
}

async fn bearer_token(account: &Account) -> Result<String, String> {
    match &account.credential {
        Credential::Static(token) => Ok(token.clone()),
        Credential::Jwt { .. } => Err(format!(
            "{} account '{}': the OAuth JWT grant is not supported yet; set access_token (RC_ACCESS_TOKEN) instead",
            account.integration, account.name
        )),
    }
}
