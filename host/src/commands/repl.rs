//! `kosmo integrations:lua --repl`: a read-eval-print loop like `lua`'s. One
//! Lua state for the session; a line that is an expression is shown; input
//! is read on (`>> `) until it is a complete chunk; line editing and history
//! (in the user state dir) on a terminal; Ctrl-C cancels the running
//! statement (or the line being typed), Ctrl-D or `:quit` leaves. Standard
//! input that is not a terminal is read line by line the same way. Tool
//! calls go the way a script's do (`--force`, a `y/N` for writes on a
//! terminal, `--dry-run`, `--allow-repeat`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use rustyline::error::ReadlineError;

use super::{load_host, write_stdout};
use crate::host::CallOptions;
use crate::lua::{self, Compiled, LuaLimits, Session, Surface};

const PROMPT: &str = "lua> ";
const CONTINUED: &str = ">> ";

const HELP: &str = "\
Lua 5.4 with the integrations, one state for the session (globals stay set).
  an expression (1 + 2, app.integrations.ringcentral.get_current_user{}) is shown
  an unfinished statement (for ... do) goes on at the >> prompt
  Ctrl-C cancels the running statement or the input; Ctrl-D or :quit leaves
  a write is shown and asked y/N before it is sent (--force: unasked; --dry-run: previews only)
  docs.list(), docs.read(\"ringcentral\"), docs.read(\"ringcentral.<tool>\") describe the tools
  :help this text, :quit (:q) leave";

/// Where lines come from: an editor on a terminal, plain lines otherwise.
enum Input {
    Editor {
        editor: Box<rustyline::DefaultEditor>,
        history: Option<PathBuf>,
    },
    /// Not held locked between lines: a write's `y/N` reads standard input too.
    Lines(std::io::Stdin),
}

enum Line {
    Text(String),
    /// Ctrl-C while typing: the pending input is dropped.
    Cancelled,
    End,
}

impl Input {
    fn open() -> Input {
        if std::io::stdin().is_terminal()
            && let Ok(mut editor) = rustyline::DefaultEditor::new()
        {
            let history = history_file();
            if let Some(path) = &history {
                let _ = editor.load_history(path);
            }
            return Input::Editor { editor: Box::new(editor), history };
        }
        Input::Lines(std::io::stdin())
    }

    fn read(&mut self, prompt: &str) -> Line {
        match self {
            Input::Editor { editor, .. } => match editor.readline(prompt) {
                Ok(line) => {
                    if !line.trim().is_empty() {
                        let _ = editor.add_history_entry(line.as_str());
                    }
                    Line::Text(line)
                }
                Err(ReadlineError::Interrupted) => Line::Cancelled,
                Err(_) => Line::End,
            },
            Input::Lines(stdin) => {
                write_stdout(prompt);
                let mut line = String::new();
                match stdin.read_line(&mut line) {
                    Ok(0) | Err(_) => Line::End,
                    Ok(_) => Line::Text(line.trim_end_matches(['\n', '\r']).to_string()),
                }
            }
        }
    }

    fn save(&mut self) {
        if let Input::Editor { editor, history: Some(path) } = self {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if let Err(e) = editor.save_history(path) {
                crate::log::warn(format!("could not save the REPL history to {}: {e}", path.display()));
            }
        }
    }
}

/// `$XDG_STATE_HOME/kosmo/repl_history` (the user state dir; the data dir where there is none).
fn history_file() -> Option<PathBuf> {
    let base = dirs::state_dir().or_else(dirs::data_local_dir)?;
    Some(base.join("kosmo").join("repl_history"))
}

pub async fn run(limits: LuaLimits, options: CallOptions) -> ExitCode {
    let host = match load_host().await {
        Ok(host) => Arc::new(host),
        Err(message) => {
            crate::log::failure(message);
            return ExitCode::FAILURE;
        }
    };
    let echo: lua::Echo = Box::new(|line: &str| write_stdout(&format!("{line}\n")));
    let session = match Session::new(&Surface::Integrations(host.clone()), limits, options, Some(echo)) {
        Ok(session) => session,
        Err(message) => {
            crate::log::failure(message);
            return ExitCode::FAILURE;
        }
    };
    session.set_args("repl", &[]);
    let mut input = Input::open();
    write_stdout("kosmo integration Lua REPL (Lua 5.4). Type :help for help, :quit to leave.\n");
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { PROMPT } else { CONTINUED };
        let line = match input.read(prompt) {
            Line::Text(line) => line,
            Line::Cancelled => {
                pending.clear();
                continue;
            }
            Line::End => break,
        };
        if pending.is_empty() {
            match line.trim() {
                "" => continue,
                ":quit" | ":q" | ":exit" => break,
                ":help" | ":h" | "help" => {
                    write_stdout(&format!("{HELP}\n"));
                    continue;
                }
                _ => {}
            }
        } else {
            pending.push('\n');
        }
        pending.push_str(&line);
        let chunk = match session.compile_line(&pending, "repl") {
            Compiled::Chunk(chunk) => chunk,
            Compiled::Incomplete(_) => continue,
            Compiled::Invalid(message) => {
                crate::log::error(message);
                pending.clear();
                continue;
            }
        };
        pending.clear();
        run_statement(&session, chunk).await;
    }
    input.save();
    host.mcp.shutdown().await;
    ExitCode::SUCCESS
}

/// Runs one statement; Ctrl-C drops it (a tool call in flight is abandoned).
async fn run_statement(session: &Session, chunk: mlua::Function) {
    let execution = tokio::select! {
        execution = session.execute(chunk, &[]) => execution,
        _ = tokio::signal::ctrl_c() => {
            crate::log::error("interrupted");
            return;
        }
    };
    if let Some(error) = &execution.error {
        crate::log::error(error);
        return;
    }
    if !execution.result.is_empty() {
        let shown: Vec<String> = execution.result.iter().map(shown_value).collect();
        write_stdout(&format!("{}\n", shown.join("\t")));
    }
}

/// A returned value as the REPL shows it: text as it is, `nil`, or indented JSON.
fn shown_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Null => "nil".into(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}
