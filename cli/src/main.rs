//! The `tamga` command: flags in, library calls, exit codes out.
#![forbid(unsafe_code)]

mod advice;
mod arg_values;
mod args;
mod cmd_check;
mod cmd_demo;
mod cmd_disclose;
mod cmd_keys;
mod cmd_label;
mod cmd_pipe;
mod cmd_privacy;
mod cmd_publish;
mod cmd_serve;
mod cmd_verify;
mod help_text;
mod inputs;
mod key_source;
mod out;
mod progress;
mod version;

use std::process::ExitCode;

/// mimalloc instead of the system allocator. Verification allocates and
/// frees a buffer the size of the file per file; glibc's per-thread arenas
/// hand those pages back to the kernel and fault them in again each time,
/// which under `tamga serve` cost more than the HTTP itself (see
/// BENCHMARKS.md). The in-process baseline uses the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    quiet_worker_panics();
    let cli = <args::Cli as clap::Parser>::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`tamga verify … | head`) is not an error.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = out::error_line(&format!("tamga: {}", one_line(&err)));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line, each said once: a library error
/// often already quotes its cause (`x.pem: cannot read the trust list: No
/// such file`), and anyhow's `{:#}` would repeat it.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = if let Some(e) = cause.downcast_ref::<tamga_label::LabelError>() {
            advice::label_error(e)
        } else if let Some(e) = cause.downcast_ref::<tamga_keys::KeyError>() {
            advice::key_error(e)
        } else {
            cause.to_string()
        };
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

fn run(cli: args::Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        args::Command::Keys(k) => cmd_keys::run(k),
        args::Command::Label(l) => cmd_label::run(*l),
        args::Command::Verify(v) => cmd_verify::run_verify(v),
        args::Command::Inspect(i) => cmd_verify::run_inspect(i),
        args::Command::Disclose(d) => cmd_disclose::run(d),
        args::Command::Check(c) => cmd_check::run(c),
        args::Command::Publish(p) => cmd_publish::run(*p),
        args::Command::Serve(s) => cmd_serve::run(s),
        args::Command::Demo(d) => cmd_demo::run(d),
        args::Command::Completions(c) => completions(c.shell),
        args::Command::Man => man(),
    }
}

/// The completion script for `shell`, from the same definitions as `--help`.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut cmd = <args::Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "tamga", &mut script);
    out::write_stdout(&script)?;
    Ok(ExitCode::SUCCESS)
}

/// The manual page: the top-level page, then each subcommand's as a
/// section of it, so one `man -l -` shows every flag.
fn man() -> anyhow::Result<ExitCode> {
    let cmd = <args::Cli as clap::CommandFactory>::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_section(&mut page, &format!("tamga {}", sub.get_name()), sub)?;
    }
    out::write_stdout(&page)?;
    Ok(ExitCode::SUCCESS)
}

/// One subcommand (and its own subcommands) as a `.SH` section, its
/// synopsis, description and options as `.SS` subsections of it.
fn man_section(page: &mut Vec<u8>, name: &str, cmd: &clap::Command) -> std::io::Result<()> {
    let cmd = cmd.clone().bin_name(name);
    let man = clap_mangen::Man::new(cmd.clone());
    let mut body = Vec::new();
    man.render_synopsis_section(&mut body)?;
    man.render_description_section(&mut body)?;
    man.render_options_section(&mut body)?;
    page.extend_from_slice(format!(".SH \"{}\"\n", name.to_uppercase()).as_bytes());
    for line in String::from_utf8_lossy(&body).lines() {
        let line = line
            .strip_prefix(".SH ")
            .map_or(line.to_string(), |h| format!(".SS {h}"));
        page.extend_from_slice(line.as_bytes());
        page.push(b'\n');
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_section(page, &format!("{name} {}", sub.get_name()), sub)?;
    }
    Ok(())
}

/// Panics on a file's bytes are caught and reported against that file by
/// the library (its per-file guard and watchdog); keep the default hook's
/// backtrace noise off stderr for those, and keep it for everything else
/// (real bugs in tamga).
fn quiet_worker_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !tamga_label::watchdog::panic_is_caught() {
            default(info);
        }
    }));
}
