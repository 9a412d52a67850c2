//! Expansions of `#[ambidex::dual]`, compared token for token with what they should be.
//! (What compiles and runs is tested in the facade: `tests/dual.rs` and
//! `tests/compile_fail.rs`.)

use proc_macro2::TokenStream;
use quote::quote;

fn expand(attr: TokenStream, item: TokenStream) -> String {
    super::expand(attr, item).to_string()
}

/// Equal as token strings, ignoring whitespace (`| |` and `||` print differently).
fn same(actual: String, expected: TokenStream) {
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    assert_eq!(squeeze(&actual), squeeze(&expected.to_string()), "{actual}");
}

#[test]
fn free_fn_gets_a_documented_blocking_twin() {
    same(
        expand(
            quote!(),
            quote! {
                /// Counts.
                pub(crate) async fn count<'a, T: Sync>(db: &'a Db, _t: T) -> Result<u64> where T: Send {
                    User::query().count(db).await
                }
            },
        ),
        quote! {
            /// Counts.
            pub(crate) async fn count<'a, T: Sync>(db: &'a Db, _t: T) -> Result<u64> where T: Send {
                User::query().count(db).await
            }
            /// Counts.
            #[doc = ""]
            #[doc = " Blocking twin of [`count`]."]
            pub(crate) fn count_blocking<'a, T: Sync>(db: &'a ::ambidex::blocking::Db, _t: T) -> Result<u64> where T: Send {
                User::query().count(db)
            }
        },
    );
}

#[test]
fn transaction_closures_and_async_blocks() {
    let out = expand(
        quote!(calls(helper)),
        quote! {
            async fn f(db: &ambidex::Db) -> Result<u64> {
                let a = db.transaction(|tx| Box::pin(async move { helper(tx).await })).await?;
                let b = db.transaction(move |tx| { Box::pin(helper(tx)) }).await?;
                let e = db.transaction_with(opts, |tx| Box::pin(async move { helper(tx).await })).await?;
                let c = async { 1 }.await;
                let d = async move { g().await?; Ok::<_, Error>(2) }.await?;
                Ok(a + b + c + d)
            }
        },
    );
    same(
        out.split_once("fn f_blocking").unwrap().1.to_owned(),
        quote! {
            (db: &::ambidex::blocking::Db) -> Result<u64> {
                let a = db.transaction(|tx| { helper_blocking(tx) })?;
                let b = db.transaction(move |tx| helper_blocking(tx))?;
                let e = db.transaction_with(opts, |tx| { helper_blocking(tx) })?;
                let c = { 1 };
                let d = (move || { ::ambidex::__private::awaited_in_twin(g())?; Ok::<_, Error>(2) })()?;
                Ok(a + b + c + d)
            }
        },
    );
    assert!(out.contains("allow (clippy :: redundant_closure_call)"));
}

#[test]
fn handles_connect_and_user_swaps() {
    let out = expand(
        quote!(db = my::Pool => my::BlockingPool),
        quote! {
            async fn f(url: &str, pool: &my::Pool) -> Result<(Db, ambidex::Db, Tx)> {
                let a = Db::connect(url).await?;
                let b = ambidex::Db::builder(url).max_connections(2).connect().await?;
                let tx: Tx = pool.begin().await?;
                Ok((a, b, tx))
            }
        },
    );
    same(
        out.split_once("fn f_blocking").unwrap().1.to_owned(),
        quote! {
            (url: &str, pool: &my::BlockingPool) -> Result<(::ambidex::blocking::Db, ::ambidex::blocking::Db, ::ambidex::blocking::Tx)> {
                let a = ::ambidex::__private::awaited_in_twin(::ambidex::blocking::Db::open(url))?;
                let b = ::ambidex::blocking::Db::builder(url).max_connections(2).open()?;
                let tx: ::ambidex::blocking::Tx = pool.begin()?;
                Ok((a, b, tx))
            }
        },
    );
}

#[test]
fn typed_handles_swap_too() {
    let out = expand(
        quote!(),
        quote! {
            async fn f(url: &str) -> Result<(ambidex::SqliteDb, PgTx)> { todo!() }
        },
    );
    assert!(
        out.contains(
            &quote!((::ambidex::blocking::SqliteDb, ::ambidex::blocking::PgTx)).to_string()
        )
    );
    let out = expand(
        quote!(),
        quote!(
            async fn f(u: &str) {
                SqliteDb::connect(u).await;
            }
        ),
    );
    assert!(
        out.contains(
            &quote!(::ambidex::__private::awaited_in_twin(::ambidex::blocking::SqliteDb::open(u));)
                .to_string()
        )
    );
}

