//! Progress of long runs (`--search`, `--all`) on stderr: shown only when
//! stderr is a terminal, never with `-v` (the trace is the progress then)
//! or while answering completion, and cleared before the run's notes and
//! output, so pipes, `eval "$(…)"` and CI see exactly what they saw
//! without it.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::trace;

/// A count of items done; it appears once the count passes `after` (a short
/// run finishes before it would flicker) and disappears when dropped.
pub struct Progress {
    bar: Option<ProgressBar>,
    after: u64,
    done: u64,
}

impl Progress {
    /// Counts `what` ("clients read"); shown from the item after `after` on.
    pub fn counting(what: &'static str, after: u64) -> Self {
        let wanted = std::io::stderr().is_terminal() && !trace::enabled() && !trace::is_quiet();
        let bar = wanted.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            let style = ProgressStyle::with_template("kubectl-keycloak: {spinner} {pos} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.set_message(what);
            bar
        });
        Progress { bar, after, done: 0 }
    }

    pub fn inc(&mut self) {
        self.done += 1;
        let Some(bar) = &self.bar else { return };
        if self.done == self.after + 1 {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        bar.set_position(self.done);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
