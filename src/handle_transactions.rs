//! The closure-style transaction methods of the async handles, [`crate::Db`] and
//! [`crate::DieselDb`], written once.
//!
//! Both are inherent methods, with the same signatures and the same body (the handle's
//! `begin` or `begin_with`, then [`ambidex_async::run_transaction`]), differing only in
//! the handle and transaction types their docs and bounds name. A macro, not a generic
//! trait: as trait methods they would need the trait in scope at every call, which would
//! change the public API.

/// Implements `transaction_with` and `transaction` on an async handle whose `begin` and
/// `begin_with` open a `$tx`; `$handle` is the handle's name in `ambidex` (for the docs and
/// the doctest), `$closure_note` the docs' paragraph on the closure.
macro_rules! handle_transactions {
    (handle: $handle:literal, tx: $tx:ty, closure_note: $closure_note:literal $(,)?) => {
        #[doc = concat!(
            "[`", $handle, "::transaction`] with an isolation level or read-only ([`TxOptions`])."
        )]
        pub async fn transaction_with<T, E, F>(&self, options: TxOptions, f: F) -> Result<T, E>
        where
            F: for<'t> FnOnce(&'t mut $tx) -> BoxFuture<'t, Result<T, E>> + Send,
            E: From<Error> + Send,
            T: Send,
        {
            ambidex_async::run_transaction(self.begin_with(options).await?, f).await
        }

        /// Runs `f` in a transaction: commits if it returns `Ok`, rolls back if it returns
        /// `Err` (returning that error even if the rollback fails too), and rolls back if it
        /// panics (the panic then continues) or if this future is dropped before it finishes.
        ///
        #[doc = $closure_note]
        ///
        /// ```
        #[doc = concat!("# async fn demo(db: &ambidex::", $handle, ") -> ambidex::Result<()> {")]
        /// use ambidex::raw;
        /// let moved = db
        ///     .transaction(|tx| {
        ///         Box::pin(async move {
        ///             raw("UPDATE accounts SET balance = balance - 10 WHERE id = 1").execute(&mut *tx).await?;
        ///             raw("UPDATE accounts SET balance = balance + 10 WHERE id = 2").execute(&mut *tx).await?;
        ///             Ok::<_, ambidex::Error>(10)
        ///         })
        ///     })
        ///     .await?;
        /// # let _ = moved; Ok(()) }
        /// ```
        pub async fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
        where
            F: for<'t> FnOnce(&'t mut $tx) -> BoxFuture<'t, Result<T, E>> + Send,
            E: From<Error> + Send,
            T: Send,
        {
            ambidex_async::run_transaction(self.begin().await?, f).await
        }
    };
}
pub(crate) use handle_transactions;
