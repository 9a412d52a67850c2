/work/main/target-fuzz/release/deps/ambidex_core-3f1215e6da302faf.d: /work/locks/model-core/src/lib.rs /work/locks/model-core/src/error.rs /work/locks/model-core/src/value/mod.rs /work/locks/model-core/src/value/field.rs /work/locks/model-core/src/value/key.rs /work/locks/model-core/src/value/row.rs /work/locks/model-core/src/value/types/mod.rs /work/locks/model-core/src/value/types/numeric_order.rs /work/locks/model-core/src/value/types/wire.rs /work/locks/model-core/src/query/mod.rs /work/locks/model-core/src/query/aggregate.rs /work/locks/model-core/src/query/ast.rs /work/locks/model-core/src/query/column.rs /work/locks/model-core/src/query/expr.rs /work/locks/model-core/src/query/select.rs /work/locks/model-core/src/engine/mod.rs /work/locks/model-core/src/engine/access.rs /work/locks/model-core/src/engine/backend.rs /work/locks/model-core/src/engine/ready.rs /work/locks/model-core/src/engine/statement.rs /work/locks/model-core/src/engine/tx_options.rs /work/locks/model-core/src/model/mod.rs /work/locks/model-core/src/model/cache.rs /work/locks/model-core/src/model/meta.rs /work/locks/model-core/src/model/requests.rs /work/locks/model-core/src/schema/mod.rs /work/locks/model-core/src/schema/diff.rs /work/locks/model-core/src/schema/names.rs /work/locks/model-core/src/sql/mod.rs /work/locks/model-core/src/sql/ddl.rs /work/locks/model-core/src/sql/dialect/mod.rs /work/locks/model-core/src/sql/dialect/mysql.rs /work/locks/model-core/src/sql/dialect/postgres.rs /work/locks/model-core/src/sql/dialect/replication.rs /work/locks/model-core/src/sql/dialect/sqlite.rs /work/locks/model-core/src/sql/render.rs /work/locks/model-core/src/sql/writer.rs /work/locks/model-core/src/ops/mod.rs /work/locks/model-core/src/ops/exists.rs /work/locks/model-core/src/ops/raw.rs /work/locks/model-core/src/ops/relation.rs /work/locks/model-core/src/ops/retry.rs /work/locks/model-core/src/ops/select.rs /work/locks/model-core/src/ops/select_as.rs /work/locks/model-core/src/ops/stream.rs /work/locks/model-core/src/ops/transaction.rs /work/locks/model-core/src/ops/upsert.rs /work/locks/model-core/src/migrate/mod.rs /work/locks/model-core/src/migrate/history.rs /work/locks/model-core/src/migrate/introspect.rs /work/locks/model-core/src/migrate/run.rs /work/locks/model-core/src/migrate/split.rs /work/locks/model-core/src/routing/mod.rs /work/locks/model-core/src/routing/config.rs /work/locks/model-core/src/routing/position.rs /work/locks/model-core/src/routing/state.rs /work/locks/model-core/src/url.rs

