//! What the deployer shows and asks: one progress display on stderr for every step running at
//! once (stack bars, Docker builds), lines printed above it, confirmations on the terminal
//! (or `--yes`), results on stdout.

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::io::{BufRead, IsTerminal, Write};
use std::sync::OnceLock;
use std::time::Duration;

/// The one progress display of this process: every bar is added to it, so concurrent steps
/// never draw over each other. Hidden when stderr is not a terminal.
pub fn display() -> &'static MultiProgress {
    static DISPLAY: OnceLock<MultiProgress> = OnceLock::new();
    DISPLAY.get_or_init(MultiProgress::new)
}

/// Prints a line on stderr, above the bars.
pub fn say_line(line: &str) {
    display().suspend(|| eprintln!("{line}"));
}

/// A bar on the display (hidden with it).
pub fn add_bar(bar: ProgressBar) -> ProgressBar {
    display().add(bar)
}

/// Takes a finished bar off the display.
pub fn remove_bar(bar: &ProgressBar) {
    bar.finish_and_clear();
    display().remove(bar);
}

#[derive(Clone, Debug)]
pub struct Ui {
    /// `--yes`: answer every confirmation with yes.
    pub yes: bool,
    /// `--json`: keep stdout for the JSON result.
    pub json: bool,
    /// How long to wait between polls of CloudFormation.
    pub poll: Duration,
    /// How long CloudFormation may take to start an executed change set before sparkform
    /// gives up waiting (it starts within seconds).
    pub start_wait: Duration,
}

impl Ui {
    pub fn new(yes: bool, json: bool) -> Ui {
        Ui {
            yes,
            json,
            poll: Duration::from_secs(2),
            start_wait: Duration::from_secs(300),
        }
    }

    /// Steps run at the same time only when no question needs asking.
    pub fn concurrent(&self) -> bool {
        self.yes
    }

    /// A line of progress or information (stderr).
    pub fn say(&self, line: impl AsRef<str>) {
        say_line(line.as_ref());
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
        display().suspend(|| {
            eprint!("{question} [y/N] ");
            let _ = std::io::stderr().flush();
            let mut answer = String::new();
            let _ = std::io::stdin().lock().read_line(&mut answer);
            matches!(answer.trim(), "y" | "Y" | "yes" | "Yes")
        })
    }

    /// A bar for `total` resources of `stack` on the display.
    pub fn progress(&self, stack: &str, total: u64) -> Progress {
        let bar = add_bar(ProgressBar::new(total));
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
    /// Prints a line above the bars.
    pub fn line(&self, text: &str) {
        say_line(text);
    }

    pub fn set(&self, done: u64, message: &str) {
        self.bar.set_position(done);
        self.bar.set_message(message.to_string());
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        remove_bar(&self.bar);
    }
}
