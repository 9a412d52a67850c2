//! `#[derive(SqlField)]`: a newtype over a field type, or a fieldless enum stored as text
//! (its variant names, or `#[ambidex(rename = "..")]`) or as an integer
//! (`#[ambidex(integer)]`: its discriminants, in an `INTEGER` column).

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, LitStr};

/// How an enum is stored.
#[derive(Clone, Copy, PartialEq)]
enum Storage {
    Text,
    Integer,
}

/// Collects errors so every mistake is reported at once.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        let e = syn::Error::new(span, message);
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// The `#[ambidex(..)]` words on an item: `(word, value, span)`.
fn ambidex_args(
    attrs: &[syn::Attribute],
    errors: &mut Errors,
) -> Vec<(String, Option<LitStr>, Span)> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("ambidex")) {
        let parsed = attr.parse_nested_meta(|meta| {
            let word = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let value = if meta.input.peek(syn::Token![=]) {
                Some(meta.value()?.parse::<LitStr>()?)
            } else {
                None
            };
            out.push((word, value, meta.path.span()));
            Ok(())
        });
        if let Err(e) = parsed {
            errors.push(e.span(), e);
        }
    }
    out
}

/// Expands the derive.
pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    if !input.generics.params.is_empty() {
        errors.push(
            input.generics.span(),
            "#[derive(SqlField)] does not support generic types; implement \
             ambidex::SqlField by hand",
        );
    }
    let container = ambidex_args(&input.attrs, &mut errors);
    let out = match &input.data {
        Data::Struct(s) => newtype(input, &s.fields, &container, &mut errors),
        Data::Enum(e) => enumeration(input, e, &container, &mut errors),
        Data::Union(_) => {
            errors.push(
                input.ident.span(),
                "#[derive(SqlField)] applies to a newtype struct or a fieldless enum, not a union",
            );
            None
        }
    };
    errors.finish()?;
    Ok(out.unwrap_or_default())
}

/// The `IntoOperand` impls every derived field type gets: itself and a reference, for its
/// column and for an `Option` column of it (`Option<T>` itself is covered by ambidex-core).
fn operands(ident: &syn::Ident) -> TokenStream {
    quote! {
        impl __ax::IntoOperand<#ident> for #ident {
            #[inline]
            fn into_value(self) -> __ax::Value { __ax::SqlField::to_value(&self) }
        }
        impl __ax::IntoOperand<#ident> for &#ident {
            #[inline]
            fn into_value(self) -> __ax::Value { __ax::SqlField::to_value(self) }
        }
        impl __ax::IntoOperand<::core::option::Option<#ident>> for #ident {
            #[inline]
            fn into_value(self) -> __ax::Value { __ax::SqlField::to_value(&self) }
        }
    }
}

