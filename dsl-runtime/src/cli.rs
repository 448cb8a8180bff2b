//! The app's command line (DESIGN.md: output and CLI contract). Exit codes: 0 success,
//! 1 failure (the message says what failed and what to do), 2 usage error.

use crate::assembly::Assembly;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    about = "Synthesize, check and deploy this crate's Spark-on-AWS stacks",
    long_about = "Synthesize, check and deploy this crate's Spark-on-AWS stacks.\n\n\
        The templates were synthesized and checked when this binary was built; \
        `cargo build` writes them to target/sparkform/<crate>/.",
    disable_help_subcommand = true
)]
pub struct Cli {
    /// Print machine-readable JSON on stdout (progress goes to stderr).
    #[arg(long, global = true)]
    pub json: bool,
    /// Answer yes to every confirmation (for CI and scripts).
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write the cloud assembly (manifest.json and one template per stack) to a folder.
    Synth {
        /// Where to write; default target/sparkform/<crate>.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// List the stacks, their constructs and resource counts.
    List,
}

/// Runs the CLI on this process's arguments.
pub fn main(assembly: Assembly) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(&cli, &assembly) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

pub fn run(cli: &Cli, assembly: &Assembly) -> Result<(), String> {
    if !assembly.manifest.errors.is_empty() {
        return Err(format!(
            "this build has errors, so there is nothing to deploy:\n  {}\nfix them and run `cargo build` again",
            assembly.manifest.errors.join("\n  ")
        ));
    }
    match &cli.command {
        Command::Synth { out } => synth(cli, assembly, out.clone()),
        Command::List => {
            list(cli, assembly);
            Ok(())
        }
    }
}

fn synth(cli: &Cli, assembly: &Assembly, out: Option<PathBuf>) -> Result<(), String> {
    let dir = out.unwrap_or_else(|| PathBuf::from("target/sparkform").join(&assembly.manifest.crate_name));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for stack in &assembly.manifest.stacks {
        let path = dir.join(&stack.template);
        std::fs::write(&path, assembly.template_text(stack))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    if cli.json {
        let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        println!(
            "{}",
            serde_json::json!({ "dir": dir.display().to_string(), "templates": files })
        );
    } else {
        for (p, s) in written.iter().zip(&assembly.manifest.stacks) {
            println!("{}  ({} resources)", p.display(), s.resources);
        }
    }
    Ok(())
}

fn list(cli: &Cli, assembly: &Assembly) {
    if cli.json {
        let stacks: Vec<_> = assembly
            .manifest
            .stacks
            .iter()
            .map(|s| {
                serde_json::json!({
                    "name": s.name,
                    "resources": s.resources,
                    "constructs": s.constructs.iter().map(|c| serde_json::json!({"kind": c.kind, "handle": c.handle, "source": c.source})).collect::<Vec<_>>(),
                    "outputs": s.outputs,
                })
            })
            .collect();
        println!("{}", serde_json::json!({ "stacks": stacks }));
        return;
    }
    for s in &assembly.manifest.stacks {
        println!("{} ({} resources)", s.name, s.resources);
        for c in &s.constructs {
            println!("  {}! {}  ({})", c.kind, c.handle, c.source);
        }
    }
}
