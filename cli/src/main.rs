//! The `ambidex` binary: the command line of `ambidex_cli` without models of its own (so
//! `makemigrations` compares two databases; an application's own binary passes its
//! models, see `ambidex_cli::run`).

fn main() -> std::process::ExitCode {
    ambidex_cli::run(&[])
}
