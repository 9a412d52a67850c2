//! SeaORM entities for the benchmark's tables (`ambidex_benches::models` creates and seeds
//! them), in SeaORM's compact entity format: `DeriveEntityModel` on the `Model`, a
//! `DeriveRelation` enum and `Related` impls for the relations (what `sea-orm-cli generate
//! entity` writes for the compact format).
//!
//! One text for both SeaORM contenders: `benches/peers/sea_orm.rs` (async `sea-orm`) and
//! `benches/sea-orm-sync/src/main.rs` (`sea-orm-sync`) include this file with `#[path]`.
//! Both packages are imported under the crate name `sea_orm`, so the same derives expand
//! against whichever crate the including binary links.
//!
//! Why not SeaORM 2's dense format (`#[sea_orm::model]`, `HasMany<..>` fields): its derives
//! also generate an entity loader and nested active models whose methods are `async` or not
//! according to a feature of the one `sea-orm-macros` crate both SeaORMs share. The
//! sea-orm-sync binary links `ambidex-benches`, hence the async `sea-orm`, so cargo unifies
//! that feature on and dense entities fail to compile against sea-orm-sync. The compact
//! format generates nothing async, so it works with both (and is the format most SeaORM
//! code and documentation uses).

/// `bench_items`: the 10,000-row table most workloads use.
pub mod item {
    use sea_orm::entity::prelude::*;

    /// A row of `bench_items`.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "bench_items")]
    pub struct Model {
        /// The key (auto-increment).
        #[sea_orm(primary_key)]
        pub id: i64,
        /// `item N`.
        pub name: String,
        /// `N % 100`.
        pub qty: i32,
        /// `N / 3`.
        pub price: f64,
    }

    /// The relations of `bench_items`.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `bench_authors`: the parents of the eager load.
pub mod author {
    use sea_orm::entity::prelude::*;

    /// A row of `bench_authors`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bench_authors")]
    pub struct Model {
        /// The key.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// `author N`.
        pub name: String,
    }

    /// The relations of `bench_authors`.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        /// The author's books (1-N).
        #[sea_orm(has_many = "super::book::Entity")]
        Book,
    }

    impl Related<super::book::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Book.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `bench_books`: the children of the eager load, ten per author.
pub mod book {
    use sea_orm::entity::prelude::*;

    /// A row of `bench_books`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bench_books")]
    pub struct Model {
        /// The key.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The parent's key.
        pub author_id: i64,
        /// `book N`.
        pub title: String,
    }

    /// The relations of `bench_books`.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        /// The book's author (N-1).
        #[sea_orm(
            belongs_to = "super::author::Entity",
            from = "Column::AuthorId",
            to = "super::author::Column::Id",
            on_delete = "Cascade"
        )]
        Author,
    }

    impl Related<super::author::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Author.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// `bench_stream`: the large table the streaming workload reads (the shape of
/// [`item`]).
pub mod stream_row {
    use sea_orm::entity::prelude::*;

    /// A row of `bench_stream`.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "bench_stream")]
    pub struct Model {
        /// The key.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// `item N`.
        pub name: String,
        /// `N % 100`.
        pub qty: i32,
        /// `N / 3`.
        pub price: f64,
    }

    /// The relations of `bench_stream`.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
