//! Handle swaps: `Db::connect` becomes `blocking::Db::open` (also through the builder),
//! `ambidex::Db`/`ambidex::Tx` paths, and a user's own aliases through `db = A => B`.
//! Also: an attribute on one method, `.await` inside macro arguments, and `Box::pin` of an
//! async block.
use ambidex::{Db, Result};

pub type AppDb = ambidex::Db;
pub type BlockingAppDb = ambidex::blocking::Db;

/// Opens a database and counts nothing in it.
#[ambidex::dual]
pub async fn open_and_probe(url: &str) -> Result<(Db, u64)> {
    let db = Db::connect(url).await?;
    let n = ambidex::raw("CREATE TABLE t (x INTEGER)")
        .execute(&db)
        .await?;
    Ok((db, n))
}

/// Through the builder.
#[ambidex::dual]
pub async fn open_small(url: &str) -> Result<ambidex::Db> {
    ambidex::Db::builder(url).max_connections(1).connect().await
}

/// The user's own alias, named in the attribute.
#[ambidex::dual(db = AppDb => BlockingAppDb)]
pub async fn insert_two(db: &AppDb) -> Result<u64> {
    let mut tx: ambidex::Tx = db.begin().await?;
    let a = ambidex::raw("INSERT INTO t VALUES (1)")
        .execute(&mut tx)
        .await?;
    let b = Box::pin(async {
        ambidex::raw("INSERT INTO t VALUES (2)")
            .execute(&mut tx)
            .await
    })
    .await?;
    tx.commit().await?;
    assert_eq!(
        ambidex::raw("DELETE FROM t WHERE x > 2")
            .execute(db)
            .await?,
        0,
        "{}",
        "none"
    );
    Ok(a + b)
}

pub struct Counter {
    pub table: &'static str,
}

impl Counter {
    /// An attribute on one method of an impl block.
    #[ambidex::dual]
    pub async fn rows(&self, db: &Db) -> Result<u64> {
        let sql = format!("DELETE FROM {} WHERE x < 0", self.table);
        ambidex::raw(sql).execute(db).await
    }
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("x.db").display());
    let (db, n) = open_and_probe_blocking(&url).unwrap();
    assert_eq!(n, 0);
    assert_eq!(insert_two_blocking(&db).unwrap(), 2);
    assert_eq!(Counter { table: "t" }.rows_blocking(&db).unwrap(), 0);
    let _small: ambidex::blocking::Db = open_small_blocking(&url).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("x.db").display());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (db, _) = open_and_probe(&url).await.unwrap();
        assert_eq!(insert_two(&db).await.unwrap(), 2);
        assert_eq!(Counter { table: "t" }.rows(&db).await.unwrap(), 0);
        let _small: ambidex::Db = open_small(&url).await.unwrap();
    });
}
