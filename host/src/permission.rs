//! The permission policy for tool calls: read and write are each `allow`,
//! `ask` or `deny`. A write under `ask` may be confirmed by the user
//! (`writes.rs`); where nobody can be asked, and for reads, `ask` is refused
//! unless `--force`; `deny` holds even then. No request is sent for a refused call.

/// What a tool does to the account, as its plugin declares it: the class the
/// policy judges it by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OperationKind {
    Read,
    Write,
}

impl OperationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Read => "read",
            OperationKind::Write => "write",
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::{OperationKind, Policy, Rule, check};

    const ASK_READ: &str = "integration 'rc' read access requires approval, and this run cannot ask: \
                            rerun with --force to allow read calls";
    const ASK_WRITE: &str = "integration 'rc' write access requires approval, and this run cannot ask: \
                             rerun with --force to allow write calls";
    const DENY_READ: &str = "integration 'rc' read access is denied by policy (--force does not override deny)";
    const DENY_WRITE: &str = "integration 'rc' write access is denied by policy (--force does not override deny)";

    /// Every rule × operation × force: allowed (and whether `--force` was what
    /// allowed it), or the refusal.
    #[test]
    fn every_rule_operation_and_force() {
        use OperationKind::{Read, Write};
        use Rule::{Allow, Ask, Deny};
        let table: [(Rule, OperationKind, bool, Result<bool, &str>); 12] = [
            (Allow, Read, false, Ok(false)),
            (Allow, Read, true, Ok(false)),
            (Allow, Write, false, Ok(false)),
            (Allow, Write, true, Ok(false)),
            (Ask, Read, false, Err(ASK_READ)),
            (Ask, Read, true, Ok(true)),
            (Ask, Write, false, Err(ASK_WRITE)),
            (Ask, Write, true, Ok(true)),
            (Deny, Read, false, Err(DENY_READ)),
            (Deny, Read, true, Err(DENY_READ)),
            (Deny, Write, false, Err(DENY_WRITE)),
            (Deny, Write, true, Err(DENY_WRITE)),
        ];
        for (rule, operation, force, expected) in table {
            // The other operation gets a different rule, so judging by the wrong one shows.
            let other = if rule == Allow { Deny } else { Allow };
            let policy = match operation {
                Read => Policy { read: rule, write: other },
                Write => Policy { read: other, write: rule },
            };
            let verdict = check(&policy, "rc", operation, force);
            assert_eq!(
                verdict.as_ref().map_err(String::as_str),
                expected.as_ref().map_err(|e| *e),
                "{rule:?} {operation:?} force={force}"
            );
        }
    }

    #[test]
    fn the_default_reads_freely_and_asks_before_writing() {
        let policy = Policy::default();
        assert_eq!((policy.read, policy.write), (Rule::Allow, Rule::Ask));
    }
}
