//! Colours on a terminal, plain text in pipes (and with `NO_COLOR` or `--color never`).

use std::io::IsTerminal;

/// Whether and how to colour output.
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    on: bool,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Paint {
    /// Colours for stdout, as `choice` says.
    pub fn new(choice: ColorChoice) -> Paint {
        let on = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Paint { on }
    }

    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Success.
    pub fn green(&self, text: &str) -> String {
        self.wrap("32", text)
    }

    /// Something waiting.
    pub fn yellow(&self, text: &str) -> String {
        self.wrap("33", text)
    }

    /// Failure.
    pub fn red(&self, text: &str) -> String {
        self.wrap("1;31", text)
    }

    /// Emphasis.
    pub fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
}
