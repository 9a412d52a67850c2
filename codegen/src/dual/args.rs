//! Parsing of the arguments of `#[ambidex::dual(...)]`, and the handle swaps they add to
//! the built-in ones.
//!
//! ```text
//! #[ambidex::dual]
//! #[ambidex::dual(calls(load_user, repo::save))]
//! #[ambidex::dual(db = crate::AppDb => crate::BlockingAppDb, tx = crate::AppTx => crate::BlockingAppTx)]
//! ```

use std::collections::BTreeSet;

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Path, Token};

/// The parsed arguments of one `#[ambidex::dual(...)]` (merged with those of any inner
/// `#[ambidex::dual(...)]` on the methods of an annotated impl block or trait).
#[derive(Default)]
pub struct Args {
    /// Functions and methods (by their last path segment) that are themselves dual: a call
    /// of one of them gets the `_blocking` twin in the blocking body.
    pub calls: BTreeSet<String>,
    /// Dual traits (by name): in a blocking twin, a path segment naming one of them names
    /// its twin `{Trait}Blocking` instead (bounds, `Trait::method(..)` calls).
    pub traits: BTreeSet<String>,
    /// User swaps (`db = A => B`, `tx = A => B`), tried before the built-in ones.
    pub swaps: Vec<Swap>,
}

/// What the rewrite of one twin needs to know: [`Args`] with the built-in swaps added.
#[derive(Clone)]
pub struct Config {
    pub calls: BTreeSet<String>,
    pub traits: BTreeSet<String>,
    pub swaps: Vec<Swap>,
}

/// A handle type of the async world and its blocking counterpart.
#[derive(Clone)]
pub struct Swap {
    /// The segments of the async path, without a leading `::` (`["ambidex", "Db"]`).
    pub from: Vec<String>,
    /// The blocking path that replaces them.
    pub to: Path,
    /// Whether this is one of ambidex's own async `..Db` handles, whose `connect` is the
    /// blocking `open`.
    pub ambidex_db: bool,
}

impl Args {
    pub fn parse(tokens: TokenStream) -> syn::Result<Args> {
        let mut args = Args::default();
        args.parse_into(tokens)?;
        Ok(args)
    }

    /// Parses `tokens` (the inside of the parentheses) and adds what they say to `self`.
    pub fn parse_into(&mut self, tokens: TokenStream) -> syn::Result<()> {
        let parser = syn::meta::parser(|meta| self.parse_one(meta));
        parser.parse2(tokens)
    }

    fn parse_one(&mut self, meta: ParseNestedMeta<'_>) -> syn::Result<()> {
        if meta.path.is_ident("calls") || meta.path.is_ident("traits") {
            let set = if meta.path.is_ident("calls") {
                &mut self.calls
            } else {
                &mut self.traits
            };
            meta.parse_nested_meta(|inner| {
                let last = inner
                    .path
                    .segments
                    .last()
                    .ok_or_else(|| inner.error("expected a name"))?;
                set.insert(last.ident.to_string());
                Ok(())
            })
        } else if meta.path.is_ident("db") || meta.path.is_ident("tx") {
            let value = meta.value()?;
            let from: Path = value.parse()?;
            value.parse::<Token![=>]>()?;
            let to: Path = value.parse()?;
            self.swaps.push(Swap {
                from: segments(&from),
                to,
                ambidex_db: false,
            });
            Ok(())
        } else {
            Err(meta.error(
                "unknown `#[ambidex::dual]` argument; expected `calls(f, g, ...)`, \
                 `traits(Trait, ...)`, `db = AsyncDb => BlockingDb` or \
                 `tx = AsyncTx => BlockingTx`",
            ))
        }
    }

    /// The configuration of the rewrite: these arguments, and after the user swaps the
    /// built-in ones: each of [`HANDLES`], bare or as `ambidex::...`, becomes
    /// `::ambidex::blocking::...`.
    pub fn config(&self) -> Config {
        let mut out = self.swaps.clone();
        for &name in HANDLES {
            let to = blocking_path(name);
            for from in [
                vec![name.to_owned()],
                vec!["ambidex".to_owned(), name.to_owned()],
            ] {
                out.push(Swap {
                    from,
                    to: to.clone(),
                    ambidex_db: name.ends_with("Db"),
                });
            }
        }
        // Free functions with a blocking twin of the same name, swapped only when written
        // with their crate (`ambidex::retry`), since a bare name may be the user's own.
        for &name in FREE_FNS {
            out.push(Swap {
                from: vec!["ambidex".to_owned(), name.to_owned()],
                to: blocking_path(name),
                ambidex_db: false,
            });
        }
        Config {
            calls: self.calls.clone(),
            traits: self.traits.clone(),
            swaps: out,
        }
    }
}

/// The handle types both worlds name alike: `ambidex::X` is async, `ambidex::blocking::X`
/// blocking.
const HANDLES: &[&str] = &[
    "Db",
    "Tx",
    "DbBuilder",
    "SqliteDb",
    "SqliteTx",
    "PgDb",
    "PgTx",
    "MysqlDb",
    "MysqlTx",
    "SqlxDb",
    "SqlxTx",
    "DieselDb",
    "DieselTx",
    "HeldConnection",
    "SqlxHeldConnection",
    "DieselHeldConnection",
];

/// The free functions both worlds name alike: `ambidex::retry` (a future) and
/// `ambidex::blocking::retry` (a `Result`).
const FREE_FNS: &[&str] = &["retry"];

/// `::ambidex::blocking::{name}`.
fn blocking_path(name: &str) -> Path {
    let ident = syn::Ident::new(name, Span::call_site());
    syn::parse_quote!(::ambidex::blocking::#ident)
}

/// The identifiers of a path's segments (a leading `::` is ignored).
pub fn segments(path: &Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}
