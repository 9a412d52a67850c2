/work/main/target-fuzz/release/deps/sqlparser_derive-b169a2d42a469e98.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sqlparser_derive-0.3.0/src/lib.rs

/work/main/target-fuzz/release/deps/libsqlparser_derive-b169a2d42a469e98.so: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sqlparser_derive-0.3.0/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sqlparser_derive-0.3.0/src/lib.rs:
