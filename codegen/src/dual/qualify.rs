//! Fully qualified calls between the methods of a trait impl.
//!
//! A type that implements both `UserRepo` and its twin `UserRepoBlocking` has two methods
//! of each name, so inside `impl UserRepo for X`, `self.find(..)` is ambiguous (E0034)
//! wherever both traits are in scope, which they are next to their definitions. In both
//! impls, calls on `self` (and `Self::m` paths) of a method the impl defines are therefore
//! written `<Self as Trait>::m(self, ..)`, naming the trait of that impl. This changes no
//! behaviour of the async impl.

use std::collections::BTreeMap;

use proc_macro2::Span;
use quote::quote_spanned;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, ExprCall, Item, Macro, Path, Signature};

use super::rewrite::{any_ident, rewrite_macro_args};

/// How a method takes `self`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Recv {
    /// An associated function: no `self`.
    None,
    /// `self` / `mut self`.
    Value,
    /// `&self`.
    Ref,
    /// `&mut self`.
    RefMut,
    /// `self: Box<Self>` and the like.
    Other,
}

impl Recv {
    pub fn of(sig: &Signature) -> Recv {
        match sig.receiver() {
            None => Recv::None,
            Some(r) if r.colon_token.is_some() => Recv::Other,
            Some(r) => match &r.reference {
                None => Recv::Value,
                Some(_) if r.mutability.is_some() => Recv::RefMut,
                Some(_) => Recv::Ref,
            },
        }
    }
}

/// Rewrites sibling calls in one method body of a trait impl.
pub struct Qualify<'a> {
    /// The trait of the impl, as written in its header (or its twin's).
    pub trait_path: &'a Path,
    /// The methods the impl defines, by name.
    pub methods: &'a BTreeMap<String, Recv>,
    /// How the method being rewritten takes `self`.
    pub current: Recv,
}

impl Qualify<'_> {
    /// What to pass as the receiver argument of the qualified call.
    fn self_arg(&self, target: Recv, span: Span) -> Expr {
        match (target, self.current) {
            (Recv::Ref, Recv::Value) => syn::parse_quote_spanned!(span=> &self),
            (Recv::Ref, Recv::RefMut | Recv::Other) => syn::parse_quote_spanned!(span=> &*self),
            (Recv::RefMut, Recv::Value) => syn::parse_quote_spanned!(span=> &mut self),
            (Recv::RefMut, Recv::Other) => syn::parse_quote_spanned!(span=> &mut *self),
            // The same kind (a `&mut` argument is reborrowed, not moved), or by value.
            _ => syn::parse_quote_spanned!(span=> self),
        }
    }
}

impl VisitMut for Qualify<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::MethodCall(call) if matches!(&*call.receiver, Expr::Path(p) if p.qself.is_none() && p.path.is_ident("self")) =>
            {
                let target = self.methods.get(&call.method.to_string()).copied();
                match target {
                    Some(target) if target != Recv::None => {
                        let span = call.method.span();
                        let trait_path = self.trait_path;
                        let method = &call.method;
                        let turbofish = &call.turbofish;
                        let func: Expr = syn::parse_quote_spanned!(span=>
                            <Self as #trait_path>::#method #turbofish
                        );
                        let mut args = Punctuated::new();
                        args.push(self.self_arg(target, call.receiver.span()));
                        args.extend(std::mem::take(&mut call.args));
                        let mut new = Expr::Call(ExprCall {
                            attrs: std::mem::take(&mut call.attrs),
                            func: Box::new(func),
                            paren_token: call.paren_token,
                            args,
                        });
                        visit_mut::visit_expr_mut(self, &mut new);
                        *expr = new;
                    }
                    _ => visit_mut::visit_expr_mut(self, expr),
                }
            }
            Expr::Path(path)
                if path.qself.is_none()
                    && path.path.segments.len() == 2
                    && path.path.segments[0].ident == "Self"
                    && self
                        .methods
                        .contains_key(&path.path.segments[1].ident.to_string()) =>
            {
                let span = path.path.segments[1].ident.span();
                let trait_path = self.trait_path;
                let segment = &path.path.segments[1];
                let attrs = std::mem::take(&mut path.attrs);
                let mut new: syn::ExprPath = syn::parse2(quote_spanned!(span=>
                    <Self as #trait_path>::#segment
                ))
                .expect("a qualified path");
                new.attrs = attrs;
                *expr = Expr::Path(new);
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    /// Sibling calls in the arguments of a macro (`assert!(self.ok())`), when they are
    /// comma-separated expressions.
    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        if any_ident(&mac.tokens, &|i| i == "self" || i == "Self") {
            rewrite_macro_args(mac, |expr| self.visit_expr_mut(expr));
        }
    }

    fn visit_item_mut(&mut self, _: &mut Item) {}
}
