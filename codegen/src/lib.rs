//! # ambidex-codegen
//!
//! The procedural macros of [ambidex](https://docs.rs/ambidex). Use them through the
//! facade (`ambidex::Model`), never directly: the generated code names the runtime only
//! through `::ambidex::__private`, as serde_derive's output names `serde::__private`.
//!
//! The derive is split by job, after serde_derive: [`attr`] parses `#[ambidex(...)]`,
//! [`ast`] builds a typed view of the struct, [`check`] enforces the rules, [`ctxt`]
//! collects every error with its span so all are reported at once, and [`model`] and
//! [`columns`] generate the two outputs (the `Model` impl and the column constants).

mod ast;
mod attr;
mod check;
mod columns;
mod ctxt;
mod model;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `ambidex::Model` for a struct with named fields; see the `ambidex` crate docs
/// for the attributes.
#[proc_macro_derive(Model, attributes(ambidex))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let ctxt = ctxt::Ctxt::new();
    let container = ast::Container::from_ast(&ctxt, input);
    if let Some(container) = &container {
        check::check(&ctxt, container);
    }
    ctxt.finish()?;
    let container = container.ok_or_else(|| syn::Error::new_spanned(input, "invalid model"))?;
    let model_impl = model::expand(&container);
    let column_consts = columns::expand(&container);
    Ok(quote::quote! {
        #model_impl
        #column_consts
    })
}
