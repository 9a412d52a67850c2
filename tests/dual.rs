//! `#[ambidex::dual]`: a small repository layer written once, as async code, whose blocking
//! twins the attribute generates. The async versions run on tokio and the blocking twins
//! directly, each on its own temporary SQLite file, and must give the same results.
//!
//! Covered: free functions (generics, lifetimes, a where clause, early `return`, `?`, a
//! custom error type, recursion through `Box::pin`, an `.await` inside `debug_assert!`,
//! async blocks with and without `?`), an inherent impl (methods calling sibling methods
//! through `self` and `Self::`), a trait with default methods and two impls (one calling a
//! sibling through `self`), a function generic over the trait, the closure form of
//! transactions (with an async block, with a dual call, nested as a savepoint),
//! `transaction_with` and row locks, inner and left joins in a transaction, and
//! `begin`/`commit` on an explicit `Tx`.
#![cfg(all(feature = "blocking", feature = "async"))]

use ambidex::prelude::*;
use ambidex::{Db, Tx};

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "accounts")]
struct Account {
    #[ambidex(primary_key, auto)]
    id: i64,
    #[ambidex(unique)]
    owner: String,
    balance: i64,
}

/// What a bank operation can fail with.
#[derive(Debug)]
enum BankError {
    /// The database failed.
    Db(Error),
    /// Not enough money on `id`.
    Insufficient { id: i64, balance: i64 },
    /// Refused by policy.
    Refused,
}

impl From<Error> for BankError {
    fn from(e: Error) -> Self {
        BankError::Db(e)
    }
}

// ---- free functions ----------------------------------------------------------------------

/// Creates the accounts table.
#[ambidex::dual]
async fn create_schema(db: &Db) -> Result<()> {
    Account::create_table(db).await
}

/// Named like the terminal method it calls: only calls of itself become `count_blocking`.
#[ambidex::dual]
async fn count(db: &Db) -> Result<u64> {
    Account::query().count(db).await
}

/// Opens an account.
#[ambidex::dual]
async fn open_account(db: &Db, owner: &str, balance: i64) -> Result<Account> {
    let row = Account {
        id: 0,
        owner: owner.to_owned(),
        balance,
    }
    .insert(db)
    .await?;
    debug_assert!(Account::find(row.id).exists(db).await?);
    Ok(row)
}

/// Opens one account per owner, recursively; returns how many.
#[ambidex::dual(calls(open_account))]
async fn seed(db: &Db, owners: &[&str], balance: i64) -> Result<u32> {
    let Some((first, rest)) = owners.split_first() else {
        return Ok(0);
    };
    open_account(db, first, balance).await?;
    Ok(1 + Box::pin(seed(db, rest, balance)).await?)
}

/// Moves `amount` from one account to another in one transaction (closure form); refuses
/// an overdraft with an early return, which rolls back.
#[ambidex::dual]
async fn transfer(db: &Db, from: i64, to: i64, amount: i64) -> Result<(i64, i64), BankError> {
    db.transaction(move |tx| {
        Box::pin(async move {
            let mut source = Account::get(from, &mut *tx).await?;
            let mut target = Account::get(to, &mut *tx).await?;
            // Written before the check, so a refusal proves the rollback.
            source.balance -= amount;
            source.update(&mut *tx).await?;
            if source.balance < 0 {
                return Err(BankError::Insufficient {
                    id: from,
                    balance: source.balance + amount,
                });
            }
            target.balance += amount;
            target.update(&mut *tx).await?;
            Ok((source.balance, target.balance))
        })
    })
    .await
}

/// Opens two accounts with an explicit transaction (`begin` / `commit`).
#[ambidex::dual]
async fn open_pair(db: &Db, a: &str, b: &str) -> Result<(Account, Account)> {
    let mut tx = db.begin().await?;
    let first = Account {
        id: 0,
        owner: a.to_owned(),
        balance: 0,
    }
    .insert(&mut tx)
    .await?;
    let second = Account {
        id: 0,
        owner: b.to_owned(),
        balance: 0,
    }
    .insert(&mut tx)
    .await?;
    tx.commit().await?;
    Ok((first, second))
}