fn newtype(
    input: &DeriveInput,
    fields: &Fields,
    container: &[(String, Option<LitStr>, Span)],
    errors: &mut Errors,
) -> Option<TokenStream> {
    for (word, _, span) in container {
        errors.push(
            *span,
            format!("unknown #[ambidex({word})] on a newtype; a newtype is stored as its field"),
        );
    }
    let field = match fields.iter().collect::<Vec<_>>().as_slice() {
        [only] => *only,
        _ => {
            errors.push(
                input.ident.span(),
                "#[derive(SqlField)] on a struct needs exactly one field (a newtype such as \
                 `struct Email(String);`)",
            );
            return None;
        }
    };
    let ident = &input.ident;
    let name = ident.to_string();
    let ty = &field.ty;
    let access = match &field.ident {
        Some(f) => quote!(#f),
        None => quote!(0),
    };
    let build = match &field.ident {
        Some(f) => quote!(|inner| #ident { #f: inner }),
        None => quote!(#ident),
    };
    let operands = operands(ident);
    let not_option = quote_spanned! {ty.span()=>
        const _: () = ::core::assert!(
            !<#ty as __ax::SqlField>::NULLABLE,
            "a SqlField newtype wraps a non-Option type; use Option<Newtype> for a nullable column"
        );
    };
    Some(quote! {
        const _: () = {
            use ::ambidex::__private as __ax;
            #not_option
            impl __ax::SqlField for #ident {
                type Inner = #ident;
                const KIND: __ax::ValueKind = <#ty as __ax::SqlField>::KIND;
                const NULLABLE: bool = false;
                const RUST_NAME: &'static str = #name;
                #[inline]
                fn to_value(&self) -> __ax::Value {
                    <#ty as __ax::SqlField>::to_value(&self.#access)
                }
                #[inline]
                fn from_cell(
                    cell: __ax::Cell<'_>,
                ) -> ::core::result::Result<Self, __ax::DecodeProblem> {
                    <#ty as __ax::SqlField>::from_cell(cell).map(#build)
                }
            }
            #operands
        };
    })
}

fn enumeration(
    input: &DeriveInput,
    data: &syn::DataEnum,
    container: &[(String, Option<LitStr>, Span)],
    errors: &mut Errors,
) -> Option<TokenStream> {
    let mut storage = None;
    for (word, value, span) in container {
        let wanted = match word.as_str() {
            "text" => Storage::Text,
            "integer" => Storage::Integer,
            _ => {
                errors.push(
                    *span,
                    format!(
                        "unknown #[ambidex({word})] on an enum; expected `text` (the default) \
                         or `integer`"
                    ),
                );
                continue;
            }
        };
        if value.is_some() {
            errors.push(*span, format!("#[ambidex({word})] takes no value"));
        }
        if storage.is_some_and(|s| s != wanted) {
            errors.push(
                *span,
                "an enum is stored either as `text` or as `integer`, not both",
            );
        }
        storage = Some(wanted);
    }
    let storage = storage.unwrap_or(Storage::Text);
    if data.variants.is_empty() {
        errors.push(
            input.ident.span(),
            "#[derive(SqlField)] needs at least one variant",
        );
        return None;
    }
    let ident = &input.ident;
    let mut names: Vec<String> = Vec::new();
    let mut variants = Vec::new();
    for v in &data.variants {
        if !matches!(v.fields, Fields::Unit) {
            errors.push(
                v.fields.span(),
                "#[derive(SqlField)] stores fieldless variants only; store data in columns of \
                 its own or as ambidex::types::Json<T>",
            );
        }
        let mut stored = v.ident.to_string();
        for (word, value, span) in ambidex_args(&v.attrs, errors) {
            match (word.as_str(), value, storage) {
                ("rename", Some(lit), Storage::Text) => stored = lit.value(),
                ("rename", _, Storage::Integer) => errors.push(
                    span,
                    "`rename` applies to enums stored as text; an integer enum stores its \
                     discriminants (`Variant = 3`)",
                ),
                ("rename", None, _) => errors.push(span, "expected `rename = \"stored name\"`"),
                _ => errors.push(
                    span,
                    format!("unknown #[ambidex({word})] on a variant; expected `rename = \"..\"`"),
                ),
            }
        }
        if names.contains(&stored) {
            errors.push(
                v.ident.span(),
                format!("two variants are stored as {stored:?}; give one another `rename`"),
            );
        }
        names.push(stored);
        variants.push(&v.ident);
    }
    let name = ident.to_string();
    let operands = operands(ident);
    let stored = &names;
    let expected = stored
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let body = match storage {
        Storage::Text => quote! {
            const KIND: __ax::ValueKind = __ax::ValueKind::Text;
            const NULLABLE: bool = false;
            const RUST_NAME: &'static str = #name;
            #[inline]
            fn to_value(&self) -> __ax::Value {
                __ax::Value::Text(::std::string::String::from(match self {
                    #(#ident::#variants => #stored,)*
                }))
            }
            fn from_cell(
                cell: __ax::Cell<'_>,
            ) -> ::core::result::Result<Self, __ax::DecodeProblem> {
                let text = <::std::string::String as __ax::SqlField>::from_cell(cell)?;
                match text.as_str() {
                    #(#stored => ::core::result::Result::Ok(#ident::#variants),)*
                    other => ::core::result::Result::Err(__ax::DecodeProblem::new(
                        ::std::format!(
                            "TEXT {:?} (no variant of {} is stored so; expected one of {})",
                            other, #name, #expected
                        ),
                    )),
                }
            }
        },
        Storage::Integer => quote! {
            const KIND: __ax::ValueKind = __ax::ValueKind::I32;
            const NULLABLE: bool = false;
            const RUST_NAME: &'static str = #name;
            #[inline]
            fn to_value(&self) -> __ax::Value {
                __ax::Value::I32(match self {
                    #(#ident::#variants => #ident::#variants as i32,)*
                })
            }
            fn from_cell(
                cell: __ax::Cell<'_>,
            ) -> ::core::result::Result<Self, __ax::DecodeProblem> {
                let n = <i64 as __ax::SqlField>::from_cell(cell)?;
                #(
                    if n == #ident::#variants as i64 {
                        return ::core::result::Result::Ok(#ident::#variants);
                    }
                )*
                ::core::result::Result::Err(__ax::DecodeProblem::new(::std::format!(
                    "INTEGER {} (no variant of {} has this discriminant)",
                    n, #name
                )))
            }
        },
    };
    let fits = (storage == Storage::Integer).then(|| {
        quote! {
            #(
                const _: () = ::core::assert!(
                    #ident::#variants as i128 >= i32::MIN as i128
                        && #ident::#variants as i128 <= i32::MAX as i128,
                    "an integer SqlField enum's discriminants must fit in i32"
                );
            )*
        }
    });
    Some(quote! {
        const _: () = {
            use ::ambidex::__private as __ax;
            #fits
            impl __ax::SqlField for #ident {
                type Inner = #ident;
                #body
            }
            #operands
        };
    })
}
