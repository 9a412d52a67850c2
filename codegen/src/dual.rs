//! `#[ambidex::dual]`: an async fn, impl block or trait, and its blocking twin.
//!
//! The entry point [`expand`] parses the item and dispatches on its kind; every twin
//! function goes through [`Twin::make`], which clones the user's tokens (so every span
//! still points at the user's code), drops `async`, renames it when needed, rewrites the
//! signature and body with [`rewrite::Blockify`], and documents it. [`qualify`] writes the
//! sibling calls of trait impls unambiguously; [`args`] parses the attribute.
//!
//! On an error the async item is still emitted unchanged, and the twin keeps its
//! signature with a body that never runs, so the error is reported once, at its span,
//! without a cascade of "cannot find `x_blocking`" errors elsewhere.

mod args;
mod qualify;
mod rewrite;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, Block, ImplItem, Item, ItemFn, ItemImpl, ItemTrait, Signature, TraitItem, Type,
    TypeParamBound,
};

use args::{Args, Config, segments};
use qualify::{Qualify, Recv};
use rewrite::{Blockify, Siblings, blocking_name};

/// No sibling calls to rename (traits and trait impls keep their method names).
static NO_SIBLINGS: Siblings = Siblings {
    methods: BTreeSet::new(),
    fns: BTreeSet::new(),
};

/// Expands `#[ambidex::dual(attr)] item`.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut args = match Args::parse(attr) {
        Ok(args) => args,
        Err(e) => return with_errors(item, vec![e]),
    };
    let parsed: Item = match syn::parse2(item.clone()) {
        Ok(parsed) => parsed,
        Err(e) => return with_errors(item, vec![e]),
    };
    let mut errors = Vec::new();
    let out = match parsed {
        Item::Fn(f) => expand_fn(f, &args, &mut errors),
        Item::Impl(i) if i.trait_.is_none() => expand_inherent(i, &mut args, &mut errors),
        Item::Impl(i) => expand_trait_impl(i, &mut args, &mut errors),
        Item::Trait(t) => expand_trait(t, &mut args, &mut errors),
        Item::Verbatim(tokens) => {
            errors.push(syn::Error::new_spanned(
                &tokens,
                "`#[ambidex::dual]` on a trait method: put it on the whole trait, which gets a \
                 blocking twin trait",
            ));
            tokens
        }
        other => {
            errors.push(syn::Error::new(
                item_span(&other),
                "`#[ambidex::dual]` applies to an `async fn`, an `impl` block with async \
                 methods, a trait with async methods, or an `impl` of such a trait",
            ));
            other.into_token_stream()
        }
    };
    with_errors(out, errors)
}

fn with_errors(mut out: TokenStream, errors: Vec<syn::Error>) -> TokenStream {
    for e in errors {
        out.extend(e.to_compile_error());
    }
    out
}

fn item_span(item: &Item) -> proc_macro2::Span {
    match item {
        Item::Struct(s) => s.ident.span(),
        Item::Enum(e) => e.ident.span(),
        Item::Mod(m) => m.ident.span(),
        other => other.span(),
    }
}

