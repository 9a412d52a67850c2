//! `#[derive(PartialModel)]`: a struct of some of a model's fields, read by
//! `select_partial` without the other columns.
//!
//! Each field names the model's field of the same name (or `#[ambidex(field = "...")]`)
//! through the model's column constant, so a missing field or a different type is a
//! compile error at the field, and the SQL column name comes from the model (a renamed
//! column stays renamed in one place).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, LitStr};

use crate::ctxt::Ctxt;

/// One field of the partial struct.
struct PartialField<'a> {
    ident: &'a syn::Ident,
    ty: &'a syn::Type,
    /// The model field it reads.
    source: String,
    source_span: proc_macro2::Span,
}

/// `#[ambidex(model = Path)]` on the struct.
fn model_path(cx: &Ctxt, input: &DeriveInput) -> Option<syn::Path> {
    let mut model = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("ambidex")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("model") {
                model = Some(meta.value()?.parse::<syn::Path>()?);
                Ok(())
            } else {
                Err(meta.error("unknown partial model attribute; expected `model = ModelType`"))
            }
        });
        if let Err(e) = parsed {
            cx.syn_error(e);
        }
    }
    if model.is_none() {
        cx.error_spanned_by(
            &input.ident,
            "name the model this struct is part of: #[ambidex(model = YourModel)]",
        );
    }
    model
}

/// `#[ambidex(field = "name")]` on a field, or the field's own name.
fn source_field(cx: &Ctxt, field: &syn::Field, ident: &syn::Ident) -> (String, proc_macro2::Span) {
    let mut source = (ident.to_string(), ident.span());
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("ambidex")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("field") {
                let lit: LitStr = meta.value()?.parse()?;
                source = (lit.value(), lit.span());
                Ok(())
            } else {
                Err(meta.error(
                    "unknown partial model field attribute; expected `field = \"model_field\"`",
                ))
            }
        });
        if let Err(e) = parsed {
            cx.syn_error(e);
        }
    }
    source
}

pub fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let model = model_path(&cx, input);
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "a partial model cannot have generic parameters",
        );
    }
    let mut fields = Vec::new();
    match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => {
                for f in &named.named {
                    let Some(ident) = f.ident.as_ref() else {
                        continue;
                    };
                    let (source, source_span) = source_field(&cx, f, ident);
                    fields.push(PartialField {
                        ident,
                        ty: &f.ty,
                        source,
                        source_span,
                    });
                }
            }
            _ => cx.error_spanned_by(
                &input.ident,
                "a partial model is a struct with named fields",
            ),
        },
        _ => cx.error_spanned_by(
            &input.ident,
            "a partial model is a struct with named fields",
        ),
    }
    if fields.is_empty() {
        cx.error_spanned_by(&input.ident, "a partial model needs at least one field");
    }
    cx.finish()?;
    let Some(model) = model else {
        return Ok(quote!());
    };

    let ident = &input.ident;
    let name = ident.to_string();
    let width = fields.len();
    // `Model::FIELD`, typed `Column<Model, FieldType>`: the compile-time check of both the
    // field's existence and its type.
    let columns: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let konst = format_ident!("{}", f.source.to_uppercase(), span = f.source_span);
            let ty = f.ty;
            quote_spanned! {ty.span()=>
                {
                    const COLUMN: __ax::Column<#model, #ty> = <#model>::#konst;
                    COLUMN
                }
            }
        })
        .collect();
    let items = columns
        .iter()
        .map(|c| quote!(out.push(__ax::Operand::Column(__ax::Column::column_ref(&#c)));));
    let decodes = fields.iter().zip(&columns).map(|(f, c)| {
        let fident = f.ident;
        let ty = f.ty;
        let field = fident.to_string();
        quote_spanned! {ty.span()=>
            #fident: {
                let i = *index;
                *index += 1;
                __ax::decode_field::<#ty, __R>(row, i, #name, #field, __ax::Column::column_ref(&#c).name)?
            }
        }
    });

    Ok(quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_attributes, unused_qualifications, clippy::all)]
        const _: () = {
            use ::ambidex::__private as __ax;

            #[automatically_derived]
            impl __ax::PartialModel for #ident {
                type Model = #model;
                const WIDTH: usize = #width;

                fn items(out: &mut ::std::vec::Vec<__ax::Operand>) {
                    #(#items)*
                }

                fn decode_at<__R: __ax::RowReader + ?::core::marker::Sized>(
                    row: &__R,
                    index: &mut usize,
                ) -> __ax::Result<Self> {
                    ::core::result::Result::Ok(#ident { #(#decodes),* })
                }
            }
        };
    })
}
