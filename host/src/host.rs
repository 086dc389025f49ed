//! What one kosmo process serves: the runtime, the loaded plugins and the
//! settings (accounts, credentials, permissions).

use crate::config::Settings;
use crate::runtime::{Plugin, Runtime};

pub struct Host {
    pub runtime: Runtime,
    pub plugins: Vec<Plugin>,
    pub settings: Settings,
}

impl Host {
    pub fn plugin(&self, id: &str) -> Option<&Plugin> {
        self.plugins.iter().find(|p| p.id() == id)
    }
}
