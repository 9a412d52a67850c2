//! The rewrite of an async fn's signature and body into its blocking twin.
//!
//! [`Blockify`] walks the twin (a clone of the user's tokens, so every span still points
//! at the user's code) with `syn::visit_mut` and:
//!
//! - removes `.await` from calls and method calls (`f(..).await` -> `f(..)`), refusing it
//!   on anything else (a stored future cannot be made blocking);
//! - turns `async { .. }` blocks into plain blocks (or, when they contain `?` or `return`,
//!   whose target a plain block would change, into an immediately called closure);
//! - turns `x.transaction(|tx| Box::pin(async move { BODY }))` into
//!   `x.transaction(|tx| { BODY })`, and the same for `x.transaction_with(options, ..)`;
//! - swaps the async handle types for the blocking ones (`Db` -> `::ambidex::blocking::Db`,
//!   `Db::connect` -> `::ambidex::blocking::Db::open`);
//! - renames calls of other dual functions to their `_blocking` twins;
//! - reports, at their spans, the constructs that have no blocking meaning: spawning,
//!   `select!`/`join!`, async timers, async closures.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{
    Block, Expr, ExprAsync, ExprAwait, ExprBlock, ExprCall, ExprClosure, ExprMethodCall, ExprPath,
    Item, Macro, Path, ReturnType, Stmt, Token,
};

use super::args::{Config, Swap, segments};

/// Crates whose items are the async runtime itself: nothing they offer has a blocking
/// meaning inside a blocking twin.
const RUNTIME_CRATES: &[&str] = &["tokio", "futures", "futures_util", "async_std", "smol"];

/// Calls that become `_blocking` twins without being listed in `calls(..)`: of the async
/// methods of the same annotated inherent impl block, and of the function itself
/// (recursion). Empty for traits, whose twin methods keep their names.
#[derive(Default)]
pub struct Siblings {
    /// `self.m(..)` and `Self::m(..)` become `self.m_blocking(..)`, `Self::m_blocking(..)`.
    pub methods: BTreeSet<String>,
    /// `f(..)` (a single-segment path) becomes `f_blocking(..)`.
    pub fns: BTreeSet<String>,
}

/// `name_blocking`, spanned as `name` (so errors and "go to definition" land on the
/// user's identifier).
pub fn blocking_name(ident: &Ident) -> Ident {
    format_ident!("{}_blocking", ident, span = ident.span())
}

/// The rewriting visitor of one twin function.
pub struct Blockify<'a> {
    pub config: &'a Config,
    pub siblings: &'a Siblings,
    pub errors: &'a mut Vec<syn::Error>,
    /// Set when an async block had to become an immediately called closure, so the twin
    /// can allow `clippy::redundant_closure_call`.
    pub used_closure: bool,
}

