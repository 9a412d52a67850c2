//! Generates `impl ambidex::Model`: metadata, the positional row decoder and bind values.
//!
//! Output is wrapped in `const _: () = { ... };` and names the runtime only through
//! `::ambidex::__private`, so users need no other dependency and nothing leaks into their
//! namespace.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::Container;
use crate::attr::DefaultLit;

fn default_tokens(d: &Option<(DefaultLit, proc_macro2::Span)>) -> TokenStream {
    match d {
        None => quote!(::core::option::Option::None),
        Some((DefaultLit::Bool(b), _)) => {
            quote!(::core::option::Option::Some(__ax::DefaultValue::Bool(#b)))
        }
        Some((DefaultLit::Int(i), _)) => {
            quote!(::core::option::Option::Some(__ax::DefaultValue::Int(#i)))
        }
        Some((DefaultLit::Float(f), _)) => {
            quote!(::core::option::Option::Some(__ax::DefaultValue::Float(#f)))
        }
        Some((DefaultLit::Text(s), _)) => {
            quote!(::core::option::Option::Some(__ax::DefaultValue::Text(#s)))
        }
    }
}

/// `Some(ForeignKey { .. })` for a `belongs_to` field, with a check that the field's type
/// (its non-NULL type) is the parent's key type.
fn references_tokens(f: &crate::ast::Field<'_>) -> TokenStream {
    let Some(parent) = &f.attrs.belongs_to else {
        return quote!(::core::option::Option::None);
    };
    let ty = f.ty;
    let on_delete = match f
        .attrs
        .on_delete
        .as_ref()
        .map(syn::LitStr::value)
        .as_deref()
    {
        Some("cascade") => quote!(__ax::OnDelete::Cascade),
        Some("set_null") => quote!(__ax::OnDelete::SetNull),
        _ => quote!(__ax::OnDelete::Restrict),
    };
    let key_check = quote_spanned! {ty.span()=>
        fn __same_key(key: <#parent as __ax::Model>::Key) -> <#ty as __ax::SqlField>::Inner {
            key
        }
    };
    quote! {
        ::core::option::Option::Some(__ax::ForeignKey {
            parent: {
                #key_check
                fn __parent() -> &'static __ax::ModelMeta {
                    <#parent as __ax::Model>::META
                }
                __parent
            },
            on_delete: #on_delete,
        })
    }
}

pub fn expand(c: &Container<'_>) -> TokenStream {
    let ident = c.ident;
    let model_name = ident.to_string();
    let table = &c.table;
    let columns: Vec<_> = c.columns().collect();
    let key_indexes: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, f)| f.attrs.primary_key.is_some())
        .map(|(i, _)| i)
        .collect();
    let keys: Vec<_> = key_indexes.iter().map(|&i| columns[i]).collect();
    let key_ty = match keys.as_slice() {
        [] => return quote!(),
        [one] => {
            let ty = one.ty;
            quote!(#ty)
        }
        many => {
            let tys = many.iter().map(|f| f.ty);
            quote!((#(#tys,)*))
        }
    };
    let key_values = keys.iter().map(|f| {
        let fident = f.ident;
        quote!(out.push(__ax::SqlField::to_value(&self.#fident));)
    });

    let column_defs = columns.iter().map(|f| {
        let ty = f.ty;
        let name = &f.column;
        let field = &f.name;
        let primary_key = f.attrs.primary_key.is_some();
        let auto = f.attrs.auto.is_some();
        let unique = f.attrs.unique;
        let index = f.attrs.index;
        let default = default_tokens(&f.attrs.default);
        let references = references_tokens(f);
        let kind = quote_spanned!(ty.span()=> <#ty as __ax::SqlField>::KIND);
        let nullable = quote_spanned!(ty.span()=> <#ty as __ax::SqlField>::NULLABLE);
        quote! {
            __ax::ColumnDef {
                name: #name,
                field: #field,
                kind: #kind,
                nullable: #nullable,
                primary_key: #primary_key,
                auto: #auto,
                unique: #unique,
                index: #index,
                default: #default,
                references: #references,
            }
        }
    });

    let mut index = 0usize;
    let decode_fields = c.fields.iter().map(|f| {
        let fident = f.ident;
        if !f.is_column() {
            let ty = f.ty;
            return quote_spanned!(ty.span()=> #fident: <#ty as ::core::default::Default>::default());
        }
        let ty = f.ty;
        let i = index;
        index += 1;
        let field = &f.name;
        let column = &f.column;
        quote_spanned! {ty.span()=>
            #fident: __ax::decode_field::<#ty, __R>(row, #i, #model_name, #field, #column)?
        }
    });

    let insert_values = columns.iter().filter(|f| f.attrs.auto.is_none()).map(|f| {
        let fident = f.ident;
        quote!(out.push(__ax::SqlField::to_value(&self.#fident));)
    });
    let update_values = columns
        .iter()
        .filter(|f| f.attrs.primary_key.is_none())
        .map(|f| {
            let fident = f.ident;
            quote!(out.push(__ax::SqlField::to_value(&self.#fident));)
        });
    let width = columns.len();

    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_attributes, unused_qualifications, clippy::all)]
        const _: () = {
            use ::ambidex::__private as __ax;

            #[automatically_derived]
            impl __ax::Model for #ident {
                const META: &'static __ax::ModelMeta = &__ax::ModelMeta {
                    name: #model_name,
                    table: #table,
                    columns: &[#(#column_defs),*],
                    keys: &[#(#key_indexes),*],
                };

                type Key = #key_ty;

                #[inline]
                fn decode<__R: __ax::RowReader + ?::core::marker::Sized>(row: &__R) -> __ax::Result<Self> {
                    if row.width() < #width {
                        return ::core::result::Result::Err(__ax::row_too_narrow(#model_name, #width, row.width()));
                    }
                    ::core::result::Result::Ok(#ident { #(#decode_fields),* })
                }

                #[inline]
                fn push_insert_values(&self, out: &mut ::std::vec::Vec<__ax::Value>) {
                    #(#insert_values)*
                }

                #[inline]
                fn push_update_values(&self, out: &mut ::std::vec::Vec<__ax::Value>) {
                    #(#update_values)*
                }

                #[inline]
                fn push_key_values(&self, out: &mut ::std::vec::Vec<__ax::Value>) {
                    #(#key_values)*
                }

                fn sql_cache() -> &'static __ax::SqlCache {
                    static CACHE: __ax::SqlCache = __ax::SqlCache::new();
                    &CACHE
                }
            }
        };
    }
}
