//! Generates one typed column constant per field (`User::AGE`), with the field's
//! visibility and a doc comment naming the column.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ast::Container;

pub fn expand(c: &Container<'_>) -> TokenStream {
    let ident = c.ident;
    let table = &c.table;
    let consts = c.columns().map(|f| {
        let vis = f.vis;
        let ty = f.ty;
        let const_ident = format_ident!("{}", f.name.to_uppercase(), span = f.ident.span());
        let column = &f.column;
        let doc = format!("The `{column}` column of `{table}` (field `{}`).", f.name);
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis const #const_ident: ::ambidex::__private::Column<#ident, #ty> =
                ::ambidex::__private::Column::new(#table, #column);
        }
    });
    let relations = c.columns().filter_map(|f| {
        let parent = f.attrs.belongs_to.as_ref()?;
        let name = f.relation_name()?;
        let vis = f.vis;
        let ty = f.ty;
        let fident = f.ident;
        let const_ident = format_ident!("{}", name.to_uppercase(), span = f.ident.span());
        let column = &f.column;
        let doc = format!(
            "The relation from `{ident}` to its parent through `{}` (`belongs_to`): filter \
             with `.has(..)`, load with `.parents_of(..)` / `.children_of(..)`.",
            f.name
        );
        Some(quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis const #const_ident: ::ambidex::__private::BelongsTo<#ident, #parent> =
                ::ambidex::__private::BelongsTo::new(
                    ::ambidex::__private::Column::<#ident, #ty>::new(#table, #column).column_ref(),
                    {
                        fn __value(row: &#ident) -> ::ambidex::__private::Value {
                            ::ambidex::__private::SqlField::to_value(&row.#fident)
                        }
                        __value
                    },
                );
        })
    });
    quote! {
        #[automatically_derived]
        #[allow(clippy::all)]
        impl #ident {
            #(#consts)*
            #(#relations)*
        }
    }
}
