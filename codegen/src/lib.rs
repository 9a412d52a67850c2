//! # ambidex-codegen
//!
//! The procedural macros of [ambidex](https://docs.rs/ambidex). Use them through the
//! facade (`ambidex::Model`), never directly: the generated code names the runtime only
//! through `::ambidex::__private`, as serde_derive's output names `serde::__private`.
//!
//! The derive is split by job, after serde_derive: `attr.rs` parses `#[ambidex(...)]`,
//! `ast.rs` builds a typed view of the struct, `check.rs` enforces the rules, `ctxt.rs`
//! collects every error with its span so all are reported at once, and `model.rs` and
//! `columns.rs` generate the two outputs (the `Model` impl, and the column and relation
//! constants). `field.rs` is `#[derive(SqlField)]`, `partial.rs` `#[derive(PartialModel)]`.
//!
//! The attribute [`macro@dual`] (an async fn and its blocking twin) lives in `dual.rs`:
//! `args.rs` parses the attribute, `rewrite.rs` turns an async body into a blocking one,
//! `qualify.rs` keeps calls between trait-impl methods unambiguous.

mod ast;
mod attr;
mod check;
mod columns;
mod ctxt;
mod dual;
mod embed;
mod field;
mod model;
mod partial;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `ambidex::Model` for a struct with named fields; see the `ambidex` crate docs
/// for the attributes.
#[proc_macro_derive(Model, attributes(ambidex))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let ctxt = ctxt::Ctxt::new();
    let container = ast::Container::from_ast(&ctxt, input);
    if let Some(container) = &container {
        check::check(&ctxt, container);
    }
    ctxt.finish()?;
    let container = container.ok_or_else(|| syn::Error::new_spanned(input, "invalid model"))?;
    let model_impl = model::expand(&container);
    let column_consts = columns::expand(&container);
    Ok(quote::quote! {
        #model_impl
        #column_consts
    })
}

