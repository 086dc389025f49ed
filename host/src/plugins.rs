//! The plugin directory: every valid component in it is an integration,
//! namespaced by its manifest id. A bad file is skipped with a warning that
//! names it and says why; it never stops the others from loading.

use std::path::Path;

use crate::runtime::{Plugin, Runtime};

pub async fn load_dir(runtime: &Runtime, dir: &Path) -> Vec<Plugin> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            eprintln!("kosmo: warning: cannot read the plugin directory {}: {e}", dir.display());
            return Vec::new();
        }
    };
    let mut paths: Vec<_> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "wasm") && path.is_file())
        .collect();
    paths.sort();

    let mut plugins: Vec<Plugin> = Vec::new();
    for path in paths {
        match runtime.load(&path).await {
            Ok(plugin) => {
                if let Some(first) = plugins.iter().find(|p| p.id() == plugin.id()) {
                    eprintln!(
                        "kosmo: warning: skipping {}: its id '{}' is already provided by {}",
                        path.display(),
                        plugin.id(),
                        first.path.display()
                    );
                    continue;
                }
                plugins.push(plugin);
            }
            Err(e) => eprintln!("kosmo: warning: skipping {}: {e:#}", path.display()),
        }
    }
    plugins
}
