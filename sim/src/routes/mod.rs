//! The `/restapi` route table: every endpoint with its throttling group.

mod account;
mod call_log;
mod contacts;
mod content;
mod messages;
mod outbound;
mod phone_numbers;
mod presence;
mod ring_out;
mod sms;
mod sync;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{delete, get, post, put};

use crate::limiter::Group::{Heavy, Light, Medium};
use crate::state::AppState;
use crate::{auth, errors, faults, oauth, wire};

/// Routes relative to `/restapi`. Every route needs a bearer token; every request,
/// known or not, is recorded and gets an `RCRequestId`. Groups follow the spec's
/// `x-throttling-group`.
pub fn api(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/v1.0/account/{account_id}", Light.on(get(account::read_account)))
        .route("/v1.0/account/{account_id}/extension", Medium.on(get(account::list_extensions)))
        .route("/v1.0/account/{account_id}/extension/{extension_id}", Light.on(get(account::read_extension)))
        .route("/v1.0/account/{account_id}/phone-number", Heavy.on(get(phone_numbers::list_for_account)))
        .route(
            "/v1.0/account/{account_id}/extension/{extension_id}/phone-number",
            Light.on(get(phone_numbers::list_for_extension)),
        )
        .route("/v1.0/account/{account_id}/extension/{extension_id}/presence", Light.on(get(presence::read)))
        .route(
            "/v1.0/account/{account_id}/extension/{extension_id}/message-store",
            Light.on(get(messages::list)).merge(Medium.on(delete(messages::delete_all))),
        )
        .route(
            "/v1.0/account/{account_id}/extension/{extension_id}/message-store/{message_id}",
            Light
                .on(get(messages::read))
                .merge(Medium.on(put(messages::update).patch(messages::patch).delete(messages::delete))),
        )
        .route("/v1.0/account/{account_id}/extension/{extension_id}/sms", Medium.on(post(sms::send)))
        .route("/v1.0/account/{account_id}/call-log", Heavy.on(get(call_log::list_for_account)))
        .route("/v1.0/account/{account_id}/call-log/{call_id}", Heavy.on(get(call_log::read_for_account)))
        .route(
            "/v1.0/account/{account_id}/extension/{extension_id}/call-log",
            Heavy.on(get(call_log::list_for_extension)),
        )
        .route(
            "/v1.0/account/{account_id}/extension/{extension_id}/call-log/{call_id}",
            Heavy.on(get(call_log::read_for_extension)),
        )
        .route(
            "/v1.0/account/{account_id}/extension/{extension_id}/address-book/contact",
            Heavy.on(get(contacts::list).post(contacts::create)),
        )
        .route(
            "/v1.0/account/{account_id}/extension/{extension_id}/address-book/contact/{contact_id}",
            Heavy.on(get(contacts::read).put(contacts::replace).patch(contacts::patch).delete(contacts::delete)),
        )
        // Beyond the seed's tools (issue 18): sync, media, fax and MMS, RingOut.
        .route("/v1.0/account/{account_id}/extension/{extension_id}/message-sync", Light.on(get(sync::sync)))
        .route(
            "/v1.0/account/{account_id}/extension/{extension_id}/message-store/{message_id}/content/{attachment_id}",
            Medium.on(get(content::message_content)),
        )
        .route("/v1.0/account/{account_id}/recording/{recording_id}/content", Heavy.on(get(content::recording_content)))
        .route("/v1.0/account/{account_id}/extension/{extension_id}/fax", Heavy.on(post(outbound::send_fax)))
        .route("/v1.0/account/{account_id}/extension/{extension_id}/mms", Medium.on(post(outbound::send_mms)))
        .route("/v1.0/account/{account_id}/extension/{extension_id}/ring-out", Heavy.on(post(ring_out::create)))
        .route(
            "/v1.0/account/{account_id}/extension/{extension_id}/ring-out/{ringout_id}",
            Light.on(get(ring_out::read)).merge(Heavy.on(delete(ring_out::cancel))),
        )
        .route_layer(from_fn_with_state(state.clone(), auth::require_bearer))
        // The token endpoint takes client credentials instead of a bearer token.
        .merge(oauth::router())
        .fallback(errors::unknown_uri)
        .method_not_allowed_fallback(errors::method_not_allowed)
        .layer(from_fn_with_state(state.clone(), faults::inject))
        .layer(from_fn_with_state(state, wire::record))
}
