//! Eager loading sends one query per relation however many rows it loads (no N+1): a
//! connection that counts the statements it is given runs the loaders on 100 authors with
//! 10 posts each and 2 comments per post, and on 2,500 parents (past one `IN` list).
#![cfg(all(feature = "blocking", feature = "sqlite"))]

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use ambidex::prelude::*;
use ambidex_core::{Connection, Dialect, Executed, Executor, Plan, RowSink, Statement, complete};

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "author")]
struct Author {
    #[ambidex(primary_key, auto)]
    id: i64,
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "post")]
struct Post {
    #[ambidex(primary_key, auto)]
    id: i64,
    #[ambidex(belongs_to = Author, index)]
    author_id: i64,
    title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "comment")]
struct Comment {
    #[ambidex(primary_key, auto)]
    id: i64,
    #[ambidex(belongs_to = Post, index)]
    post_id: i64,
    body: String,
}

/// A held blocking connection that counts the statements sent through it.
struct Counting {
    inner: ambidex::blocking::HeldConnection,
    sent: AtomicUsize,
}

impl Counting {
    fn take(&self) -> usize {
        self.sent.swap(0, Ordering::SeqCst)
    }
}

impl Connection for Counting {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }
    fn fetch<S: RowSink>(
        &mut self,
        statement: Statement,
        sink: S,
    ) -> impl Future<Output = ambidex::Result<S>> + Send {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.fetch(statement, sink)
    }
    fn execute(
        &mut self,
        statement: Statement,
    ) -> impl Future<Output = ambidex::Result<Executed>> + Send {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.execute(statement)
    }
    fn transaction_depth(&self) -> u32 {
        self.inner.transaction_depth()
    }
    fn set_transaction_depth(&mut self, depth: u32) {
        self.inner.set_transaction_depth(depth)
    }
}

impl<'e> Executor<'e> for &'e mut Counting {
    type Output<T: Send + 'static> = ambidex::Result<T>;
    fn run<P: Plan + 'e>(self, plan: P) -> ambidex::Result<P::Output> {
        complete(plan.run(self))
    }
}

#[test]
fn nested_eager_loading_is_one_query_per_level() -> ambidex::Result<()> {
    let db = ambidex::blocking::Db::open("sqlite::memory:")?;
    Author::create_table(&db)?;
    Post::create_table(&db)?;
    Comment::create_table(&db)?;
    let authors: Vec<Author> = (0..100)
        .map(|i| Author {
            id: 0,
            name: format!("author {i}"),
        })
        .collect();
    Author::insert_many(&authors, &db)?;
    let authors = Author::query().all(&db)?;
    let posts: Vec<Post> = authors
        .iter()
        .flat_map(|a| {
            (0..10).map(|j| Post {
                id: 0,
                author_id: a.id,
                title: format!("{} post {j}", a.name),
            })
        })
        .collect();
    Post::insert_many(&posts, &db)?;
    let posts = Post::query().all(&db)?;
    let comments: Vec<Comment> = posts
        .iter()
        .flat_map(|p| {
            (0..2).map(|k| Comment {
                id: 0,
                post_id: p.id,
                body: format!("comment {k}"),
            })
        })
        .collect();
    Comment::insert_many(&comments, &db)?;

    let mut conn = Counting {
        inner: db.acquire()?,
        sent: AtomicUsize::new(0),
    };
    let authors = Author::query().all(&mut conn)?;
    assert_eq!(conn.take(), 1);
    let posts = Post::AUTHOR.children_of(&authors, &mut conn)?;
    assert_eq!(conn.take(), 1, "100 authors' posts in one query");
    assert!(posts.iter().all(|p| p.len() == 10));
    let flat: Vec<Post> = posts.into_iter().flatten().collect();
    let comments = Comment::POST.children_of(&flat, &mut conn)?;
    assert_eq!(conn.take(), 1, "1,000 posts' comments in one query");
    assert!(comments.iter().all(|c| c.len() == 2));
    let all_comments: Vec<Comment> = comments.into_iter().flatten().collect();
    let parents = Comment::POST.parents_of(&all_comments, &mut conn)?;
    assert_eq!(conn.take(), 1, "2,000 comments' 1,000 posts in one query");
    assert!(
        parents
            .iter()
            .zip(&all_comments)
            .all(|(p, c)| p.as_ref().map(|p| p.id) == Some(c.post_id))
    );
    let grandparents = Post::AUTHOR.parents_of(&flat, &mut conn)?;
    assert_eq!(conn.take(), 1);
    assert_eq!(grandparents.len(), 1000);
    Ok(())
}

#[test]
fn past_one_in_list_the_queries_grow_per_thousand_keys_not_per_row() -> ambidex::Result<()> {
    let db = ambidex::blocking::Db::open("sqlite::memory:")?;
    Author::create_table(&db)?;
    Post::create_table(&db)?;
    let authors: Vec<Author> = (0..2500)
        .map(|i| Author {
            id: 0,
            name: format!("a{i}"),
        })
        .collect();
    Author::insert_many(&authors, &db)?;
    let authors = Author::query().all(&db)?;
    let mut conn = Counting {
        inner: db.acquire()?,
        sent: AtomicUsize::new(0),
    };
    let posts = Post::AUTHOR.children_of(&authors, &mut conn)?;
    assert_eq!(
        conn.take(),
        3,
        "2,500 keys: three IN lists of at most 1,000"
    );
    assert_eq!(posts.len(), 2500);
    Ok(())
}
