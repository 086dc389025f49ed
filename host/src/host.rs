//! What one kosmo process serves: the runtime, the loaded plugins and the
//! permission policy.

use crate::permission::Policy;
use crate::runtime::{Plugin, Runtime};

pub struct Host {
    pub runtime: Runtime,
    pub plugins: Vec<Plugin>,
    pub policy: Policy,
}

impl Host {
    pub fn plugin(&self, id: &str) -> Option<&Plugin> {
        self.plugins.iter().find(|p| p.id() == id)
    }
}