/// Opens an account and then fails: the explicit transaction is dropped uncommitted.
#[ambidex::dual]
async fn open_then_fail(db: &Db, owner: &str) -> Result<Account, BankError> {
    let mut tx = db.begin().await?;
    Account {
        id: 0,
        owner: owner.to_owned(),
        balance: 0,
    }
    .insert(&mut tx)
    .await?;
    Err(BankError::Refused)
}

/// Adds `amount` to an account inside the caller's transaction.
#[ambidex::dual]
async fn deposit(tx: &mut Tx, id: i64, amount: i64) -> Result<Account> {
    let mut row = Account::get(id, &mut *tx).await?;
    row.balance += amount;
    row.update(&mut *tx).await?;
    Ok(row)
}

/// One deposit in its own transaction, run again after a serialization failure: the
/// closure hands the transaction to a dual fn, and `ambidex::retry` becomes
/// `ambidex::blocking::retry` in the twin.
#[ambidex::dual(calls(deposit))]
async fn deposit_one(db: &Db, id: i64, amount: i64) -> Result<Account> {
    ambidex::retry(ambidex::Retry::default(), || {
        db.transaction(move |tx| Box::pin(deposit(tx, id, amount)))
    })
    .await
}

/// Doubles a balance with options: `transaction_with` (its closure made blocking as
/// `transaction`'s), a row lock, and an update computed in the statement.
#[ambidex::dual]
async fn double_locked(db: &Db, id: i64) -> Result<i64> {
    let options = ambidex::TxOptions::new().isolation(ambidex::IsolationLevel::Serializable);
    db.transaction_with(options, move |tx| {
        Box::pin(async move {
            let before = Account::find(id).for_update().one(&mut *tx).await?;
            Account::query()
                .filter(Account::ID.eq(id))
                .set(Account::BALANCE, Account::BALANCE * 2)
                .update(&mut *tx)
                .await?;
            let after = Account::get(id, &mut *tx).await?.balance;
            assert_eq!(after, before.balance * 2);
            Ok::<_, Error>(after)
        })
    })
    .await
}

/// Deposits on several accounts in one transaction.
#[ambidex::dual(calls(deposit))]
async fn deposit_all(db: &Db, ids: Vec<i64>, amount: i64) -> Result<Vec<i64>> {
    db.transaction(move |tx| {
        Box::pin(async move {
            let mut balances = Vec::new();
            for id in ids {
                balances.push(deposit(tx, id, amount).await?.balance);
            }
            Ok::<_, Error>(balances)
        })
    })
    .await
}

/// A savepoint inside a transaction: the inner deposit is rolled back, the outer kept.
/// Returns whether the inner part failed, and the balance after.
#[ambidex::dual(calls(deposit))]
async fn bonus_with_savepoint(db: &Db, id: i64) -> Result<(bool, i64), BankError> {
    db.transaction(move |tx| {
        Box::pin(async move {
            deposit(tx, id, 1).await?;
            let inner = tx
                .transaction(move |tx| {
                    Box::pin(async move {
                        deposit(tx, id, 1000).await?;
                        Err::<(), _>(BankError::Refused)
                    })
                })
                .await;
            let balance = Account::get(id, &mut *tx).await?.balance;
            Ok((inner.is_err(), balance))
        })
    })
    .await
}

/// The first of `names` that owns an account: generics, a where clause, a lifetime tying
/// the answer to the input, an early return.
#[ambidex::dual]
async fn first_existing<'a, S>(db: &Db, names: &'a [S]) -> Result<Option<&'a str>>
where
    S: AsRef<str> + Sync,
{
    for name in names {
        let name = name.as_ref();
        if Account::query()
            .filter(Account::OWNER.eq(name))
            .exists(db)
            .await?
        {
            return Ok(Some(name));
        }
    }
    Ok(None)
}

/// Count and total through async blocks: one without `?` (a plain block in the twin), one
/// with `?` (whose `?` must stay inside the block).
#[ambidex::dual]
async fn summary(db: &Db) -> Result<(u64, i64)> {
    let count = async {
        let query = Account::query();
        query.count(db).await
    }
    .await?;
    let total = async {
        let all = Account::query().all(db).await?;
        Ok::<i64, Error>(all.iter().map(|a| a.balance).sum())
    }
    .await?;
    Ok((count, total))
}

// ---- an inherent impl --------------------------------------------------------------------

/// A repository without state.
struct Repo;