/// A free function, or a method annotated on its own.
fn expand_fn(f: ItemFn, args: &Args, errors: &mut Vec<syn::Error>) -> TokenStream {
    if !check_async(&f.sig, errors) {
        return f.into_token_stream();
    }
    // Its own name, for recursion (`Box::pin(f(..)).await`, `self.f(..).await`): as a
    // method if it has a receiver, else as a free fn or an associated fn (`Self::f`).
    let config = args.config();
    let name = f.sig.ident.to_string();
    let mut siblings = Siblings::default();
    siblings.methods.insert(name.clone());
    if f.sig.receiver().is_none() {
        siblings.fns.insert(name);
    }
    let link = if f.sig.receiver().is_some() {
        format!("Self::{}", f.sig.ident)
    } else {
        f.sig.ident.to_string()
    };
    let mut twin = f.clone();
    Twin {
        config: &config,
        siblings: &siblings,
        errors,
    }
    .make(
        &mut twin.attrs,
        &mut twin.sig,
        Some(&mut twin.block),
        true,
        Some(&link),
    );
    quote!(#f #twin)
}

/// An inherent impl block: each async method gets its `_blocking` twin right after it.
fn expand_inherent(
    mut imp: ItemImpl,
    args: &mut Args,
    errors: &mut Vec<syn::Error>,
) -> TokenStream {
    strip_inner_attrs(
        imp.items.iter_mut().filter_map(|i| match i {
            ImplItem::Fn(f) => Some(&mut f.attrs),
            _ => None,
        }),
        args,
        errors,
    );
    let mut asyncs = BTreeSet::new();
    for item in &imp.items {
        if let ImplItem::Fn(f) = item {
            if let Some(ty) = returns_impl_future(&f.sig) {
                errors.push(impl_future_error(ty));
            } else if f.sig.asyncness.is_some() {
                asyncs.insert(f.sig.ident.to_string());
            }
        }
    }
    if asyncs.is_empty() {
        let (impl_token, self_ty) = (&imp.impl_token, &imp.self_ty);
        errors.push(syn::Error::new_spanned(
            quote!(#impl_token #self_ty),
            "`#[ambidex::dual]` has nothing to twin: this impl block has no `async fn`",
        ));
        return imp.into_token_stream();
    }
    let siblings = Siblings {
        methods: asyncs,
        fns: BTreeSet::new(),
    };
    let config = args.config();
    let mut items = Vec::with_capacity(imp.items.len() * 2);
    for item in std::mem::take(&mut imp.items) {
        let twin = match &item {
            ImplItem::Fn(f) if f.sig.asyncness.is_some() => {
                let mut twin = f.clone();
                let link = format!("Self::{}", f.sig.ident);
                Twin {
                    config: &config,
                    siblings: &siblings,
                    errors,
                }
                .make(
                    &mut twin.attrs,
                    &mut twin.sig,
                    Some(&mut twin.block),
                    true,
                    Some(&link),
                );
                Some(ImplItem::Fn(twin))
            }
            _ => None,
        };
        items.push(item);
        items.extend(twin);
    }
    imp.items = items;
    imp.into_token_stream()
}

/// A trait: the trait, and its twin `{Trait}Blocking` whose methods keep their names.
fn expand_trait(mut t: ItemTrait, args: &mut Args, errors: &mut Vec<syn::Error>) -> TokenStream {
    strip_inner_attrs(
        t.items.iter_mut().filter_map(|i| match i {
            TraitItem::Fn(f) => Some(&mut f.attrs),
            _ => None,
        }),
        args,
        errors,
    );
    let mut any_async = false;
    for item in &t.items {
        if let TraitItem::Fn(f) = item {
            if let Some(ty) = returns_impl_future(&f.sig) {
                errors.push(impl_future_error(ty));
            }
            any_async |= f.sig.asyncness.is_some();
        }
    }
    if !any_async {
        errors.push(syn::Error::new_spanned(
            &t.ident,
            "`#[ambidex::dual]` has nothing to twin: this trait has no `async fn`",
        ));
        return t.into_token_stream();
    }
    let mut config = args.config();
    config.traits.insert(t.ident.to_string());
    let mut twin = t.clone();
    twin.ident = format_ident!("{}Blocking", t.ident, span = t.ident.span());
    add_doc(&mut twin.attrs, &t.ident.to_string());
    for item in &mut twin.items {
        match item {
            TraitItem::Fn(f) => {
                let link = format!("{}::{}", t.ident, f.sig.ident);
                let link = f.sig.asyncness.is_some().then_some(link);
                Twin {
                    config: &config,
                    siblings: &NO_SIBLINGS,
                    errors,
                }
                .make(
                    &mut f.attrs,
                    &mut f.sig,
                    f.default.as_mut(),
                    false,
                    link.as_deref(),
                );
            }
            other => blockify(&config, errors).visit_trait_item_mut(other),
        }
    }
    let mut visitor = blockify(&config, errors);
    visitor.visit_generics_mut(&mut twin.generics);
    for bound in &mut twin.supertraits {
        visitor.visit_type_param_bound_mut(bound);
    }
    quote!(#t #twin)
}

/// `impl Trait for X`: the impl, and `impl TraitBlocking for X`.
fn expand_trait_impl(
    mut imp: ItemImpl,
    args: &mut Args,
    errors: &mut Vec<syn::Error>,
) -> TokenStream {
    strip_inner_attrs(
        imp.items.iter_mut().filter_map(|i| match i {
            ImplItem::Fn(f) => Some(&mut f.attrs),
            _ => None,
        }),
        args,
        errors,
    );
    let Some((bang, trait_path, _)) = &imp.trait_ else {
        unreachable!("a trait impl")
    };
    if let Some(bang) = bang {
        errors.push(syn::Error::new_spanned(
            bang,
            "`#[ambidex::dual]` cannot twin a negative impl",
        ));
        return imp.into_token_stream();
    }
    let trait_path = trait_path.clone();
    let mut twin_path = trait_path.clone();
    if let Some(last) = twin_path.segments.last_mut() {
        last.ident = format_ident!("{}Blocking", last.ident, span = last.ident.span());
    }
    let mut methods = BTreeMap::new();
    for item in &imp.items {
        if let ImplItem::Fn(f) = item {
            if let Some(ty) = returns_impl_future(&f.sig) {
                errors.push(impl_future_error(ty));
            }
            methods.insert(f.sig.ident.to_string(), Recv::of(&f.sig));
        }
    }
    let mut config = args.config();
    if let Some(last) = trait_path.segments.last() {
        config.traits.insert(last.ident.to_string());
    }
    let mut twin = imp.clone();
    if let Some((_, path, _)) = &mut twin.trait_ {
        *path = twin_path.clone();
    }
    for item in &mut imp.items {
        if let ImplItem::Fn(f) = item {
            Qualify {
                trait_path: &trait_path,
                methods: &methods,
                current: Recv::of(&f.sig),
            }
            .visit_block_mut(&mut f.block);
        }
    }
    for item in &mut twin.items {
        match item {
            ImplItem::Fn(f) => {
                Qualify {
                    trait_path: &twin_path,
                    methods: &methods,
                    current: Recv::of(&f.sig),
                }
                .visit_block_mut(&mut f.block);
                Twin {
                    config: &config,
                    siblings: &NO_SIBLINGS,
                    errors,
                }
                .make(&mut f.attrs, &mut f.sig, Some(&mut f.block), false, None);
            }
            other => blockify(&config, errors).visit_impl_item_mut(other),
        }
    }
    let mut visitor = blockify(&config, errors);
    visitor.visit_generics_mut(&mut twin.generics);
    visitor.visit_type_mut(&mut twin.self_ty);
    quote!(#imp #twin)
}

fn blockify<'a>(config: &'a Config, errors: &'a mut Vec<syn::Error>) -> Blockify<'a> {
    Blockify {
        config,
        siblings: &NO_SIBLINGS,
        errors,
        used_closure: false,
    }
}

/// Makes one twin function in place.
struct Twin<'a> {
    config: &'a Config,
    siblings: &'a Siblings,
    errors: &'a mut Vec<syn::Error>,
}

impl Twin<'_> {
    /// Turns a clone of an async fn into its blocking twin: `async` dropped, the name
    /// suffixed `_blocking` if `rename`, signature and body rewritten, a doc line linking
    /// `link` added. If anything in it cannot be made blocking, the errors are recorded
    /// and the body replaced by one that never runs.
    fn make(
        self,
        attrs: &mut Vec<Attribute>,
        sig: &mut Signature,
        block: Option<&mut Block>,
        rename: bool,
        link: Option<&str>,
    ) {
        let before = self.errors.len();
        for attr in attrs.iter() {
            let segs = segments(attr.path());
            if segs.len() > 1 && segs[0] == "tokio" {
                self.errors.push(syn::Error::new_spanned(
                    attr,
                    "a `#[tokio::...]` attribute needs an `async fn`, and the blocking twin \
                     made by `#[ambidex::dual]` is not one; keep it off dual fns",
                ));
            }
        }
        sig.asyncness = None;
        if rename {
            sig.ident = blocking_name(&sig.ident);
        }
        let mut visitor = Blockify {
            config: self.config,
            siblings: self.siblings,
            errors: self.errors,
            used_closure: false,
        };
        visitor.visit_signature_mut(sig);
        if let Some(block) = block {
            visitor.visit_block_mut(block);
            if visitor.used_closure {
                attrs.push(syn::parse_quote!(#[allow(clippy::redundant_closure_call)]));
            }
            if visitor.errors.len() > before {
                *block = syn::parse_quote!({
                    ::core::unreachable!(
                        "`#[ambidex::dual]` could not make this blocking twin; see the error above"
                    )
                });
                attrs.push(syn::parse_quote!(#[allow(unused_variables, unused_mut)]));
            }
        }
        if let Some(link) = link {
            add_doc(attrs, link);
        }
    }
}

/// Appends "Blocking twin of [`link`]." to the doc comment, as its own paragraph.
fn add_doc(attrs: &mut Vec<Attribute>, link: &str) {
    let line = format!(" Blocking twin of [`{link}`].");
    let mut lines: Vec<Attribute> = vec![syn::parse_quote!(#[doc = #line])];
    let last_doc = attrs.iter().rposition(|a| a.path().is_ident("doc"));
    if last_doc.is_some() {
        lines.insert(0, syn::parse_quote!(#[doc = ""]));
    }
    let at = last_doc.map_or(0, |i| i + 1);
    attrs.splice(at..at, lines);
}

/// Removes `#[ambidex::dual(...)]` from the methods of an annotated block, merging their
/// arguments into the block's.
fn strip_inner_attrs<'a>(
    attr_lists: impl Iterator<Item = &'a mut Vec<Attribute>>,
    args: &mut Args,
    errors: &mut Vec<syn::Error>,
) {
    for attrs in attr_lists {
        attrs.retain(|attr| {
            let segs = segments(attr.path());
            if segs != ["dual"] && segs != ["ambidex", "dual"] {
                return true;
            }
            if let syn::Meta::List(list) = &attr.meta
                && let Err(e) = args.parse_into(list.tokens.clone())
            {
                errors.push(e);
            }
            false
        });
    }
}

/// Records why `sig` cannot be twinned, if it cannot; returns whether it can.
fn check_async(sig: &Signature, errors: &mut Vec<syn::Error>) -> bool {
    if let Some(ty) = returns_impl_future(sig) {
        errors.push(impl_future_error(ty));
        return false;
    }
    if sig.asyncness.is_none() {
        let (fn_token, ident) = (&sig.fn_token, &sig.ident);
        errors.push(syn::Error::new_spanned(
            quote!(#fn_token #ident),
            format!(
                "`#[ambidex::dual]` has nothing to twin: `{ident}` is not an `async fn`; make it \
                 `async fn` or remove the attribute"
            ),
        ));
        return false;
    }
    true
}

/// `-> impl Future<..>` (or `impl IntoFuture`).
fn returns_impl_future(sig: &Signature) -> Option<&Type> {
    let syn::ReturnType::Type(_, ty) = &sig.output else {
        return None;
    };
    let Type::ImplTrait(imp) = &**ty else {
        return None;
    };
    let is_future = |b: &TypeParamBound| match b {
        TypeParamBound::Trait(t) => t
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Future" || s.ident == "IntoFuture"),
        _ => false,
    };
    imp.bounds.iter().any(is_future).then_some(&**ty)
}

fn impl_future_error(ty: &Type) -> syn::Error {
    syn::Error::new_spanned(
        ty,
        "`#[ambidex::dual]` cannot make a fn returning `impl Future` blocking: it cannot see \
         what the returned future does; write it as an `async fn`",
    )
}
