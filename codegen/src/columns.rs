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
    quote! {
        #[automatically_derived]
        #[allow(clippy::all)]
        impl #ident {
            #(#consts)*
        }
    }
}
