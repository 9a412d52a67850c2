//! A typed view of the deriving struct: its table and its fields with their columns.

use syn::{Data, DeriveInput, Fields, Ident, Type, Visibility};

use crate::attr::{ContainerAttrs, FieldAttrs};
use crate::ctxt::Ctxt;

pub struct Container<'a> {
    pub ident: &'a Ident,
    pub table: String,
    pub fields: Vec<Field<'a>>,
    pub input: &'a DeriveInput,
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    /// The field name without `r#`.
    pub name: String,
    pub ty: &'a Type,
    pub vis: &'a Visibility,
    pub column: String,
    pub attrs: FieldAttrs,
}

impl Field<'_> {
    pub fn is_column(&self) -> bool {
        self.attrs.skip.is_none()
    }

    /// The relation constant's name for a `belongs_to` field: `relation = "..."`, or the
    /// field's name without its `_id` suffix (`author_id` -> `author`).
    pub fn relation_name(&self) -> Option<String> {
        self.attrs.belongs_to.as_ref()?;
        match &self.attrs.relation {
            Some(lit) => Some(lit.value()),
            None => self
                .name
                .strip_suffix("_id")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        }
    }
}

/// `BlogPost` -> `blog_post`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if i > 0 && (prev_lower || (next_lower && chars[i - 1].is_uppercase())) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

impl<'a> Container<'a> {
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Container<'a>> {
        let attrs = ContainerAttrs::parse(cx, &input.attrs);
        let fields = match &input.data {
            Data::Struct(s) => match &s.fields {
                Fields::Named(named) => &named.named,
                _ => {
                    cx.error_spanned_by(
                        &input.ident,
                        "#[derive(Model)] needs a struct with named fields",
                    );
                    return None;
                }
            },
            _ => {
                cx.error_spanned_by(&input.ident, "#[derive(Model)] only applies to structs");
                return None;
            }
        };
        let fields = fields
            .iter()
            .filter_map(|f| {
                let ident = f.ident.as_ref()?;
                let attrs = FieldAttrs::parse(cx, &f.attrs);
                let name = ident.to_string().trim_start_matches("r#").to_string();
                let column = attrs
                    .column
                    .as_ref()
                    .map(|c| c.value())
                    .unwrap_or_else(|| name.clone());
                Some(Field {
                    ident,
                    name,
                    ty: &f.ty,
                    vis: &f.vis,
                    column,
                    attrs,
                })
            })
            .collect();
        let table = attrs
            .table
            .as_ref()
            .map(|t| t.value())
            .unwrap_or_else(|| snake_case(&input.ident.to_string()));
        Some(Container {
            ident: &input.ident,
            table,
            fields,
            input,
        })
    }

    pub fn columns(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields.iter().filter(|f| f.is_column())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn snake_case_names() {
        assert_eq!(super::snake_case("User"), "user");
        assert_eq!(super::snake_case("BlogPost"), "blog_post");
        assert_eq!(super::snake_case("HTTPRequest"), "http_request");
        assert_eq!(super::snake_case("Order2Item"), "order2_item");
    }
}
