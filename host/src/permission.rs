//! The permission policy for tool calls: read and write are each `allow`,
//! `ask` or `deny`. Headless runs cannot ask, so `ask` is refused unless
//! `--force`; `deny` holds even then. No request is sent for a refused call.

use crate::runtime::OperationKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    Allow,
    Ask,
    Deny,
}

#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub read: Rule,
    pub write: Rule,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { read: Rule::Allow, write: Rule::Ask }
    }
}

/// The verdict on one call: allowed, and whether `--force` was what allowed it.
pub fn check(policy: &Policy, integration: &str, operation: OperationKind, force: bool) -> Result<bool, String> {
    let rule = match operation {
        OperationKind::Read => policy.read,
        OperationKind::Write => policy.write,
    };
    let op = operation.as_str();
    match rule {
        Rule::Allow => Ok(false),
        Rule::Ask if force => Ok(true),
        Rule::Ask => Err(format!(
            "integration '{integration}' {op} access requires approval, and this run cannot ask: \
             rerun with --force to allow {op} calls"
        )),
        Rule::Deny => {
            Err(format!("integration '{integration}' {op} access is denied by policy (--force does not override deny)"))
        }
    }
}
