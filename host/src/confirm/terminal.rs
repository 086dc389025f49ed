//! `y/N` on the terminal, for `integrations:lua` and the REPL: asked only
//! when both standard input and standard error are terminals, so a piped or
//! scheduled run is never left waiting (it gets the refusal instead).

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use super::{Answer, AnswerFuture, Confirmer, Question};

pub struct TerminalConfirmer {
    timeout: Duration,
}

impl TerminalConfirmer {
    /// The terminal's confirmer, if this process has one to ask on.
    pub fn if_interactive(timeout: Duration) -> Option<Arc<dyn Confirmer>> {
        let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        interactive.then(|| Arc::new(TerminalConfirmer { timeout }) as Arc<dyn Confirmer>)
    }
}

impl Confirmer for TerminalConfirmer {
    fn confirm<'a>(&'a self, question: &'a Question) -> AnswerFuture<'a> {
        Box::pin(async move {
            crate::log::question(format!(
                "{}\nSend it? [y/N] (no answer in {} s cancels)",
                question.text(),
                self.timeout.as_secs()
            ));
            // A blocking read cannot be interrupted; after a timeout it is left
            // to finish with the process.
            let read = tokio::task::spawn_blocking(|| {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).map(|_| line)
            });
            match tokio::time::timeout(self.timeout, read).await {
                Ok(Ok(Ok(line))) if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") => Answer::Accept,
                Ok(Ok(Ok(line))) if line.is_empty() => Answer::Cancel,
                Ok(Ok(Ok(_))) => Answer::Decline,
                _ => Answer::Cancel,
            }
        })
    }
}
