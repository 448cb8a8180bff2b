//! What the deployer shows and asks: progress and events on stderr, confirmations on the
//! terminal (or `--yes`), results on stdout.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Ui {
    /// `--yes`: answer every confirmation with yes.
    pub yes: bool,
    /// `--json`: keep stdout for the JSON result.
    pub json: bool,
    /// How long to wait between polls of CloudFormation.
    pub poll: Duration,
}

impl Ui {
    pub fn new(yes: bool, json: bool) -> Ui {
        Ui {
            yes,
            json,
            poll: Duration::from_secs(2),
        }
    }

    /// A line of progress or information (stderr).
    pub fn say(&self, line: impl AsRef<str>) {
        eprintln!("{}", line.as_ref());
    }

    /// Asks a yes/no question. Without a terminal and without `--yes` the answer is no, and
    /// the caller's error tells the user to pass `--yes`.
    pub fn confirm(&self, question: &str) -> bool {
        if self.yes {
            return true;
        }
        if !std::io::stdin().is_terminal() {
            return false;
        }
        eprint!("{question} [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        matches!(answer.trim(), "y" | "Y" | "yes" | "Yes")
    }

    /// A progress bar for `total` resources of `stack` (hidden when stderr is not a terminal).
    pub fn progress(&self, stack: &str, total: u64) -> Progress {
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::new(total)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} [{bar:30}] {pos}/{len} resources  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(stack.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar }
    }
}

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// Prints a line above the bar (or plainly when the bar is hidden).
    pub fn line(&self, text: &str) {
        if self.bar.is_hidden() {
            eprintln!("{text}");
        } else {
            self.bar.println(text);
        }
    }

    pub fn set(&self, done: u64, message: &str) {
        self.bar.set_position(done);
        self.bar.set_message(message.to_string());
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