#[test]
fn inherent_siblings_and_macro_arguments() {
    let out = expand(
        quote!(),
        quote! {
            impl Repo {
                async fn one(&self, db: &Db) -> Result<u64> { Ok(1) }
                async fn two(&self, db: &Db) -> Result<u64> {
                    assert_eq!(self.one(db).await?, Self::one(self, db).await?);
                    Ok(2)
                }
                fn three(&self) -> u64 { 3 }
            }
        },
    );
    assert!(out.contains("fn one_blocking"));
    assert!(out.contains(
        &quote!(assert_eq!(self.one_blocking(db)?, Self::one_blocking(self, db)?);).to_string()
    ));
    assert!(!out.contains("three_blocking"));
}

#[test]
fn trait_and_impl_twins() {
    let out = expand(
        quote!(),
        quote! {
            pub trait Repo: Send {
                fn name(&self) -> &str;
                async fn all(&self, db: &Db) -> Result<u64>;
                async fn twice(&self, db: &Db) -> Result<u64> { Ok(self.all(db).await? * 2) }
            }
        },
    );
    assert!(out.contains(&quote!(pub trait RepoBlocking: Send).to_string()));
    assert!(
        out.contains(
            &quote!(
                fn twice(&self, db: &::ambidex::blocking::Db) -> Result<u64> {
                    Ok(self.all(db)? * 2)
                }
            )
            .to_string()
        )
    );

    let out = expand(
        quote!(),
        quote! {
            impl repo::Repo for X {
                fn name(&self) -> &str { "x" }
                async fn all(&self, db: &Db) -> Result<u64> { assert!(!self.name().is_empty()); Ok(1) }
                async fn twice(&self, db: &Db) -> Result<u64> { Ok(self.all(db).await? + Self::all(self, db).await?) }
            }
        },
    );
    assert!(out.contains(&quote!(impl repo::RepoBlocking for X).to_string()));
    // Both impls qualify their sibling calls, each with its own trait.
    for path in [quote!(repo::Repo), quote!(repo::RepoBlocking)] {
        assert!(
            out.contains(&quote!(assert!(!<Self as #path>::name(self).is_empty())).to_string())
        );
        assert!(out.contains(&quote!(<Self as #path>::all(self, db)).to_string()));
    }
}

#[test]
fn errors_keep_the_async_item_and_stub_the_twin() {
    let out = expand(
        quote!(),
        quote! {
            async fn f(db: &Db) -> Result<u64> {
                let fut = g(db);
                fut.await
            }
        },
    );
    assert!(out.contains("async fn f"));
    assert!(out.contains("fn f_blocking"));
    assert!(out.contains("unreachable"));
    assert!(out.contains("compile_error"));
    assert!(out.contains("stored future"));
}

#[test]
fn refusals() {
    let cases: &[(TokenStream, &str)] = &[
        (
            quote!(
                fn f() {}
            ),
            "nothing to twin",
        ),
        (
            quote!(
                async fn f(&self);
            ),
            "on the whole trait",
        ),
        (
            quote!(
                struct S;
            ),
            "applies to an `async fn`",
        ),
        (
            quote!(
                fn f() -> impl Future<Output = ()> {
                    async {}
                }
            ),
            "impl Future",
        ),
        (
            quote!(
                async fn f() {
                    tokio::spawn(g());
                }
            ),
            "tokio::spawn",
        ),
        (
            quote!(
                async fn f() {
                    spawn(g());
                }
            ),
            "`spawn` cannot be made blocking",
        ),
        (
            quote!(
                async fn f() {
                    futures::join!(a(), b());
                }
            ),
            "concurrently",
        ),
        (
            quote!(
                async fn f() {
                    select! { _ = a() => {} }
                }
            ),
            "races futures",
        ),
        (
            quote!(
                async fn f() {
                    sleep(d).await;
                }
            ),
            "async timer",
        ),
        (
            quote!(
                async fn f() {
                    let c = async move |x| x;
                }
            ),
            "async closure",
        ),
        (
            quote!(
                async fn f() {
                    self.fut.await;
                }
            ),
            "stored future",
        ),
        (
            quote!(
                async fn f() {
                    (if a { b() } else { c() }).await;
                }
            ),
            "only a call",
        ),
        (
            quote!(
                async fn f() {
                    m!(x => f().await);
                }
            ),
            "cannot remove this `.await`",
        ),
        (
            quote!(
                async fn f() {
                    m!(x.await);
                }
            ),
            "stored future",
        ),
        (
            quote!(
                #[tokio::test]
                async fn f() {}
            ),
            "tokio::",
        ),
    ];
    for (item, message) in cases {
        let out = expand(quote!(), item.clone());
        assert!(out.contains(message), "{item}: {out}");
    }
    // std's thread spawn and sleep are plain blocking calls.
    let out = expand(
        quote!(),
        quote!(
            async fn f() {
                std::thread::spawn(|| ());
                std::thread::sleep(d);
            }
        ),
    );
    assert!(!out.contains("compile_error"), "{out}");
    let out = expand(
        quote!(nope),
        quote!(
            async fn f() {}
        ),
    );
    assert!(out.contains("unknown `#[ambidex::dual]` argument"));
}
