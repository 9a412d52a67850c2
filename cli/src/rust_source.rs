//! `ambidex introspect`: Rust source of `#[derive(Model)]` structs for a schema read
//! from a database, formatted with prettyplease.
//!
//! Each table becomes a struct named after it in the singular (`blog_posts` ->
//! `BlogPost`); each column a field of the Rust type of its kind (`Option` when
//! nullable), with `primary_key` on every key column, `auto`, `unique`, `index`,
//! `default` and `belongs_to` (plus `on_delete`) as the database says. What models cannot
//! say (multi-column indexes and foreign keys, types without a field type) is written as
//! a doc comment on the struct or field, so nothing is lost silently.

use ambidex::OnDelete;
use ambidex::schema::{Schema, Table, TableColumn};
use ambidex::types::ValueKind;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The source of a module with one model per table of `schema`.
pub fn models_source(schema: &Schema, origin: &str) -> String {
    let structs = schema
        .in_creation_order()
        .into_iter()
        .map(|t| model(schema, t));
    let header = format!(" Models read from {origin} by `ambidex introspect`.");
    let file = quote! {
        #![doc = #header]
        use ambidex::prelude::*;
        #(#structs)*
    };
    let parsed: syn::File = syn::parse2(file).expect("generated source parses");
    prettyplease::unparse(&parsed)
}

/// `blog_posts` -> `BlogPost`.
pub fn struct_name(table: &str) -> String {
    let singular = singular(table);
    let mut out = String::new();
    for part in singular.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "Table");
    }
    out
}

fn singular(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix("ies") {
        return format!("{}y", &word[..stem.len()]);
    }
    for suffix in ["sses", "shes", "ches", "xes", "zes"] {
        if lower.ends_with(suffix) {
            return word[..word.len() - 2].to_string();
        }
    }
    if lower.ends_with('s') && !lower.ends_with("ss") && !lower.ends_with("us") {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
}

/// A field name for column `name`: the name itself when it is a plain snake_case
/// identifier, otherwise a cleaned one (the column keeps its name through `column = ..`).
fn field_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "column_");
    }
    if syn::parse_str::<syn::Ident>(&out).is_err() {
        out.push('_');
    }
    out
}

fn rust_type(kind: Option<ValueKind>) -> TokenStream {
    match kind {
        Some(ValueKind::Bool) => quote!(bool),
        Some(ValueKind::I16) => quote!(i16),
        Some(ValueKind::I32) => quote!(i32),
        Some(ValueKind::I64) => quote!(i64),
        Some(ValueKind::F32) => quote!(f32),
        Some(ValueKind::F64) => quote!(f64),
        Some(ValueKind::Blob) => quote!(Vec<u8>),
        Some(ValueKind::Date) => quote!(chrono::NaiveDate),
        Some(ValueKind::DateTime) => quote!(chrono::NaiveDateTime),
        Some(ValueKind::Timestamp) => quote!(chrono::DateTime<chrono::Utc>),
        Some(ValueKind::Time) => quote!(chrono::NaiveTime),
        Some(ValueKind::Uuid) => quote!(uuid::Uuid),
        Some(ValueKind::Decimal) => quote!(rust_decimal::Decimal),
        Some(ValueKind::Json) => quote!(serde_json::Value),
        _ => quote!(String),
    }
}