#[ambidex::dual]
impl Repo {
    /// The account of `owner`, if any.
    async fn by_owner(&self, db: &Db, owner: &str) -> Result<Option<Account>> {
        Account::query()
            .filter(Account::OWNER.eq(owner))
            .first(db)
            .await
    }

    /// The balance of `owner`; `NotFound` without an account.
    async fn balance_of(&self, db: &Db, owner: &str) -> Result<i64> {
        match self.by_owner(db, owner).await? {
            Some(account) => Ok(account.balance),
            None => Err(Account::META.not_found()),
        }
    }

    /// The `n` richest accounts, richest first.
    async fn richest(db: &Db, n: u64) -> Result<Vec<Account>> {
        Account::query()
            .order_by(Account::BALANCE.desc())
            .order_by(Account::OWNER.asc())
            .limit(n)
            .all(db)
            .await
    }

    /// The owner of the richest account.
    async fn top_owner(&self, db: &Db) -> Result<Option<String>> {
        Ok(Self::richest(db, 1)
            .await?
            .into_iter()
            .next()
            .map(|a| a.owner))
    }

    /// Every account, by id: named like the terminal method it calls.
    async fn all(&self, db: &Db) -> Result<Vec<Account>> {
        Account::query().order_by(Account::ID.asc()).all(db).await
    }

    /// Not async: left alone, no twin.
    fn label(&self) -> &'static str {
        "repo"
    }
}

// ---- a trait and its impls ---------------------------------------------------------------

/// A set of accounts.
#[ambidex::dual]
trait AccountStore {
    /// Not async: copied into the twin trait.
    fn name(&self) -> &'static str;

    /// The accounts of the set, by owner.
    async fn all(&self, db: &Db) -> Result<Vec<Account>>;

    /// The money in the set.
    async fn total(&self, db: &Db) -> Result<i64> {
        let all = self.all(db).await?;
        Ok(all.iter().map(|a| a.balance).sum())
    }
}

/// Every account.
struct Everyone;

#[ambidex::dual]
impl AccountStore for Everyone {
    fn name(&self) -> &'static str {
        "everyone"
    }

    async fn all(&self, db: &Db) -> Result<Vec<Account>> {
        Account::query()
            .order_by(Account::OWNER.asc())
            .all(db)
            .await
    }
}

/// The accounts holding at least `min`.
struct Rich {
    min: i64,
}

#[ambidex::dual]
impl AccountStore for Rich {
    fn name(&self) -> &'static str {
        "rich"
    }

    async fn all(&self, db: &Db) -> Result<Vec<Account>> {
        Account::query()
            .filter(Account::BALANCE.ge(self.min))
            .order_by(Account::OWNER.asc())
            .all(db)
            .await
    }

    async fn total(&self, db: &Db) -> Result<i64> {
        // Sibling calls through `self`, async and not: unambiguous in both impls.
        let name = self.name();
        assert_eq!(name, "rich");
        let rich = self.all(db).await?;
        Ok(rich.iter().map(|a| a.balance).sum())
    }
}

/// Generic over the trait: the twin is generic over the twin trait.
#[ambidex::dual(traits(AccountStore))]
async fn report<S: AccountStore + Sync>(store: &S, db: &Db) -> Result<(String, Vec<String>, i64)> {
    let owners = store.all(db).await?.into_iter().map(|a| a.owner).collect();
    Ok((store.name().to_owned(), owners, store.total(db).await?))
}

// ---- the scenario, itself dual -----------------------------------------------------------

#[derive(Debug, PartialEq)]
struct Outcome {
    doubled: i64,
    seeded: u32,
    pair: (i64, i64),
    transfer: (i64, i64),
    overdraft_refused: bool,
    after_overdraft: i64,
    transfer_missing_is_not_found: bool,
    failed_open_kept: bool,
    deposited: Vec<i64>,
    deposit_one: i64,
    savepoint: (bool, i64),
    first_existing: Option<String>,
    summary: (u64, i64),
    repo_balance: i64,
    repo_missing_is_not_found: bool,
    repo_richest: Vec<String>,
    repo_top: Option<String>,
    repo_label: &'static str,
    repo_all: usize,
    count: u64,
    everyone: (String, Vec<String>, i64),
    rich: (String, Vec<String>, i64),
    rich_total_qualified: i64,
}

