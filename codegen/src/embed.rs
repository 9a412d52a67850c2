//! `embed_migrations!("migrations")`: a migrations folder read at compile time.
//!
//! Every `.sql` file of every migration folder becomes an `include_str!` of its absolute
//! path, so editing a file rebuilds the crate; the runtime
//! (`ambidex::__private::embedded_migrations`) parses the names, so folder and file rules
//! exist once, in `ambidex_core::migrate`.

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::quote;
use syn::LitStr;

pub fn expand(input: LitStr) -> syn::Result<TokenStream> {
    let manifest = std::env::var("CARGO_MANIFEST_DIR")
        .map_err(|_| syn::Error::new(input.span(), "CARGO_MANIFEST_DIR is not set"))?;
    let dir = Path::new(&manifest).join(input.value());
    let files = collect(&dir).map_err(|e| {
        syn::Error::new(
            input.span(),
            format!(
                "cannot read the migrations folder {}: {e} (the path is relative to the \
                 crate's Cargo.toml; `ambidex migrate new <name>` creates the folder)",
                dir.display()
            ),
        )
    })?;
    let entries = files.iter().map(|(folder, file, path)| {
        let path = path.to_string_lossy().into_owned();
        quote! { (#folder, #file, ::core::include_str!(#path)) }
    });
    Ok(quote! {
        ::ambidex::__private::embedded_migrations(&[#(#entries),*])
    })
}

/// (migration folder, file name, absolute path) of every `.sql` file, sorted.
fn collect(dir: &Path) -> std::io::Result<Vec<(String, String, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue;
        }
        let folder = entry.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(entry.path())? {
            let file = file?;
            let name = file.file_name().to_string_lossy().into_owned();
            if name.ends_with(".sql") && file.file_type()?.is_file() {
                out.push((folder.clone(), name, file.path()));
            }
        }
    }
    out.sort();
    Ok(out)
}
