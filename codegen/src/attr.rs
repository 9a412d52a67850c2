//! Parsing of `#[ambidex(...)]` on the struct and on its fields.

use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, LitStr, UnOp};

use crate::ctxt::Ctxt;

/// A column default written in the attribute.
#[derive(Clone)]
pub enum DefaultLit {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

/// `#[ambidex(...)]` on the struct.
#[derive(Default)]
pub struct ContainerAttrs {
    pub table: Option<LitStr>,
}

/// `#[ambidex(...)]` on a field.
#[derive(Default)]
pub struct FieldAttrs {
    pub column: Option<LitStr>,
    pub primary_key: Option<proc_macro2::Span>,
    pub auto: Option<proc_macro2::Span>,
    pub unique: bool,
    pub index: bool,
    pub skip: Option<proc_macro2::Span>,
    pub default: Option<(DefaultLit, proc_macro2::Span)>,
    /// `belongs_to = Parent`: the field is a foreign key to `Parent`'s primary key.
    pub belongs_to: Option<syn::Path>,
    /// `on_delete = "cascade" | "set_null" | "restrict"` (with `belongs_to`).
    pub on_delete: Option<LitStr>,
    /// `relation = "name"`: the relation constant's name (default: the field's name
    /// without its `_id` suffix).
    pub relation: Option<LitStr>,
}

fn ambidex_attrs(attrs: &[syn::Attribute]) -> impl Iterator<Item = &syn::Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("ambidex"))
}

impl ContainerAttrs {
    pub fn parse(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut out = ContainerAttrs::default();
        for attr in ambidex_attrs(attrs) {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("table") {
                    let lit: LitStr = meta.value()?.parse()?;
                    if lit.value().is_empty() {
                        cx.error_spanned_by(&lit, "the table name cannot be empty");
                    }
                    out.table = Some(lit);
                    Ok(())
                } else {
                    Err(meta.error(format!(
                        "unknown ambidex model attribute `{}`; expected `table = \"...\"`",
                        meta.path.to_token_stream_string()
                    )))
                }
            });
            if let Err(e) = result {
                cx.syn_error(e);
            }
        }
        out
    }
}

trait PathString {
    fn to_token_stream_string(&self) -> String;
}

impl PathString for syn::Path {
    fn to_token_stream_string(&self) -> String {
        quote::ToTokens::to_token_stream(self)
            .to_string()
            .replace(' ', "")
    }
}

fn parse_default(cx: &Ctxt, expr: &Expr) -> Option<DefaultLit> {
    let (negative, lit) = match expr {
        Expr::Lit(ExprLit { lit, .. }) => (false, lit),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => match &**expr {
            Expr::Lit(ExprLit { lit, .. }) => (true, lit),
            _ => {
                cx.error_spanned_by(expr, "a default must be a literal");
                return None;
            }
        },
        other => {
            cx.error_spanned_by(
                other,
                "a default must be a literal: a bool, number or string",
            );
            return None;
        }
    };
    let sign = if negative { -1 } else { 1 };
    match lit {
        Lit::Bool(b) if !negative => Some(DefaultLit::Bool(b.value)),
        Lit::Int(i) => match i.base10_parse::<i64>() {
            Ok(v) => Some(DefaultLit::Int(v * sign)),
            Err(e) => {
                cx.syn_error(e);
                None
            }
        },
        Lit::Float(f) => match f.base10_parse::<f64>() {
            Ok(v) => Some(DefaultLit::Float(v * sign as f64)),
            Err(e) => {
                cx.syn_error(e);
                None
            }
        },
        Lit::Str(s) if !negative => Some(DefaultLit::Text(s.value())),
        other => {
            cx.error_spanned_by(
                other,
                "a default must be a bool, integer, float or string literal",
            );
            None
        }
    }
}

impl FieldAttrs {
    pub fn parse(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut out = FieldAttrs::default();
        for attr in ambidex_attrs(attrs) {
            let result = attr.parse_nested_meta(|meta| {
                let path = &meta.path;
                if path.is_ident("column") {
                    let lit: LitStr = meta.value()?.parse()?;
                    if lit.value().is_empty() {
                        cx.error_spanned_by(&lit, "the column name cannot be empty");
                    }
                    out.column = Some(lit);
                } else if path.is_ident("primary_key") {
                    out.primary_key = Some(path.span());
                } else if path.is_ident("auto") {
                    out.auto = Some(path.span());
                } else if path.is_ident("unique") {
                    out.unique = true;
                } else if path.is_ident("index") {
                    out.index = true;
                } else if path.is_ident("skip") {
                    out.skip = Some(path.span());
                } else if path.is_ident("belongs_to") {
                    out.belongs_to = Some(meta.value()?.parse()?);
                } else if path.is_ident("on_delete") {
                    let lit: LitStr = meta.value()?.parse()?;
                    if !matches!(lit.value().as_str(), "cascade" | "set_null" | "restrict") {
                        cx.error_spanned_by(
                            &lit,
                            "on_delete must be \"cascade\", \"set_null\" or \"restrict\"",
                        );
                    }
                    out.on_delete = Some(lit);
                } else if path.is_ident("relation") {
                    out.relation = Some(meta.value()?.parse()?);
                } else if path.is_ident("default") {
                    let expr: Expr = meta.value()?.parse()?;
                    if let Some(d) = parse_default(cx, &expr) {
                        out.default = Some((d, expr.span()));
                    }
                } else {
                    return Err(meta.error(format!(
                        "unknown ambidex field attribute `{}`; expected one of `primary_key`, \
                         `auto`, `unique`, `index`, `column = \"...\"`, `default = ...`, `skip`, \
                         `belongs_to = Model`, `on_delete = \"...\"`, `relation = \"...\"`",
                        path.to_token_stream_string()
                    )));
                }
                Ok(())
            });
            if let Err(e) = result {
                cx.syn_error(e);
            }
        }
        out
    }
}