/// Derives `ambidex::PartialModel` for a struct of some of a model's fields, which
/// `Select::select_partial` reads without the other columns. `#[ambidex(model = Model)]`
/// on the struct names the model; each field is the model's field of the same name and
/// type (checked at compile time), or `#[ambidex(field = "name")]`'s.
#[proc_macro_derive(PartialModel, attributes(ambidex))]
pub fn derive_partial_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    partial::expand(&input)
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// Derives `ambidex::SqlField`, making a type usable as a model field: a **newtype** over
/// a field type (`struct Email(String);`, stored as its field), or a **fieldless enum**
/// stored as text (each variant's name, or `#[ambidex(rename = "..")]`; the default,
/// also spelled `#[ambidex(text)]`) or as an integer (`#[ambidex(integer)]`: each
/// variant's discriminant, which must fit in `i32`). Stored values that match no variant
/// are an `Error::Decode` naming the model and field. See `docs/guide/types.md`.
#[proc_macro_derive(SqlField, attributes(ambidex))]
pub fn derive_sql_field(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    field::expand(&input)
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// Writes an async function once and generates its **blocking twin** next to it, in the
/// same build: `#[ambidex::dual]` on an `async fn`, an inherent `impl` block, a trait, or
/// an `impl` of such a trait. The async item is emitted as written; the twin is a plain
/// item beside it (no hidden module), so rust-analyzer, rustdoc and the compiler see both.
///
/// ```
/// # extern crate self as ambidex;
/// # pub use ambidex_codegen::dual;
/// # // A stand-in for the `ambidex` facade: a proc-macro crate's doctests cannot depend on
/// # // it. `tests/ui/dual_pass/full_example.rs` runs the same code on the real API.
/// # pub use stand_in::{Db, Error, Result, Tx, User};
/// # pub mod blocking { pub use crate::stand_in::blocking::{Db, Tx}; }
/// # pub mod __private { pub fn awaited_in_twin<T, E>(r: Result<T, E>) -> Result<T, E> { r } }
/// # mod stand_in {
/// #     use std::collections::HashMap;
/// #     use std::future::{Future, Ready, ready};
/// #     use std::pin::Pin;
/// #     use std::sync::{Arc, Mutex};
/// #     #[derive(Debug)]
/// #     pub struct Error;
/// #     pub type Result<T, E = Error> = std::result::Result<T, E>;
/// #     type Store = Arc<Mutex<HashMap<i64, User>>>;
/// #     #[derive(Clone, Debug, PartialEq)]
/// #     pub struct User { pub id: i64, pub name: String }
/// #     pub trait Executor { type Output<T>; fn run<T>(self, f: impl FnOnce(&mut HashMap<i64, User>) -> Result<T>) -> Self::Output<T>; }
/// #     fn seeded() -> Store { Arc::new(Mutex::new(HashMap::from([(1, User { id: 1, name: "ada".into() })]))) }
/// #     pub struct Db(Store);
/// #     pub struct Tx(Store);
/// #     impl Executor for &Db { type Output<T> = Ready<Result<T>>; fn run<T>(self, f: impl FnOnce(&mut HashMap<i64, User>) -> Result<T>) -> Ready<Result<T>> { ready(f(&mut self.0.lock().unwrap())) } }
/// #     impl Executor for &mut Tx { type Output<T> = Ready<Result<T>>; fn run<T>(self, f: impl FnOnce(&mut HashMap<i64, User>) -> Result<T>) -> Ready<Result<T>> { ready(f(&mut self.0.lock().unwrap())) } }
/// #     impl Db {
/// #         pub async fn connect(_url: &str) -> Result<Db> { Ok(Db(seeded())) }
/// #         pub async fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
/// #         where F: for<'t> FnOnce(&'t mut Tx) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 't>> {
/// #             f(&mut Tx(self.0.clone())).await
/// #         }
/// #     }
/// #     pub mod blocking {
/// #         use super::*;
/// #         pub struct Db(Store);
/// #         pub struct Tx(Store);
/// #         impl Executor for &Db { type Output<T> = Result<T>; fn run<T>(self, f: impl FnOnce(&mut HashMap<i64, User>) -> Result<T>) -> Result<T> { f(&mut self.0.lock().unwrap()) } }
/// #         impl Executor for &mut Tx { type Output<T> = Result<T>; fn run<T>(self, f: impl FnOnce(&mut HashMap<i64, User>) -> Result<T>) -> Result<T> { f(&mut self.0.lock().unwrap()) } }
/// #         impl Db {
/// #             pub fn open(_url: &str) -> Result<Db> { Ok(Db(seeded())) }
/// #             pub fn transaction<T, E, F: FnOnce(&mut Tx) -> Result<T, E>>(&self, f: F) -> Result<T, E> { f(&mut Tx(self.0.clone())) }
/// #         }
/// #     }
/// #     impl User {
/// #         pub fn get<E: Executor>(id: i64, db: E) -> E::Output<User> { db.run(|m| m.get(&id).cloned().ok_or(Error)) }
/// #         pub fn update<E: Executor>(&self, db: E) -> E::Output<()> { let row = self.clone(); db.run(move |m| { m.insert(row.id, row); Ok(()) }) }
/// #     }
/// # }
/// # fn main() -> Result<()> { app::main() }
/// # mod app {
/// use ambidex::{Db, Result, User};
///
/// /// Renames a user, in one transaction.
/// #[ambidex::dual]
/// pub async fn rename(db: &Db, id: i64, name: String) -> Result<User> {
///     db.transaction(move |tx| {
///         Box::pin(async move {
///             let mut user = User::get(id, &mut *tx).await?;
///             user.name = name;
///             user.update(&mut *tx).await?;
///             Ok(user)
///         })
///     })
///     .await
/// }
/// // Generated beside it:
/// //
/// // /// Renames a user, in one transaction.
/// // ///
/// // /// Blocking twin of [`rename`].
/// // pub fn rename_blocking(db: &::ambidex::blocking::Db, id: i64, name: String) -> Result<User> {
/// //     db.transaction(move |tx| {
/// //         let mut user = User::get(id, &mut *tx)?;
/// //         user.name = name;
/// //         user.update(&mut *tx)?;
/// //         Ok(user)
/// //     })
/// // }
///
/// /// Capitalizes a user's name: calls another dual fn, named in `calls(..)`.
/// #[ambidex::dual(calls(rename))]
/// pub async fn capitalize(db: &Db, id: i64) -> Result<User> {
///     let user = User::get(id, db).await?;
///     let mut chars = user.name.chars();
///     let name = chars.next().map(|c| c.to_uppercase().chain(chars).collect());
///     rename(db, id, name.unwrap_or_default()).await // `rename_blocking(..)` in the twin
/// }
///
/// pub struct Users;
///
/// // Each async method gets its `_blocking` twin in the same block; calls of sibling
/// // methods on `self` / `Self::` follow.
/// #[ambidex::dual]
/// impl Users {
///     pub async fn name_of(&self, db: &Db, id: i64) -> Result<String> {
///         Ok(User::get(id, db).await?.name)
///     }
///
///     pub async fn greeting(&self, db: &Db, id: i64) -> Result<String> {
///         Ok(format!("hello, {}", self.name_of(db, id).await?)) // `self.name_of_blocking(..)`
///     }
/// }
///
/// // The trait `Greeter` and its twin `GreeterBlocking`, whose methods keep their names.
/// #[allow(async_fn_in_trait)] // rustc's lint on `async fn` in public traits
/// #[ambidex::dual]
/// pub trait Greeter {
///     async fn greet(&self, db: &Db, id: i64) -> Result<String>;
/// }
///
/// // `impl Greeter for Users` and `impl GreeterBlocking for Users`.
/// #[ambidex::dual(calls(greeting))]
/// impl Greeter for Users {
///     async fn greet(&self, db: &Db, id: i64) -> Result<String> {
///         self.greeting(db, id).await // an inherent dual method: listed in `calls(..)`
///     }
/// }
///
/// # pub fn main() -> Result<()> {
/// // A script, blocking:
/// let db = ambidex::blocking::Db::open("sqlite://app.db")?;
/// assert_eq!(capitalize_blocking(&db, 1)?.name, "Ada");
/// assert_eq!(Users.greeting_blocking(&db, 1)?, "hello, Ada");
/// assert_eq!(GreeterBlocking::greet(&Users, &db, 1)?, "hello, Ada");
///
/// // A server, async: the functions as written.
/// # let waker = std::task::Waker::noop();
/// # let block_on = |f: std::pin::Pin<&mut dyn std::future::Future<Output = Result<String>>>| {
/// #     match f.poll(&mut std::task::Context::from_waker(waker)) { std::task::Poll::Ready(r) => r, _ => unreachable!() }
/// # };
/// # let db = match std::pin::pin!(ambidex::Db::connect("")).poll(&mut std::task::Context::from_waker(waker)) { std::task::Poll::Ready(db) => db?, _ => unreachable!() };
/// let greeted = async {
///     capitalize(&db, 1).await?;
///     Greeter::greet(&Users, &db, 1).await
/// };
/// # let greeted = block_on(std::pin::pin!(greeted));
/// assert_eq!(greeted?, "hello, Ada");
/// # Ok(()) }
/// # }
/// ```
///
/// # Naming
///
/// | annotated | async item (unchanged) | blocking twin |
/// | --- | --- | --- |
/// | free fn | `async fn rename(..)` | `fn rename_blocking(..)` |
/// | method (alone, or its whole inherent `impl`) | `async fn rename(&self, ..)` | `fn rename_blocking(&self, ..)`, in the same block |
/// | trait | `trait UserRepo` | `trait UserRepoBlocking`, methods keep their names |
/// | trait impl | `impl UserRepo for X` | `impl UserRepoBlocking for X` |
///
/// Twins keep the visibility, generics, lifetimes, where clauses and attributes of the
/// original (the doc comment gains a paragraph "Blocking twin of \[`rename`\]."). Non-async
/// methods of an annotated inherent impl are left alone; non-async items of an annotated
/// trait (and of its impls) are copied into the twin, rewritten the same way.
///
/// Where a type implements both `UserRepo` and `UserRepoBlocking` and both traits are in
/// scope, `x.find(..)` is ambiguous (E0034): import the trait of the world a module uses,
/// be generic over it (`fn f<R: UserRepoBlocking>(r: &R)`), or call
/// `UserRepoBlocking::find(&x, ..)`. Inside the annotated trait impls, calls of the impl's
/// own methods on `self` / `Self::` are written `<Self as UserRepo>::m(..)` (and
/// `<Self as UserRepoBlocking>::m(..)` in the twin) for that reason; this changes nothing
/// else in the async impl. `impl UserRepo for X` needs `UserRepoBlocking` in scope too.
///
/// # What the twin is
///
/// The twin is a clone of the user's tokens (spans included) with:
///
/// - `async fn` -> `fn`;
/// - `.await` removed from calls and method calls: `f(..).await` -> `f(..)`,
///   `x.m(..).await?` -> `x.m(..)?` (also `Box::pin(f(..)).await` and `f(..).boxed().await`
///   -> `f(..)`, which makes async recursion plain recursion);
/// - `async { .. }` / `async move { .. }` -> a plain block, or `(|| { .. })()` /
///   `(move || { .. })()` when the block has a `?` or `return` of its own (so they still
///   leave the block, not the function);
/// - transaction closures: `x.transaction(|tx| Box::pin(async move { BODY }))` ->
///   `x.transaction(|tx| { BODY })` (also `async move { .. }.boxed()`, and
///   `|tx| Box::pin(f(tx))` -> `|tx| f(tx)`), for `Db::transaction` and `Tx::transaction`
///   alike;
/// - handles swapped in signatures and bodies: a path `Db`, `Tx`, `DbBuilder` (and the
///   typed `SqliteDb`, `SqliteTx`, `PgDb`, `PgTx`, `MysqlDb`, `MysqlTx`), bare or as
///   `ambidex::Db` etc., also as a prefix as in `Db::builder(..)`, becomes
///   `::ambidex::blocking::Db` (`Tx`, ...); `Db::connect(url)` and
///   `Db::builder(url)...connect()` become `open`, their blocking names;
/// - `ambidex::retry(policy, || ...)` (written with its crate) becomes
///   `::ambidex::blocking::retry(policy, || ...)`;
/// - calls of other dual code renamed (below);
/// - `.await` inside the arguments of a macro (`assert_eq!(f().await?, 1)`,
///   `format!("{}", x.m().await?)`) handled when the arguments are comma-separated
///   expressions.
///
/// Everything else is kept: `?`, early `return`, loops, closures, `&mut *tx`,
/// `db.begin()` / `tx.commit()` / `tx.rollback()` (which exist in both worlds).
///
/// # Calls of other dual code
///
/// A dual function calling another must call the other's twin from its own twin. ambidex
/// cannot tell a dual `async fn` from any other one, so:
///
/// - **Siblings** (automatic): in an annotated inherent impl, `self.m(..)` and
///   `Self::m(..)` of an async method `m` of the same block become `m_blocking`; a trait's
///   twin keeps its method names, so calls between its methods need nothing; a function
///   calling itself (recursion) needs nothing.
/// - **`calls(f, g, ..)`**: any call `f(..)`, `path::f(..)` or method call `x.f(..)` whose
///   last segment is listed becomes `f_blocking` in the twin.
/// - **`traits(Trait, ..)`**: any path segment `Trait` (a bound `S: Trait`, a call
///   `Trait::m(..)`) names `TraitBlocking` in the twin, so a function generic over a dual
///   trait gets a twin generic over its twin.
///
/// # Arguments
///
/// ```text
/// #[ambidex::dual]
/// #[ambidex::dual(calls(load, save), traits(UserRepo))]
/// #[ambidex::dual(db = crate::AppDb => crate::BlockingAppDb, tx = crate::AppTx => crate::BlockingAppTx)]
/// ```
///
/// `db = A => B` and `tx = A => B` add a swap of the path `A` (and paths starting with it)
/// for `B`, tried before the built-in ones: for your own aliases of the handles. Arguments
/// of `#[ambidex::dual(..)]` on methods inside an annotated block are merged into the
/// block's.
///
/// # Refused, with an error at the construct
///
/// | construct | why |
/// | --- | --- |
/// | a non-async fn, an impl or trait without `async fn` | nothing to twin |
/// | `-> impl Future<..>` | what the future does is not visible; write an `async fn` |
/// | `tokio::spawn`, `spawn(..)`, `spawn_local`, `spawn_blocking` (not `std::thread`'s) | a task needs a runtime; the twin has none |
/// | `select!`, `join!`, `try_join!`, `pin!` (any path) | racing or joining futures has no blocking meaning |
/// | `tokio::time::sleep`, `time::timeout`, an awaited bare `sleep(..)` | an async timer; no silent `std::thread::sleep` |
/// | any other `tokio::..`, `futures::..`, `futures_util::..`, `async_std::..`, `smol::..` expression or macro | runtime API without a blocking equivalent |
/// | `fut.await`, `self.fut.await`, `futs[0].await` | a stored future has no call left to make blocking |
/// | `.await` on anything but a call, a method call or an async block | same |
/// | `async` closures (`async \|x\| ..`) | where its futures are awaited cannot be followed |
/// | `#[tokio::main]`, `#[tokio::test]` on a dual fn | they need an `async fn` |
///
/// The async item is still emitted unchanged, and the twin with a body that never runs,
/// so one mistake gives one error, not a cascade. An error that is not the macro's (a
/// type error in the body) is reported by rustc at the user's line; when both versions
/// have it, rustc prints it once. An API that exists only in the async world (such as
/// `db.close().await`) fails in the twin at the user's line ("no method named `close`"
/// on the blocking handle).
///
/// # Limitations
///
/// - **Foreign futures cannot be detected.** `.await` is removed from any call, so
///   `some_async_lib::fetch(..).await` becomes `some_async_lib::fetch(..)`, a future that
///   the twin then uses as a value: a type error at that line at best, an unused future
///   (`#[must_use]` warning) at worst. Only ambidex's own API, dual code, and plain
///   computation belong in a dual body.
/// - Handles are matched by name: a path `Db`, `Tx`, ... (or `ambidex::..`) is swapped
///   whatever it resolves to, and `crate::Db`, `self::Db` or a `use ambidex::Db
///   as Pool` alias are not (use `db = Pool => ambidex::blocking::Db`).
/// - Calls of dual code through anything but the rules above (a sibling on another value,
///   a trait method not listed, a function pointer) are not renamed; `calls(m)` renames
///   every call named `m`, including unrelated ones.
/// - Items nested in a dual body (an inner `fn`) are left as written.
/// - A `#[ambidex::dual]` on one method of a trait impl would add a `_blocking` method the
///   trait lacks: annotate the trait and the impl instead. Default methods a trait impl
///   does not override are not known to the impl, so `self.m(..)` of those stays
///   unqualified (and ambiguous where both traits are in scope).
/// - The async trait is an ordinary trait with `async fn`s: its futures carry no `Send`
///   bound (rustc's `async_fn_in_trait` lint says so on public traits), and
///   `-> impl Future + Send` cannot be written instead, as it is refused above. Free
///   functions and inherent methods have no such limit: their futures are `Send` when
///   their bodies are.
/// - Errors in the body appear once per version when they differ (a diagnostic naming
///   `ambidex::Db` and one naming `ambidex::blocking::Db`).
///
/// # Compile-time cost
///
/// Measured with a scratch crate depending on ambidex (20 and 200 functions, a mix of a
/// filtered count, an insert with an early return, a two-row update in a transaction
/// closure, and a loop of get/update on a `&mut Tx`) in three versions: async only; the
/// same functions with `#[ambidex::dual]`; and async plus hand-written blocking copies
/// (what the attribute generates). Method: `touch src/lib.rs` then `cargo build -p ..` /
/// `cargo check -p ..` of that crate alone (dependencies built), `CARGO_INCREMENTAL=0`,
/// 7 runs each interleaved, median wall time; rustc 1.95.0, 2-core Xeon VM.
///
/// | functions | build | async only | `#[dual]` | async + hand-written blocking |
/// | --- | --- | --- | --- | --- |
/// | 20 | `cargo build` | 0.84 s | 1.07 s | 1.07 s |
/// | 20 | `cargo check` | 0.46 s | 0.50 s | 0.51 s |
/// | 200 | `cargo build` | 3.09 s | 3.90 s | 3.93 s |
/// | 200 | `cargo check` | 1.47 s | 1.90 s | 1.77 s |
///
/// The cost is that of compiling the twins (about 4 ms per function in a debug build,
/// ~25% on top of async only); the macro itself is within noise of writing the twins by
/// hand (at most ~0.7 ms per function under `cargo check`). With incremental compilation
/// (the default for debug builds) a `touch` rebuild of the 20-function crate took 0.36 s
/// async only and 0.40 s dual.
#[proc_macro_attribute]
pub fn dual(attr: TokenStream, item: TokenStream) -> TokenStream {
    dual::expand(attr.into(), item.into()).into()
}

/// Embeds a migrations folder in the program at compile time: `embed_migrations!("migrations")`
/// (the path is relative to the crate's `Cargo.toml`) is an expression of type
/// `ambidex::migrate::Migrations`, to apply at start-up from either world with
/// `.run(&db)`. Editing a migration's SQL rebuilds the crate; a new migration folder is
/// only seen on the next build of the crate, so add `println!("cargo:rerun-if-changed=migrations")`
/// to a `build.rs` to rebuild when one is added. A malformed folder (a name that is not
/// `<version>_<name>`, an unknown `.sql` file) panics when the expression is evaluated,
/// with a message that says what to rename.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as syn::LitStr);
    embed::expand(input)
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}