/work/main/target-fuzz/release/deps/libambidex_core-3f1215e6da302faf.rlib: /work/locks/model-core/src/lib.rs /work/locks/model-core/src/error.rs /work/locks/model-core/src/value/mod.rs /work/locks/model-core/src/value/field.rs /work/locks/model-core/src/value/key.rs /work/locks/model-core/src/value/row.rs /work/locks/model-core/src/value/types/mod.rs /work/locks/model-core/src/value/types/numeric_order.rs /work/locks/model-core/src/value/types/wire.rs /work/locks/model-core/src/query/mod.rs /work/locks/model-core/src/query/aggregate.rs /work/locks/model-core/src/query/ast.rs /work/locks/model-core/src/query/column.rs /work/locks/model-core/src/query/expr.rs /work/locks/model-core/src/query/select.rs /work/locks/model-core/src/engine/mod.rs /work/locks/model-core/src/engine/access.rs /work/locks/model-core/src/engine/backend.rs /work/locks/model-core/src/engine/ready.rs /work/locks/model-core/src/engine/statement.rs /work/locks/model-core/src/engine/tx_options.rs /work/locks/model-core/src/model/mod.rs /work/locks/model-core/src/model/cache.rs /work/locks/model-core/src/model/meta.rs /work/locks/model-core/src/model/requests.rs /work/locks/model-core/src/schema/mod.rs /work/locks/model-core/src/schema/diff.rs /work/locks/model-core/src/schema/names.rs /work/locks/model-core/src/sql/mod.rs /work/locks/model-core/src/sql/ddl.rs /work/locks/model-core/src/sql/dialect/mod.rs /work/locks/model-core/src/sql/dialect/mysql.rs /work/locks/model-core/src/sql/dialect/postgres.rs /work/locks/model-core/src/sql/dialect/replication.rs /work/locks/model-core/src/sql/dialect/sqlite.rs /work/locks/model-core/src/sql/render.rs /work/locks/model-core/src/sql/writer.rs /work/locks/model-core/src/ops/mod.rs /work/locks/model-core/src/ops/exists.rs /work/locks/model-core/src/ops/raw.rs /work/locks/model-core/src/ops/relation.rs /work/locks/model-core/src/ops/retry.rs /work/locks/model-core/src/ops/select.rs /work/locks/model-core/src/ops/select_as.rs /work/locks/model-core/src/ops/stream.rs /work/locks/model-core/src/ops/transaction.rs /work/locks/model-core/src/ops/upsert.rs /work/locks/model-core/src/migrate/mod.rs /work/locks/model-core/src/migrate/history.rs /work/locks/model-core/src/migrate/introspect.rs /work/locks/model-core/src/migrate/run.rs /work/locks/model-core/src/migrate/split.rs /work/locks/model-core/src/routing/mod.rs /work/locks/model-core/src/routing/config.rs /work/locks/model-core/src/routing/position.rs /work/locks/model-core/src/routing/state.rs /work/locks/model-core/src/url.rs

/work/main/target-fuzz/release/deps/libambidex_core-3f1215e6da302faf.rmeta: /work/locks/model-core/src/lib.rs /work/locks/model-core/src/error.rs /work/locks/model-core/src/value/mod.rs /work/locks/model-core/src/value/field.rs /work/locks/model-core/src/value/key.rs /work/locks/model-core/src/value/row.rs /work/locks/model-core/src/value/types/mod.rs /work/locks/model-core/src/value/types/numeric_order.rs /work/locks/model-core/src/value/types/wire.rs /work/locks/model-core/src/query/mod.rs /work/locks/model-core/src/query/aggregate.rs /work/locks/model-core/src/query/ast.rs /work/locks/model-core/src/query/column.rs /work/locks/model-core/src/query/expr.rs /work/locks/model-core/src/query/select.rs /work/locks/model-core/src/engine/mod.rs /work/locks/model-core/src/engine/access.rs /work/locks/model-core/src/engine/backend.rs /work/locks/model-core/src/engine/ready.rs /work/locks/model-core/src/engine/statement.rs /work/locks/model-core/src/engine/tx_options.rs /work/locks/model-core/src/model/mod.rs /work/locks/model-core/src/model/cache.rs /work/locks/model-core/src/model/meta.rs /work/locks/model-core/src/model/requests.rs /work/locks/model-core/src/schema/mod.rs /work/locks/model-core/src/schema/diff.rs /work/locks/model-core/src/schema/names.rs /work/locks/model-core/src/sql/mod.rs /work/locks/model-core/src/sql/ddl.rs /work/locks/model-core/src/sql/dialect/mod.rs /work/locks/model-core/src/sql/dialect/mysql.rs /work/locks/model-core/src/sql/dialect/postgres.rs /work/locks/model-core/src/sql/dialect/replication.rs /work/locks/model-core/src/sql/dialect/sqlite.rs /work/locks/model-core/src/sql/render.rs /work/locks/model-core/src/sql/writer.rs /work/locks/model-core/src/ops/mod.rs /work/locks/model-core/src/ops/exists.rs /work/locks/model-core/src/ops/raw.rs /work/locks/model-core/src/ops/relation.rs /work/locks/model-core/src/ops/retry.rs /work/locks/model-core/src/ops/select.rs /work/locks/model-core/src/ops/select_as.rs /work/locks/model-core/src/ops/stream.rs /work/locks/model-core/src/ops/transaction.rs /work/locks/model-core/src/ops/upsert.rs /work/locks/model-core/src/migrate/mod.rs /work/locks/model-core/src/migrate/history.rs /work/locks/model-core/src/migrate/introspect.rs /work/locks/model-core/src/migrate/run.rs /work/locks/model-core/src/migrate/split.rs /work/locks/model-core/src/routing/mod.rs /work/locks/model-core/src/routing/config.rs /work/locks/model-core/src/routing/position.rs /work/locks/model-core/src/routing/state.rs /work/locks/model-core/src/url.rs

