//! The whole HTTP surface: the RingCentral API under `/restapi`, test control under `/__sim`.

use axum::Router;

use crate::state::AppState;
use crate::{control, routes};

pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/restapi", routes::api(state.clone()))
        .nest("/__sim", control::router())
        // The throttling layers of each route find the limiter here.
        .layer(axum::Extension(state.platform.limiter.clone()))
        .with_state(state)
}