impl Blockify<'_> {
    fn error(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    /// `base.await` -> `base`, when `base` is a call or a method call (or an async block,
    /// or either wrapped in `Box::pin(..)` / `.boxed()`).
    fn unawait(&mut self, awaited: ExprAwait) -> Expr {
        let ExprAwait {
            base,
            dot_token,
            await_token,
            ..
        } = awaited;
        let mut base = *base;
        let mut base = loop {
            base = match base {
                Expr::Paren(p) if p.attrs.is_empty() => *p.expr,
                Expr::Call(c) if c.args.len() == 1 && is_box_pin(&c.func) => {
                    c.args.into_iter().next().expect("one argument")
                }
                Expr::MethodCall(m) if is_boxed(&m) => *m.receiver,
                other => break other,
            };
        };
        let refusal = match &base {
            Expr::Call(call) => match &*call.func {
                Expr::Path(p) if is_timer_name(&p.path) => Some(format!(
                    "`{}(..).await` is an async timer: it cannot be made blocking, and \
                     `#[ambidex::dual]` does not substitute `std::thread::sleep` for it; keep \
                     timers out of dual fns",
                    path_string(&p.path)
                )),
                _ => None,
            },
            Expr::MethodCall(_) | Expr::Async(_) => None,
            Expr::Path(_) | Expr::Field(_) | Expr::Index(_) => Some(
                "`.await` on a stored future cannot be made blocking: `#[ambidex::dual]` turns \
                 `f(..).await` into `f(..)`, and a future kept in a variable has no blocking \
                 call to turn back into; await the call where it is made (`f(..).await`)"
                    .to_owned(),
            ),
            Expr::Macro(_) => Some(
                "`.await` on a macro's result cannot be made blocking: `#[ambidex::dual]` cannot \
                 see what the macro expands to; await a call instead"
                    .to_owned(),
            ),
            _ => Some(
                "this `.await` cannot be made blocking: in a `#[ambidex::dual]` fn only a call or \
                 a method call may be awaited (`f(..).await`, `x.m(..).await`), because the \
                 blocking twin drops the `.await` and keeps the call"
                    .to_owned(),
            ),
        };
        if let Some(message) = refusal {
            self.error(quote!(#base #dot_token #await_token), message);
        }
        if let Expr::MethodCall(m) = &mut base {
            connect_to_open(m, &self.config.swaps);
        }
        self.visit_expr_mut(&mut base);
        if is_unrenamed_call(&base) {
            // An async fn the twin could not rename (a dual fn missing from `calls(..)`)
            // would stay a future: the check's bound names the fix at the call.
            let span = base.span();
            return syn::parse_quote_spanned!(span=> ::ambidex::__private::awaited_in_twin(#base));
        }
        base
    }

    /// `async { BODY }` -> `{ BODY }`, or `(|| { BODY })()` when BODY has a `?` or a
    /// `return` of its own (which leave the async block, and would leave the function from
    /// a plain block).
    fn async_block(&mut self, expr: ExprAsync) -> Expr {
        let ExprAsync {
            attrs,
            async_token,
            capture,
            mut block,
        } = expr;
        self.visit_block_mut(&mut block);
        if !escapes(&mut block) {
            return Expr::Block(ExprBlock {
                attrs,
                label: None,
                block,
            });
        }
        self.used_closure = true;
        let span = async_token.span;
        let closure = ExprClosure {
            attrs: Vec::new(),
            lifetimes: None,
            constness: None,
            movability: None,
            asyncness: None,
            capture,
            or1_token: Token![|](span),
            inputs: Punctuated::new(),
            or2_token: Token![|](span),
            output: ReturnType::Default,
            body: Box::new(Expr::Block(ExprBlock {
                attrs: Vec::new(),
                label: None,
                block,
            })),
        };
        Expr::Call(ExprCall {
            attrs,
            func: Box::new(Expr::Paren(syn::ExprParen {
                attrs: Vec::new(),
                paren_token: syn::token::Paren(span),
                expr: Box::new(Expr::Closure(closure)),
            })),
            paren_token: syn::token::Paren(span),
            args: Punctuated::new(),
        })
    }

    /// The closure of `x.transaction(closure)`: `|tx| Box::pin(async move { BODY })`
    /// becomes `|tx| { BODY }`, and `|tx| Box::pin(f(tx))` becomes `|tx| f(tx)` (as if
    /// awaited).
    fn transaction_closure(&mut self, closure: &mut ExprClosure) {
        if closure.asyncness.is_some() {
            return;
        }
        let Some(inner) = boxed_future(&closure.body).cloned() else {
            return;
        };
        closure.output = ReturnType::Default;
        *closure.body = match inner {
            Expr::Async(a) => Expr::Block(ExprBlock {
                attrs: a.attrs,
                label: None,
                block: a.block,
            }),
            other => {
                let span = other.span();
                Expr::Await(ExprAwait {
                    attrs: Vec::new(),
                    base: Box::new(other),
                    dot_token: Token![.](span),
                    await_token: Token![await](span),
                })
            }
        };
    }

    /// `x.m(..)` -> `x.m_blocking(..)` for a listed dual method, or a sibling called on
    /// `self`.
    fn rename_method(&mut self, call: &mut ExprMethodCall) {
        let name = call.method.to_string();
        let sibling = is_self(&call.receiver) && self.siblings.methods.contains(&name);
        if sibling || self.config.calls.contains(&name) {
            call.method = blocking_name(&call.method);
        }
    }

    /// `f(..)`, `path::f(..)` -> `f_blocking(..)`, `path::f_blocking(..)` for a listed dual
    /// function; `Self::m(..)` -> `Self::m_blocking(..)` for a sibling.
    fn rename_call(&mut self, func: &mut ExprPath) {
        if func.qself.is_some() {
            return;
        }
        let path = &mut func.path;
        let sibling = match path.segments.len() {
            1 => self
                .siblings
                .fns
                .contains(&path.segments[0].ident.to_string()),
            2 => {
                path.segments[0].ident == "Self"
                    && self
                        .siblings
                        .methods
                        .contains(&path.segments[1].ident.to_string())
            }
            _ => false,
        };
        let Some(last) = path.segments.last_mut() else {
            return;
        };
        if sibling || self.config.calls.contains(&last.ident.to_string()) {
            last.ident = blocking_name(&last.ident);
        }
    }

    /// Refuses expression paths into the async runtime (`tokio::spawn`, ...).
    fn check_path(&mut self, path: &Path) {
        if let Some(message) = forbidden_path(path) {
            self.error(path, message);
        }
    }

    /// Refuses `select!`, `join!` and the like; rewrites the arguments of other macros when
    /// they are comma-separated expressions (`assert_eq!(f().await, 1)`); refuses an
    /// `.await` hidden in arguments it cannot parse.
    fn check_macro(&mut self, mac: &mut Macro) {
        let segs = segments(&mac.path);
        let last = segs.last().map(String::as_str).unwrap_or_default();
        let first = segs.first().map(String::as_str).unwrap_or_default();
        let shown = path_string(&mac.path);
        let refusal = match last {
            "select" | "select_biased" => Some(format!(
                "`{shown}!` cannot be made blocking: it races futures, and the blocking twin has \
                 no futures, only calls that run to completion one after another; keep it out \
                 of `#[ambidex::dual]` fns"
            )),
            "join" | "try_join" => Some(format!(
                "`{shown}!` cannot be made blocking: it runs futures concurrently, which the \
                 blocking twin cannot do; await the calls one after another \
                 (`let a = f().await?; let b = g().await?;`) or keep this out of \
                 `#[ambidex::dual]` fns"
            )),
            "pin" => Some(format!(
                "`{shown}!` pins a future, and the blocking twin has no futures; await the call \
                 directly"
            )),
            _ if RUNTIME_CRATES.contains(&first) && segs.len() > 1 => Some(format!(
                "`{shown}!` belongs to the async runtime crate `{first}` and has no blocking \
                 equivalent; keep it out of `#[ambidex::dual]` fns"
            )),
            _ => None,
        };
        if let Some(message) = refusal {
            let path = &mac.path;
            let bang = &mac.bang_token;
            self.error(quote!(#path #bang), message);
            return;
        }
        if !any_ident(&mac.tokens, &|i| self.interesting(i)) {
            return;
        }
        if !rewrite_macro_args(mac, |expr| self.visit_expr_mut(expr))
            && any_ident(&mac.tokens, &|i| i == "await")
        {
            self.error(
                &*mac,
                "`#[ambidex::dual]` cannot remove this `.await`: the arguments of this macro are \
                 not comma-separated expressions it can rewrite; await into a `let` before the \
                 macro",
            );
        }
    }

    /// Whether an identifier in a macro's arguments may need a rewrite.
    fn interesting(&self, ident: &Ident) -> bool {
        let name = ident.to_string();
        matches!(
            name.as_str(),
            "await" | "async" | "spawn" | "spawn_local" | "spawn_blocking" | "transaction"
        ) || RUNTIME_CRATES.contains(&name.as_str())
            || self.config.calls.contains(&name)
            || self.config.traits.contains(&name)
            || self
                .config
                .swaps
                .iter()
                .any(|s| s.from.first() == Some(&name))
            || self.siblings.methods.contains(&name)
            || self.siblings.fns.contains(&name)
    }

    /// Replaces an async handle path (`Db`, `ambidex::Tx`, a user's `db = A => B`) by the
    /// blocking one, keeping the span of the user's segment.
    fn swap(&self, path: &mut Path) {
        let segs = segments(path);
        for swap in &self.config.swaps {
            let n = swap.from.len();
            if segs.len() < n || segs[..n] != swap.from[..] {
                continue;
            }
            if path
                .segments
                .iter()
                .take(n - 1)
                .any(|s| !s.arguments.is_none())
            {
                continue;
            }
            let old: Vec<syn::PathSegment> = path.segments.iter().cloned().collect();
            let span = old[n - 1].ident.span();
            let mut new = Punctuated::new();
            let to_len = swap.to.segments.len();
            for (i, seg) in swap.to.segments.iter().enumerate() {
                let mut seg = seg.clone();
                seg.ident.set_span(span);
                if i + 1 == to_len && !old[n - 1].arguments.is_none() {
                    seg.arguments = old[n - 1].arguments.clone();
                }
                new.push(seg);
            }
            let mut rest = old[n..].to_vec();
            if swap.ambidex_db
                && let Some(next) = rest.first_mut()
                && next.ident == "connect"
            {
                next.ident = Ident::new("open", next.ident.span());
            }
            new.extend(rest);
            path.leading_colon = swap.to.leading_colon.map(|_| Token![::](span));
            path.segments = new;
            return;
        }
    }
}

/// A call of a path (`f(..)`, `path::f(..)`) left under its own name by the twin: not a
/// method call, and not renamed to a `_blocking` twin.
fn is_unrenamed_call(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    let Expr::Path(func) = &*call.func else {
        return false;
    };
    func.path
        .segments
        .last()
        .is_some_and(|last| !last.ident.to_string().ends_with("_blocking"))
}

impl VisitMut for Blockify<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Await(_) => {
                let Expr::Await(awaited) = std::mem::replace(expr, placeholder()) else {
                    unreachable!()
                };
                *expr = self.unawait(awaited);
            }
            Expr::Async(_) => {
                let Expr::Async(block) = std::mem::replace(expr, placeholder()) else {
                    unreachable!()
                };
                *expr = self.async_block(block);
            }
            Expr::Closure(closure) => {
                if let Some(async_token) = &closure.asyncness {
                    let capture = &closure.capture;
                    let or1 = &closure.or1_token;
                    let inputs = &closure.inputs;
                    let or2 = &closure.or2_token;
                    self.error(
                        quote!(#async_token #capture #or1 #inputs #or2),
                        "an async closure cannot be made blocking: `#[ambidex::dual]` cannot \
                         follow where the futures it returns are awaited; make it a dual fn \
                         listed in `calls(..)`, or write the calls out in the body",
                    );
                }
                visit_mut::visit_expr_closure_mut(self, closure);
            }
            Expr::MethodCall(call) => {
                // The closure of `transaction(f)` and of `transaction_with(options, f)`.
                let body = match (call.method.to_string().as_str(), call.args.len()) {
                    ("transaction", 1) | ("transaction_with", 2) => call.args.last_mut(),
                    _ => None,
                };
                if let Some(Expr::Closure(closure)) = body {
                    self.transaction_closure(closure);
                }
                self.rename_method(call);
                visit_mut::visit_expr_method_call_mut(self, call);
            }
            Expr::Call(call) => {
                if let Expr::Path(func) = &mut *call.func {
                    self.check_path(&func.path);
                    self.rename_call(func);
                    visit_mut::visit_expr_path_mut(self, func);
                } else {
                    self.visit_expr_mut(&mut call.func);
                }
                for arg in call.args.iter_mut() {
                    self.visit_expr_mut(arg);
                }
            }
            Expr::Path(path) => {
                self.check_path(&path.path);
                visit_mut::visit_expr_path_mut(self, path);
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        self.check_macro(mac);
    }

    fn visit_path_mut(&mut self, path: &mut Path) {
        self.swap(path);
        for seg in path.segments.iter_mut() {
            if self.config.traits.contains(&seg.ident.to_string()) {
                seg.ident = format_ident!("{}Blocking", seg.ident, span = seg.ident.span());
            }
        }
        visit_mut::visit_path_mut(self, path);
    }

    /// Items nested in a body are left as written.
    fn visit_item_mut(&mut self, _: &mut Item) {}

    /// Attributes are left as written.
    fn visit_attribute_mut(&mut self, _: &mut syn::Attribute) {}
}

/// Rewrites each argument of `mac` with `visit` if its arguments are comma-separated
/// expressions (`assert_eq!(a, b)`, `format!("{}", x)`); returns whether they were.
pub fn rewrite_macro_args(mac: &mut Macro, mut visit: impl FnMut(&mut Expr)) -> bool {
    match Punctuated::<Expr, Token![,]>::parse_terminated.parse2(mac.tokens.clone()) {
        Ok(mut exprs) => {
            for expr in exprs.iter_mut() {
                visit(expr);
            }
            mac.tokens = exprs.into_token_stream();
            true
        }
        Err(_) => false,
    }
}

/// An expression to stand in while one is moved out and rewritten.
fn placeholder() -> Expr {
    Expr::Verbatim(TokenStream::new())
}

/// Whether `block` has a `?` or a `return` of its own (not inside a closure, an async
/// block or a nested item).
fn escapes(block: &mut Block) -> bool {
    struct Escapes(bool);
    impl VisitMut for Escapes {
        fn visit_expr_mut(&mut self, expr: &mut Expr) {
            match expr {
                Expr::Return(_) | Expr::Try(_) => self.0 = true,
                Expr::Closure(_) | Expr::Async(_) => {}
                _ => visit_mut::visit_expr_mut(self, expr),
            }
        }
        fn visit_macro_mut(&mut self, mac: &mut Macro) {
            if has_escape_tokens(&mac.tokens) {
                self.0 = true;
            }
        }
        fn visit_item_mut(&mut self, _: &mut Item) {}
    }
    let mut visitor = Escapes(false);
    visitor.visit_block_mut(block);
    visitor.0
}

fn has_escape_tokens(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        TokenTree::Punct(p) => p.as_char() == '?',
        TokenTree::Ident(i) => i == "return",
        TokenTree::Group(g) => has_escape_tokens(&g.stream()),
        TokenTree::Literal(_) => false,
    })
}

pub fn any_ident(tokens: &TokenStream, pred: &dyn Fn(&Ident) -> bool) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        TokenTree::Ident(i) => pred(&i),
        TokenTree::Group(g) => any_ident(&g.stream(), pred),
        _ => false,
    })
}

/// The future inside `Box::pin(FUT)`, `FUT.boxed()`, or either alone in a block.
fn boxed_future(expr: &Expr) -> Option<&Expr> {
    match expr {
        Expr::Call(c) if c.args.len() == 1 && is_box_pin(&c.func) => c.args.first(),
        Expr::MethodCall(m) if is_boxed(m) => Some(&m.receiver),
        Expr::Paren(p) => boxed_future(&p.expr),
        Expr::Block(b) if b.attrs.is_empty() && b.label.is_none() => {
            match b.block.stmts.as_slice() {
                [Stmt::Expr(inner, None)] => boxed_future(inner),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `Box::pin`, `std::boxed::Box::pin`, `alloc::boxed::Box::pin`.
fn is_box_pin(func: &Expr) -> bool {
    let Expr::Path(p) = func else { return false };
    let segs = segments(&p.path);
    segs.len() >= 2 && segs[segs.len() - 2] == "Box" && segs[segs.len() - 1] == "pin"
}

/// `fut.boxed()` (`FutureExt::boxed`).
fn is_boxed(call: &ExprMethodCall) -> bool {
    call.method == "boxed" && call.args.is_empty() && call.turbofish.is_none()
}

fn is_self(expr: &Expr) -> bool {
    matches!(expr, Expr::Path(p) if p.qself.is_none() && p.path.is_ident("self"))
}

/// A bare awaited `sleep(..)`/`timeout(..)`: an async timer brought in by a `use`.
fn is_timer_name(path: &Path) -> bool {
    path.segments.len() == 1
        && matches!(
            path.segments[0].ident.to_string().as_str(),
            "sleep" | "sleep_until" | "timeout" | "timeout_at"
        )
}

fn path_string(path: &Path) -> String {
    let mut out = String::new();
    if path.leading_colon.is_some() {
        out.push_str("::");
    }
    out.push_str(&segments(path).join("::"));
    out
}

/// Why an expression path has no blocking meaning, if it has none.
fn forbidden_path(path: &Path) -> Option<String> {
    let segs = segments(path);
    let first = segs.first()?.as_str();
    let last = segs.last()?.as_str();
    let shown = path_string(path);
    let std_thread = first == "std" || first == "core" || segs.iter().any(|s| s == "thread");
    if matches!(last, "spawn" | "spawn_local" | "spawn_blocking") && !std_thread {
        return Some(format!(
            "`{shown}` cannot be made blocking: a spawned task needs an async runtime, and the \
             blocking twin runs on the caller's thread without one; keep spawning out of \
             `#[ambidex::dual]` fns"
        ));
    }
    let parent = segs.len().checked_sub(2).map(|i| segs[i].as_str());
    if parent == Some("time")
        && matches!(
            last,
            "sleep" | "sleep_until" | "timeout" | "timeout_at" | "interval"
        )
    {
        return Some(format!(
            "`{shown}` is an async timer: it cannot be made blocking, and `#[ambidex::dual]` \
             does not substitute `std::thread::sleep` for it; keep timers out of dual fns"
        ));
    }
    if segs.len() > 1 && RUNTIME_CRATES.contains(&first) {
        return Some(format!(
            "`{shown}` belongs to the async runtime crate `{first}` and has no blocking \
             equivalent; keep it out of `#[ambidex::dual]` fns"
        ));
    }
    None
}

/// `Db::builder(url)...connect().await` -> `...open()`: the blocking builder opens.
fn connect_to_open(call: &mut ExprMethodCall, swaps: &[Swap]) {
    if call.method != "connect" || !call.args.is_empty() {
        return;
    }
    let mut root = &*call.receiver;
    while let Expr::MethodCall(inner) = root {
        root = &inner.receiver;
    }
    let Expr::Call(ExprCall { func, .. }) = root else {
        return;
    };
    let Expr::Path(func) = &**func else { return };
    let segs = segments(&func.path);
    let from_db_builder = swaps.iter().any(|s| {
        s.ambidex_db
            && segs.len() == s.from.len() + 1
            && segs[..s.from.len()] == s.from[..]
            && segs[s.from.len()] == "builder"
    });
    if from_db_builder {
        call.method = Ident::new("open", call.method.span());
    }
}