/work/locks/model-core/src/lib.rs:
/work/locks/model-core/src/error.rs:
/work/locks/model-core/src/value/mod.rs:
/work/locks/model-core/src/value/field.rs:
/work/locks/model-core/src/value/key.rs:
/work/locks/model-core/src/value/row.rs:
/work/locks/model-core/src/value/types/mod.rs:
/work/locks/model-core/src/value/types/numeric_order.rs:
/work/locks/model-core/src/value/types/wire.rs:
/work/locks/model-core/src/query/mod.rs:
/work/locks/model-core/src/query/aggregate.rs:
/work/locks/model-core/src/query/ast.rs:
/work/locks/model-core/src/query/column.rs:
/work/locks/model-core/src/query/expr.rs:
/work/locks/model-core/src/query/select.rs:
/work/locks/model-core/src/engine/mod.rs:
/work/locks/model-core/src/engine/access.rs:
/work/locks/model-core/src/engine/backend.rs:
/work/locks/model-core/src/engine/ready.rs:
/work/locks/model-core/src/engine/statement.rs:
/work/locks/model-core/src/engine/tx_options.rs:
/work/locks/model-core/src/model/mod.rs:
/work/locks/model-core/src/model/cache.rs:
/work/locks/model-core/src/model/meta.rs:
/work/locks/model-core/src/model/requests.rs:
/work/locks/model-core/src/schema/mod.rs:
/work/locks/model-core/src/schema/diff.rs:
/work/locks/model-core/src/schema/names.rs:
/work/locks/model-core/src/sql/mod.rs:
/work/locks/model-core/src/sql/ddl.rs:
/work/locks/model-core/src/sql/dialect/mod.rs:
/work/locks/model-core/src/sql/dialect/mysql.rs:
/work/locks/model-core/src/sql/dialect/postgres.rs:
/work/locks/model-core/src/sql/dialect/replication.rs:
/work/locks/model-core/src/sql/dialect/sqlite.rs:
/work/locks/model-core/src/sql/render.rs:
/work/locks/model-core/src/sql/writer.rs:
/work/locks/model-core/src/ops/mod.rs:
/work/locks/model-core/src/ops/exists.rs:
/work/locks/model-core/src/ops/raw.rs:
/work/locks/model-core/src/ops/relation.rs:
/work/locks/model-core/src/ops/retry.rs:
/work/locks/model-core/src/ops/select.rs:
/work/locks/model-core/src/ops/select_as.rs:
/work/locks/model-core/src/ops/stream.rs:
/work/locks/model-core/src/ops/transaction.rs:
/work/locks/model-core/src/ops/upsert.rs:
/work/locks/model-core/src/migrate/mod.rs:
/work/locks/model-core/src/migrate/history.rs:
/work/locks/model-core/src/migrate/introspect.rs:
/work/locks/model-core/src/migrate/run.rs:
/work/locks/model-core/src/migrate/split.rs:
/work/locks/model-core/src/routing/mod.rs:
/work/locks/model-core/src/routing/config.rs:
/work/locks/model-core/src/routing/position.rs:
/work/locks/model-core/src/routing/state.rs:
/work/locks/model-core/src/url.rs:
