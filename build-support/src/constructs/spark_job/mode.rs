//! A job's mode and retry policy: EMR Serverless batch or streaming runs with
//! `retry_policy` (StartJobRun's `Mode` and `RetryPolicy`, from EMR 7.1; DSF #386), and EMR on
//! EKS's `RetryPolicyConfiguration` (`max_retries`, DSF's `maxRetries`).

use super::model::Service;
use crate::diag::Diags;
use crate::reader::Fields;
use proc_macro2::Span;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Batch,
    /// Runs until cancelled; EMR Serverless resumes it from its checkpoints after a failure.
    Streaming,
}

/// What happens when a run fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// EMR Serverless batch: at most this many attempts (1 to 10).
    Attempts(u32),
    /// EMR Serverless streaming: stop retrying after this many failures in an hour.
    FailuresPerHour(u32),
    /// EMR on EKS: `RetryPolicyConfiguration.MaxAttempts`.
    EksAttempts(u32),
}

/// The release a mode or retry policy needs, with the token that asked for it.
#[derive(Clone, Copy, Debug)]
pub struct NeedsRelease {
    pub version: (u32, u32, u32),
    pub span: Span,
    pub what: &'static str,
}

pub struct ModeAndRetry {
    pub mode: Mode,
    pub retry: Option<Retry>,
    pub needs: Option<NeedsRelease>,
}

/// Reads `mode`, `retry_policy` and `max_retries` for a job on `service`.
pub fn read(f: &mut Fields, service: Option<Service>, diags: &mut Diags) -> ModeAndRetry {
    let eks = service == Some(Service::EmrContainers);
    let mode_word = f.word("mode", diags, &["batch", "streaming"]);
    let mode = match mode_word.as_ref().map(|w| w.value) {
        Some("streaming") => Mode::Streaming,
        _ => Mode::Batch,
    };
    let mut needs = None;
    if let Some(w) = &mode_word {
        if eks {
            diags.error_help(
                w.span,
                "`mode` applies to EMR Serverless jobs",
                "EMR on EKS runs a streaming query as an ordinary job: remove `mode`",
            );
        } else if mode == Mode::Streaming {
            needs = Some(NeedsRelease {
                version: (7, 1, 0),
                span: w.span,
                what: "streaming jobs",
            });
        }
    }
    let max_retries = f.int("max_retries", diags, 0, 10).map(|n| (n.value as u32, n.span));
    let policy = f.object("retry_policy", diags).map(|o| {
        let mut g = Fields::new(o, "retry_policy", diags);
        let attempts = g.int("max_attempts", diags, 1, 10).map(|n| (n.value as u32, n.span));
        let per_hour = g
            .int("max_failed_attempts_per_hour", diags, 1, 1000)
            .map(|n| (n.value as u32, n.span));
        g.finish(diags);
        (attempts, per_hour, o.span)
    });
    let mut retry = None;
    if let Some((n, span)) = max_retries {
        if eks {
            retry = Some(Retry::EksAttempts(n));
        } else {
            diags.error_help(
                span,
                "`max_retries` applies to EMR on EKS jobs",
                "on EMR Serverless write `retry_policy: { max_attempts: 3 }` (batch) or `retry_policy: { max_failed_attempts_per_hour: 5 }` (streaming), from EMR 7.1",
            );
        }
    }
    if let Some((attempts, per_hour, span)) = policy {
        if max_retries.is_some() {
            diags.error_help(
                span,
                "`retry_policy` and `max_retries` both set the retries",
                "keep `retry_policy: { max_attempts: N }`",
            );
        }
        match (mode, attempts, per_hour, eks) {
            (_, Some((n, _)), None, true) => retry = Some(Retry::EksAttempts(n)),
            (_, _, Some((_, s)), true) => diags.error_help(
                s,
                "`max_failed_attempts_per_hour` applies to EMR Serverless streaming jobs",
                "on EMR on EKS write `retry_policy: { max_attempts: N }`",
            ),
            (Mode::Batch, Some((n, _)), None, false) => retry = Some(Retry::Attempts(n)),
            (Mode::Streaming, None, Some((n, _)), false) => retry = Some(Retry::FailuresPerHour(n)),
            (Mode::Batch, _, Some((_, s)), false) => diags.error_help(
                s,
                "`max_failed_attempts_per_hour` applies to streaming jobs",
                "for a batch job write `max_attempts: N` (1 to 10), or add `mode: streaming`",
            ),
            (Mode::Streaming, Some((_, s)), _, false) => diags.error_help(
                s,
                "`max_attempts` applies to batch jobs; EMR Serverless retries a streaming job from its checkpoints",
                "write `max_failed_attempts_per_hour: N`, the failures after which it stops retrying",
            ),
            (_, None, None, _) => diags.error_help(
                span,
                "`retry_policy` sets no retry",
                if mode == Mode::Streaming {
                    "write `retry_policy: { max_failed_attempts_per_hour: 5 }`"
                } else {
                    "write `retry_policy: { max_attempts: 3 }`"
                },
            ),
        }
        if !eks && needs.is_none() {
            needs = Some(NeedsRelease {
                version: (7, 1, 0),
                span,
                what: "job retry policies",
            });
        }
    }
    ModeAndRetry { mode, retry, needs }
}