#[ambidex::dual(
    calls(
        create_schema,
        seed,
        open_pair,
        transfer,
        open_then_fail,
        double_locked,
        deposit_all,
        deposit_one,
        bonus_with_savepoint,
        first_existing,
        summary,
        by_owner,
        balance_of,
        richest,
        top_owner,
        report,
        count,
        all
    ),
    traits(AccountStore)
)]
async fn scenario(db: &Db) -> Result<Outcome, BankError> {
    create_schema(db).await?;
    let seeded = seed(db, &["ada", "bob", "cy"], 100).await?;
    let (x, y) = open_pair(db, "dee", "eve").await?;
    let moved = transfer(db, 1, 2, 30).await?;
    let overdraft = transfer(db, 3, 2, 500).await;
    let after_overdraft = Account::get(3, db).await?.balance;
    let missing = transfer(db, 99, 1, 1).await;
    let transfer_missing_is_not_found =
        matches!(missing, Err(BankError::Db(Error::NotFound { .. })));
    let failed_open = open_then_fail(db, "fay").await;
    assert!(matches!(failed_open, Err(BankError::Refused)));
    let failed_open_kept = Account::query()
        .filter(Account::OWNER.eq("fay"))
        .exists(db)
        .await?;
    let deposited = deposit_all(db, vec![1, 4], 5).await?;
    let deposit_one = deposit_one(db, 5, 7).await?.balance;
    let savepoint = bonus_with_savepoint(db, 5).await?;
    let names = ["zed".to_owned(), "bob".to_owned(), "ada".to_owned()];
    let first_existing = first_existing(db, &names).await?.map(str::to_owned);
    let summary = summary(db).await?;
    let repo = Repo;
    let repo_balance = repo.balance_of(db, "bob").await?;
    let repo_missing_is_not_found = matches!(
        repo.balance_of(db, "nobody").await,
        Err(Error::NotFound { .. })
    );
    let repo_richest = Repo::richest(db, 2)
        .await?
        .into_iter()
        .map(|a| a.owner)
        .collect();
    let repo_top = repo.top_owner(db).await?;
    assert!(repo.by_owner(db, "ada").await?.is_some());
    let repo_all = repo.all(db).await?.len();
    let count = count(db).await?;
    let doubled = double_locked(db, 4).await?;
    let undone = double_locked(db, 4).await? / 4;
    Account::query()
        .filter(Account::ID.eq(4))
        .set(Account::BALANCE, undone)
        .update(db)
        .await?;
    let everyone = report(&Everyone, db).await?;
    let rich = report(&Rich { min: 100 }, db).await?;
    let rich_total_qualified = AccountStore::total(&Rich { min: 130 }, db).await?;
    Ok(Outcome {
        doubled,
        seeded,
        pair: (x.id, y.id),
        transfer: moved,
        overdraft_refused: matches!(
            overdraft,
            Err(BankError::Insufficient {
                id: 3,
                balance: 100
            })
        ),
        after_overdraft,
        transfer_missing_is_not_found,
        failed_open_kept,
        deposited,
        deposit_one,
        savepoint,
        first_existing,
        summary,
        repo_balance,
        repo_missing_is_not_found,
        repo_richest,
        repo_top,
        repo_label: repo.label(),
        repo_all,
        count,
        everyone,
        rich,
        rich_total_qualified,
    })
}

/// What both worlds must give.
fn expected() -> Outcome {
    let owners = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    Outcome {
        doubled: 10,
        seeded: 3,
        pair: (4, 5),
        transfer: (70, 130),
        overdraft_refused: true,
        after_overdraft: 100,
        transfer_missing_is_not_found: true,
        failed_open_kept: false,
        deposited: vec![75, 5],
        deposit_one: 7,
        savepoint: (true, 8),
        first_existing: Some("bob".into()),
        summary: (5, 75 + 130 + 100 + 5 + 8),
        repo_balance: 130,
        repo_missing_is_not_found: true,
        repo_richest: owners(&["bob", "cy"]),
        repo_top: Some("bob".into()),
        repo_label: "repo",
        repo_all: 5,
        count: 5,
        everyone: (
            "everyone".into(),
            owners(&["ada", "bob", "cy", "dee", "eve"]),
            318,
        ),
        rich: ("rich".into(), owners(&["bob", "cy"]), 230),
        rich_total_qualified: 130,
    }
}