/// The `default = ..` literal for a column default, where it is a plain literal.
fn default_literal(column: &TableColumn) -> Option<TokenStream> {
    let text = column.default.as_deref()?.trim();
    let text = text.split("::").next().unwrap_or(text).trim();
    let text = text.trim_start_matches('(').trim_end_matches(')');
    if let Some(inner) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        if column.kind == Some(ValueKind::Bool) {
            return bool_literal(inner);
        }
        let value = inner.replace("''", "'");
        return Some(quote!(#value));
    }
    match column.kind {
        Some(ValueKind::Bool) => bool_literal(text),
        Some(ValueKind::I16 | ValueKind::I32 | ValueKind::I64) => {
            let n: i64 = text.parse().ok()?;
            let lit = proc_macro2::Literal::i64_unsuffixed(n);
            Some(quote!(#lit))
        }
        Some(ValueKind::F32 | ValueKind::F64) => {
            let n: f64 = text.parse().ok()?;
            let lit = proc_macro2::Literal::f64_unsuffixed(n);
            Some(quote!(#lit))
        }
        _ => None,
    }
}

fn bool_literal(text: &str) -> Option<TokenStream> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "t" => Some(quote!(true)),
        "false" | "0" | "f" => Some(quote!(false)),
        _ => None,
    }
}

fn model(schema: &Schema, table: &Table) -> TokenStream {
    let name = format_ident!("{}", struct_name(&table.name));
    let table_name = &table.name;
    let mut notes: Vec<String> = Vec::new();
    for index in table.indexes.iter().filter(|i| i.columns.len() > 1) {
        notes.push(format!(
            " The database also has {} `{}` on ({}), which models do not declare.",
            if index.unique {
                "unique constraint"
            } else {
                "index"
            },
            index.name,
            index.columns.join(", ")
        ));
    }
    let doc = format!(" A row of `{table_name}`.");
    let fields = table.columns.iter().map(|c| field(schema, table, c));
    let notes = notes.iter().map(|n| quote!(#[doc = ""] #[doc = #n]));
    quote! {
        #[doc = #doc]
        #(#notes)*
        #[derive(Model, Debug, Clone, PartialEq)]
        #[ambidex(table = #table_name)]
        pub struct #name {
            #(#fields)*
        }
    }
}

fn field(schema: &Schema, table: &Table, c: &TableColumn) -> TokenStream {
    let fname = field_name(&c.name);
    let ident = format_ident!("{}", fname);
    let base = rust_type(c.kind);
    let ty = if c.nullable {
        quote!(Option<#base>)
    } else {
        base
    };
    let mut attrs: Vec<TokenStream> = Vec::new();
    if c.primary_key {
        attrs.push(quote!(primary_key));
    }
    if c.auto {
        attrs.push(quote!(auto));
    }
    let single = |unique: bool| {
        table
            .indexes
            .iter()
            .any(|i| i.unique == unique && i.columns.len() == 1 && i.columns[0] == c.name)
    };
    if !c.primary_key && single(true) {
        attrs.push(quote!(unique));
    } else if !c.primary_key && single(false) {
        attrs.push(quote!(index));
    }
    if fname != c.name {
        let column = &c.name;
        attrs.push(quote!(column = #column));
    }
    if !c.auto
        && let Some(lit) = default_literal(c)
    {
        attrs.push(quote!(default = #lit));
    }
    let mut docs: Vec<String> = Vec::new();
    if let Some(fk) = table.foreign_key(&c.name) {
        let parent = schema.table(&fk.parent_table);
        let parent_key =
            parent.map(|p| p.primary_key().map(|k| k.name.clone()).collect::<Vec<_>>());
        if parent_key == Some(vec![fk.parent_column.clone()]) {
            let parent_ident = format_ident!("{}", struct_name(&fk.parent_table));
            attrs.push(quote!(belongs_to = #parent_ident));
            match fk.on_delete {
                OnDelete::Cascade => attrs.push(quote!(on_delete = "cascade")),
                OnDelete::SetNull => attrs.push(quote!(on_delete = "set_null")),
                _ => {}
            }
            if !fname.ends_with("_id") {
                let relation = format!("{fname}_ref");
                attrs.push(quote!(relation = #relation));
            }
        } else {
            docs.push(format!(
                " References `{}.{}` (not a primary key the models read, so no `belongs_to`).",
                fk.parent_table, fk.parent_column
            ));
        }
    }
    if c.kind.is_none() {
        docs.push(format!(
            " The database type `{}` has no ambidex field type; read here as text: give it \
             a type of yours (`#[derive(SqlField)]`) if text does not fit.",
            c.sql_type
        ));
    }
    let attr = if attrs.is_empty() {
        quote!()
    } else {
        quote!(#[ambidex(#(#attrs),*)])
    };
    let docs = docs.iter().map(|d| quote!(#[doc = #d]));
    quote! {
        #(#docs)*
        #attr
        pub #ident: #ty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_become_singular_struct_names() {
        assert_eq!(struct_name("posts"), "Post");
        assert_eq!(struct_name("blog_categories"), "BlogCategory");
        assert_eq!(struct_name("addresses"), "Address");
        assert_eq!(struct_name("status"), "Status");
        assert_eq!(struct_name("2fa"), "Table2fa");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("First Name"), "first_name");
    }
}
