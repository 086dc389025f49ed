//! What the host knows about the platform an integration talks to: its API
//! hosts, the media origin, the paths reserved to the host, the token endpoint
//! and the codes that mean "this token is no longer good", the environment
//! variables that configure it and its default server. The allowlist, the
//! gate's exchange, the config and the auth client read these here; a second
//! platform would be a second profile beside RingCentral's.

/// The environment variables that configure a platform's default account.
#[derive(Debug, PartialEq, Eq)]
pub struct EnvVars {
    pub server_url: &'static str,
    pub access_token: &'static str,
    pub client_id: &'static str,
    pub client_secret: &'static str,
    pub user_jwt: &'static str,
}

impl EnvVars {
    pub fn all(&self) -> [&'static str; 5] {
        [self.server_url, self.access_token, self.client_id, self.client_secret, self.user_jwt]
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct IntegrationProfile {
    /// The platform's name in messages.
    pub name: &'static str,
    /// The integration id the environment variables and the media origin belong to.
    pub integration: &'static str,
    /// The servers an account may be configured with, each over https on 443.
    pub api_hosts: &'static [&'static str],
    /// Where recordings and attachments are served (https on 443), for this
    /// profile's own integration only.
    pub media_host: Option<&'static str>,
    /// Path prefixes plugins may not request, judged segment by segment; the
    /// last segment matches as a prefix (`/restapi/oauth` also refuses `/restapi/oauth2`).
    pub reserved_path_prefixes: &'static [&'static str],
    /// The OAuth token endpoint on the account's server.
    pub token_path: &'static str,
    /// `errorCode`s of a 401 that mean the token expired or was superseded.
    pub token_rejection_codes: &'static [&'static str],
    pub env: EnvVars,
    pub default_server: &'static str,
    /// What to wait after a 429 that names no `Retry-After`, for the note.
    pub rate_limit_hint: &'static str,
    /// What the token endpoint allows, for the note on its 429.
    pub token_rate_hint: &'static str,
}

impl IntegrationProfile {
    /// Said after an `invalid_client` (or any 401) from the token endpoint.
    pub fn invalid_client_hint(&self) -> String {
        format!(" (check the client id and secret: {}, {})", self.env.client_id, self.env.client_secret)
    }

    /// Said after an `invalid_grant` of the JWT grant.
    pub fn invalid_jwt_hint(&self) -> String {
        format!(" (check the JWT: {})", self.env.user_jwt)
    }
}

pub const RINGCENTRAL: IntegrationProfile = IntegrationProfile {
    name: "RingCentral",
    integration: "ringcentral",
    // Production, the legacy `.biz` and the developer sandbox.
    api_hosts: &["platform.ringcentral.com", "platform.ringcentral.biz", "platform.devtest.ringcentral.com"],
    media_host: Some("media.ringcentral.com"),
    reserved_path_prefixes: &["/restapi/oauth"],
    token_path: "/restapi/oauth/token",
    // `{"errorCode":"TokenInvalid", "errors":[{"errorCode":"OAU-128"}]}`
    token_rejection_codes: &["TokenInvalid", "OAU-128"],
    env: EnvVars {
        server_url: "RC_SERVER_URL",
        access_token: "RC_ACCESS_TOKEN",
        client_id: "RC_APP_CLIENT_ID",
        client_secret: "RC_APP_CLIENT_SECRET",
        user_jwt: "RC_USER_JWT",
    },
    default_server: "https://platform.ringcentral.com",
    rate_limit_hint: "RingCentral asks to wait at least 30 s",
    token_rate_hint: "the token endpoint allows about 5 requests a minute",
};

/// RingCentral's rules for an integration that is not `ringcentral` itself:
/// everything but the media origin, which belongs to RingCentral's own plugin.
const RINGCENTRAL_PLATFORM: IntegrationProfile = IntegrationProfile { media_host: None, ..RINGCENTRAL };

/// The profile an integration's accounts are held to. RingCentral is the only
/// platform the host knows, so its rules apply to every integration id (test
/// and third-party plugins with accounts on RingCentral servers keep working);
/// its media origin is granted to the `ringcentral` integration only.
pub fn for_integration(integration: &str) -> &'static IntegrationProfile {
    if integration == RINGCENTRAL.integration { &RINGCENTRAL } else { &RINGCENTRAL_PLATFORM }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_media_host_belongs_to_its_own_integration_only() {
        assert_eq!(for_integration("ringcentral").media_host, Some("media.ringcentral.com"));
        for other in ["versioned", "noisy", "hostile", "ringcentral2", "RingCentral"] {
            let profile = for_integration(other);
            assert_eq!(profile.media_host, None, "{other}");
            assert_eq!(profile.api_hosts, RINGCENTRAL.api_hosts, "{other} keeps RingCentral's servers");
            assert_eq!(profile.token_path, RINGCENTRAL.token_path, "{other}");
        }
    }

    #[test]
    fn hints_name_the_variables() {
        assert_eq!(
            RINGCENTRAL.invalid_client_hint(),
            " (check the client id and secret: RC_APP_CLIENT_ID, RC_APP_CLIENT_SECRET)"
        );
        assert_eq!(RINGCENTRAL.invalid_jwt_hint(), " (check the JWT: RC_USER_JWT)");
    }
}