fn temp_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("dual.db").display())
}

#[test]
fn async_and_blocking_twins_agree() {
    let async_dir = tempfile::tempdir().expect("temp dir");
    let blocking_dir = tempfile::tempdir().expect("temp dir");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let from_async = runtime.block_on(async {
        let db = Db::connect(&temp_url(&async_dir)).await.expect("connect");
        // The async versions are unchanged: still `Send` futures, spawnable on tokio.
        tokio::spawn(async move { scenario(&db).await })
            .await
            .expect("task")
    });
    let from_async = from_async.expect("async scenario");

    let db = ambidex::blocking::Db::open(&temp_url(&blocking_dir)).expect("open");
    let from_blocking = scenario_blocking(&db).expect("blocking scenario");

    assert_eq!(from_async, expected());
    assert_eq!(from_blocking, from_async);
}

#[test]
fn blocking_twins_take_blocking_handles() {
    // The twins' signatures name the blocking handles: this only compiles if they do.
    let _: fn(&ambidex::blocking::Db) -> Result<()> = create_schema_blocking;
    let _: fn(&mut ambidex::blocking::Tx, i64, i64) -> Result<Account> = deposit_blocking;
    fn store<S: AccountStoreBlocking>(_: &S) {}
    store(&Everyone);
    store(&Rich { min: 0 });
}

// ---- joins and row locks in a dual function ------------------------------------------------

/// A ledger entry on an account.
#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "entries")]
struct Entry {
    #[ambidex(primary_key, auto)]
    id: i64,
    #[ambidex(belongs_to = Account)]
    account_id: i64,
    amount: i64,
}

/// Each entry's owner and amount, and the owners without an entry.
type Ledger = (Vec<(String, i64)>, Vec<String>);

/// Each entry's owner and amount (an inner join), and the owners without an entry (a left
/// join's anti-join), read in one transaction after locking the entries.
#[ambidex::dual]
async fn ledger(db: &Db) -> Result<Ledger> {
    db.transaction(move |tx| {
        Box::pin(async move {
            let locked = Entry::query().for_update().all(&mut *tx).await?;
            let pairs = Entry::query()
                .join(Entry::ACCOUNT)
                .order_by(Entry::ID.asc())
                .all(&mut *tx)
                .await?;
            assert_eq!(pairs.len(), locked.len());
            let lonely = Account::query()
                .left_join(Entry::ACCOUNT)
                .filter_missing::<Entry, _>()
                .order_by(Account::OWNER.asc())
                .all(&mut *tx)
                .await?;
            Ok::<_, Error>((
                pairs
                    .into_iter()
                    .map(|(entry, account)| (account.owner, entry.amount))
                    .collect(),
                lonely
                    .into_iter()
                    .map(|(account, _)| account.owner)
                    .collect(),
            ))
        })
    })
    .await
}

/// The accounts and entries `ledger` reads.
#[ambidex::dual(calls(open_account))]
async fn seed_ledger(db: &Db) -> Result<()> {
    Account::create_table(db).await?;
    Entry::create_table(db).await?;
    let mut ids = Vec::new();
    for owner in ["ann", "bo", "cy"] {
        ids.push(open_account(db, owner, 0).await?.id);
    }
    for (account, amount) in [(ids[1], 5), (ids[0], 7), (ids[1], -2)] {
        Entry {
            id: 0,
            account_id: account,
            amount,
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

#[test]
fn joins_and_locks_work_in_both_worlds() {
    let expected = (
        vec![
            ("bo".to_string(), 5),
            ("ann".to_string(), 7),
            ("bo".to_string(), -2),
        ],
        vec!["cy".to_string()],
    );
    let async_dir = tempfile::tempdir().expect("temp dir");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let from_async = runtime
        .block_on(async {
            let db = Db::connect(&temp_url(&async_dir)).await?;
            seed_ledger(&db).await?;
            ledger(&db).await
        })
        .expect("async");
    assert_eq!(from_async, expected);

    let blocking_dir = tempfile::tempdir().expect("temp dir");
    let db = ambidex::blocking::Db::open(&temp_url(&blocking_dir)).expect("open");
    seed_ledger_blocking(&db).expect("seed");
    assert_eq!(ledger_blocking(&db).expect("blocking"), expected);
}
