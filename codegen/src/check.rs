//! The rules a model must follow, each reported at the span that breaks it.

use std::collections::HashMap;

use syn::Type;

use crate::ast::Container;
use crate::ctxt::Ctxt;

/// The last path segment's name of a type, and its single generic argument if any.
fn type_shape(ty: &Type) -> Option<(String, Option<&Type>)> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    let arg = match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match a.args.first() {
            Some(syn::GenericArgument::Type(t)) => Some(t),
            _ => None,
        },
        _ => None,
    };
    Some((seg.ident.to_string(), arg))
}

/// Whether the type is written as an integer (or `Option` of one).
fn is_integer_type(ty: &Type) -> bool {
    match type_shape(ty) {
        Some((name, None)) => matches!(name.as_str(), "i16" | "i32" | "i64"),
        Some((name, Some(inner))) if name == "Option" => is_integer_type(inner),
        _ => false,
    }
}

pub fn check(cx: &Ctxt, c: &Container<'_>) {
    if !c.input.generics.params.is_empty() {
        cx.error_spanned_by(&c.input.generics, "a model cannot have generic parameters");
    }

    let keys: Vec<_> = c
        .columns()
        .filter(|f| f.attrs.primary_key.is_some())
        .collect();
    match keys.len() {
        0 => cx.error_spanned_by(
            c.ident,
            "a model needs a primary key: mark its field #[ambidex(primary_key)] (each of its \
             fields, for a composite key)",
        ),
        1 => {}
        _ => {
            for f in keys.iter().filter(|f| f.attrs.auto.is_some()) {
                cx.error_spanned_by(
                    f.ident,
                    "`auto` (a database-generated key) cannot be part of a composite primary \
                     key: the database generates one column, and the key names a row by all",
                );
            }
        }
    }

    let mut seen: HashMap<&str, &syn::Ident> = HashMap::new();
    for f in &c.fields {
        if let Some(span) = f.attrs.skip {
            let other = f.attrs.primary_key.is_some()
                || f.attrs.auto.is_some()
                || f.attrs.unique
                || f.attrs.index
                || f.attrs.column.is_some()
                || f.attrs.default.is_some();
            if other {
                cx.syn_error(syn::Error::new(
                    span,
                    "`skip` cannot be combined with other attributes: a skipped field is not a column",
                ));
            }
            continue;
        }
        if let Some(span) = f.attrs.auto {
            if f.attrs.primary_key.is_none() {
                cx.syn_error(syn::Error::new(
                    span,
                    "`auto` (a database-generated value) only applies to the primary key",
                ));
            } else if !is_integer_type(f.ty) {
                cx.error_spanned_by(
                    f.ty,
                    "an `auto` primary key must be an integer (i16, i32 or i64)",
                );
            }
        }
        if f.attrs.belongs_to.is_none() {
            if let Some(lit) = &f.attrs.on_delete {
                cx.error_spanned_by(lit, "`on_delete` needs `belongs_to = Parent`");
            }
            if let Some(lit) = &f.attrs.relation {
                cx.error_spanned_by(lit, "`relation` needs `belongs_to = Parent`");
            }
        } else {
            if f.relation_name().is_none() {
                cx.error_spanned_by(
                    f.ident,
                    "name this relation with `relation = \"...\"` (the default, the field's \
                     name without `_id`, needs a field named like `author_id`)",
                );
            }
            if let Some(lit) = &f.attrs.on_delete
                && lit.value() == "set_null"
                && !matches!(type_shape(f.ty), Some((name, Some(_))) if name == "Option")
            {
                cx.error_spanned_by(lit, "`on_delete = \"set_null\"` needs an `Option` field");
            }
        }
        if f.attrs.auto.is_some() && f.attrs.default.is_some() {
            cx.error_spanned_by(f.ident, "an `auto` key cannot also have a default");
        }
        if let Some(first) = seen.get(f.column.as_str()) {
            let target = f
                .attrs
                .column
                .as_ref()
                .map(quote::ToTokens::to_token_stream);
            let message = format!(
                "column `{}` is already mapped by field `{}`; two fields cannot share a column",
                f.column, first
            );
            match target {
                Some(t) => cx.error_spanned_by(t, message),
                None => cx.error_spanned_by(f.ident, message),
            }
        } else {
            seen.insert(f.column.as_str(), f.ident);
        }
    }
}
