//! The platform around the API: OAuth (token endpoint), rate limiting and the
//! faults tests inject. Their command-line options live here, flattened into
//! the simulator's arguments.

use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::fault_queue::Faults;
use crate::limiter::{Group, Limiter};
use crate::sessions::{Issuer, OAuthConfig};

#[derive(Debug, Clone, Args)]
pub struct PlatformArgs {
    /// OAuth client id the token endpoint accepts (Basic client authentication).
    #[arg(long, default_value = "sim-client")]
    pub client_id: String,
    /// OAuth client secret that goes with --client-id.
    #[arg(long, default_value = "sim-secret")]
    pub client_secret: String,
    /// User JWT credential accepted by the JWT bearer grant; repeat to accept several.
    #[arg(long = "jwt", value_name = "JWT", default_value = "sim-jwt")]
    pub jwts: Vec<String>,
    /// Lifetime of issued access tokens, in seconds (RingCentral: 3600).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub access_token_ttl: u64,
    /// Lifetime of issued refresh tokens, in seconds (RingCentral: 604800, 7 days).
    #[arg(long, value_name = "SECONDS", default_value_t = 604_800)]
    pub refresh_token_ttl: u64,
    /// Enforce the per-group rate limits (429 + Retry-After); off by default, when
    /// every response reports the full budget.
    #[arg(long)]
    pub enforce_rate_limits: bool,
    /// Override one group's limit, e.g. `light=3` (light, medium, heavy, auth);
    /// implies --enforce-rate-limits. Repeatable.
    #[arg(long = "rate-limit", value_name = "GROUP=N", value_parser = parse_group_limit)]
    pub rate_limits: Vec<(Group, u32)>,
    /// Rate-limit window and penalty interval, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub rate_limit_window: u64,
}

fn parse_group_limit(text: &str) -> Result<(Group, u32), String> {
    let (group, limit) = text.split_once('=').ok_or("expected GROUP=N, e.g. light=3")?;
    let group =
        Group::from_name(group).ok_or_else(|| format!("unknown group '{group}': light, medium, heavy or auth"))?;
    let limit = limit.parse().map_err(|_| format!("'{limit}' is not a number of requests"))?;
    Ok((group, limit))
}

/// OAuth sessions, the rate limiter and pending faults.
pub struct Platform {
    pub oauth: Issuer,
    pub limiter: Arc<Limiter>,
    pub faults: Faults,
}

impl Platform {
    pub fn new(args: &PlatformArgs) -> anyhow::Result<Self> {
        if args.client_id.is_empty() || args.client_secret.is_empty() || args.jwts.iter().any(String::is_empty) {
            anyhow::bail!("--client-id, --client-secret and --jwt must not be empty");
        }
        if args.access_token_ttl == 0 || args.refresh_token_ttl == 0 || args.rate_limit_window == 0 {
            anyhow::bail!("token lifetimes and the rate-limit window must be at least one second");
        }
        let oauth = Issuer::new(OAuthConfig {
            client_id: args.client_id.clone(),
            client_secret: args.client_secret.clone(),
            jwts: args.jwts.clone(),
            access_ttl: Duration::from_secs(args.access_token_ttl),
            refresh_ttl: Duration::from_secs(args.refresh_token_ttl),
        });
        let enforce = args.enforce_rate_limits || !args.rate_limits.is_empty();
        let limiter = Limiter::new(enforce, Duration::from_secs(args.rate_limit_window), &args.rate_limits);
        Ok(Self { oauth, limiter: Arc::new(limiter), faults: Faults::default() })
    }
}
