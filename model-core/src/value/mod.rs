//! The bottom layer: what a Rust value is on the wire, both ways.
//!
//! - this file: bind values ([`Value`], [`ValueKind`], [`Array`], [`DefaultValue`]), what
//!   a query sends next to its SQL text. Values are always bound as parameters, never
//!   spliced into SQL. A NULL carries the kind of the column it stands for, because servers
//!   that type their parameters (PostgreSQL) need to know it;
//! - `row.rs`: [`Cell`](row::Cell) and [`RowReader`](row::RowReader), what a backend
//!   stored and how an engine hands a row over;
//! - `field.rs`: [`SqlField`](field::SqlField), which Rust types are which kinds, and
//!   decoding a cell into a field (range and NULL checks, once);
//! - `key.rs`: primary keys, one column or a tuple;
//! - `types/`: the rich field types behind features (chrono, uuid, json, decimal).
//!
//! It imports nothing of ambidex but `crate::error`, which sits beside it.

pub mod field;
pub mod key;
pub mod row;
pub mod types;

/// The storage kinds ambidex maps Rust types onto; each dialect names the column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueKind {
    /// `bool`
    Bool,
    /// `i16`
    I16,
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `String`
    Text,
    /// `Vec<u8>`
    Blob,
    /// A calendar date (`chrono::NaiveDate`); see `docs/guide/types.md` for the storage per backend.
    Date,
    /// A date and time without a time zone (`chrono::NaiveDateTime`), to the microsecond.
    DateTime,
    /// An instant in UTC (`chrono::DateTime<Utc>`), to the microsecond.
    Timestamp,
    /// A time of day without a date or time zone (`chrono::NaiveTime`), to the microsecond.
    Time,
    /// A UUID (`uuid::Uuid`).
    Uuid,
    /// An exact decimal (`rust_decimal::Decimal`).
    Decimal,
    /// A JSON document (`serde_json::Value`, `ambidex::Json<T>`).
    Json,
}

impl ValueKind {
    /// Every kind. The order is each kind's byte in a page cursor (`ops/page.rs`): append
    /// new kinds, never reorder (cursors outlive deployments).
    pub const ALL: [ValueKind; 15] = [
        ValueKind::Bool,
        ValueKind::I16,
        ValueKind::I32,
        ValueKind::I64,
        ValueKind::F32,
        ValueKind::F64,
        ValueKind::Text,
        ValueKind::Blob,
        ValueKind::Date,
        ValueKind::DateTime,
        ValueKind::Timestamp,
        ValueKind::Time,
        ValueKind::Uuid,
        ValueKind::Decimal,
        ValueKind::Json,
    ];

    /// The Rust type this kind holds, for messages.
    pub fn rust_name(self) -> &'static str {
        match self {
            ValueKind::Bool => "bool",
            ValueKind::I16 => "i16",
            ValueKind::I32 => "i32",
            ValueKind::I64 => "i64",
            ValueKind::F32 => "f32",
            ValueKind::F64 => "f64",
            ValueKind::Text => "String",
            ValueKind::Blob => "Vec<u8>",
            ValueKind::Date => "NaiveDate",
            ValueKind::DateTime => "NaiveDateTime",
            ValueKind::Timestamp => "DateTime<Utc>",
            ValueKind::Time => "NaiveTime",
            ValueKind::Uuid => "Uuid",
            ValueKind::Decimal => "Decimal",
            ValueKind::Json => "JSON",
        }
    }

    /// Whether values of this kind travel as [`Value::Typed`] text (dates, UUIDs, decimals,
    /// JSON): engines bind them as text and the dialect adds the cast its backend needs.
    pub fn is_typed_text(self) -> bool {
        matches!(
            self,
            ValueKind::Date
                | ValueKind::DateTime
                | ValueKind::Timestamp
                | ValueKind::Time
                | ValueKind::Uuid
                | ValueKind::Decimal
                | ValueKind::Json
        )
    }

    /// Whether the kind is an integer.
    pub fn is_integer(self) -> bool {
        matches!(self, ValueKind::I16 | ValueKind::I32 | ValueKind::I64)
    }
}

/// One bound parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL, typed by the column it stands for.
    Null(ValueKind),
    /// A boolean.
    Bool(bool),
    /// A 16-bit integer.
    I16(i16),
    /// A 32-bit integer.
    I32(i32),
    /// A 64-bit integer.
    I64(i64),
    /// A 32-bit float.
    F32(f32),
    /// A 64-bit float.
    F64(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
    /// A value of a kind with no variant of its own (dates and times, UUIDs, decimals,
    /// JSON), in the canonical text form of that kind (see `docs/guide/types.md`). Engines bind it
    /// as text; the statement adds the cast the dialect asks for (`$1::uuid` on
    /// PostgreSQL), and binding refuses text the backends could not store exactly.
    Typed(ValueKind, String),
    /// A list bound as one array parameter: what an `IN` list becomes where the dialect
    /// compares with `= ANY($1)` ([`crate::sql::dialect::SqlDialect::array_placeholder`]).
    Array(Array),
}

/// A list of values of one kind, bound as one array parameter (PostgreSQL's `= ANY($1)`).
///
/// One vector per kind, so that a list can never mix kinds or nest, and engines hand each
/// vector to their driver as it is; `None` is a NULL element.
#[derive(Debug, Clone, PartialEq)]
pub enum Array {
    /// `bool` elements.
    Bool(Vec<Option<bool>>),
    /// `i16` elements.
    I16(Vec<Option<i16>>),
    /// `i32` elements.
    I32(Vec<Option<i32>>),
    /// `i64` elements.
    I64(Vec<Option<i64>>),
    /// `f32` elements.
    F32(Vec<Option<f32>>),
    /// `f64` elements.
    F64(Vec<Option<f64>>),
    /// Text elements.
    Text(Vec<Option<String>>),
    /// Byte-string elements.
    Blob(Vec<Option<Vec<u8>>>),
    /// Elements of a kind bound as canonical text ([`Value::Typed`]); the statement casts
    /// the array to the kind's array type (`$1::uuid[]`).
    Typed(ValueKind, Vec<Option<String>>),
}

impl Array {
    /// The kind shared by every value of `values`, NULLs included (a NULL carries its
    /// column's kind); `None` when the list is empty, mixes kinds or holds an array.
    pub fn common_kind(values: &[Value]) -> Option<ValueKind> {
        let (first, rest) = values.split_first()?;
        if matches!(first, Value::Array(_)) {
            return None;
        }
        let kind = first.kind();
        rest.iter()
            .all(|v| !matches!(v, Value::Array(_)) && v.kind() == kind)
            .then_some(kind)
    }

    /// The values of `values` as one array, or `None` when they do not share one kind
    /// ([`Array::common_kind`]).
    pub fn from_values(values: &[Value]) -> Option<Array> {
        Array::common_kind(values).map(|kind| Array::of_kind(kind, values))
    }

    /// `values`, all of `kind` ([`Array::common_kind`] said so), as one array.
    pub(crate) fn of_kind(kind: ValueKind, values: &[Value]) -> Array {
        // Each arm keeps the values of its variant; `common_kind` made every other value
        // a NULL of the same kind.
        macro_rules! collect {
            ($variant:ident) => {
                Array::$variant(
                    values
                        .iter()
                        .map(|v| match v {
                            Value::$variant(x) => Some(x.clone()),
                            _ => None,
                        })
                        .collect(),
                )
            };
        }
        match kind {
            ValueKind::Bool => collect!(Bool),
            ValueKind::I16 => collect!(I16),
            ValueKind::I32 => collect!(I32),
            ValueKind::I64 => collect!(I64),
            ValueKind::F32 => collect!(F32),
            ValueKind::F64 => collect!(F64),
            ValueKind::Text => collect!(Text),
            ValueKind::Blob => collect!(Blob),
            typed => Array::Typed(
                typed,
                values
                    .iter()
                    .map(|v| match v {
                        Value::Typed(_, text) => Some(text.clone()),
                        _ => None,
                    })
                    .collect(),
            ),
        }
    }

    /// The kind of the elements.
    pub fn kind(&self) -> ValueKind {
        match self {
            Array::Bool(_) => ValueKind::Bool,
            Array::I16(_) => ValueKind::I16,
            Array::I32(_) => ValueKind::I32,
            Array::I64(_) => ValueKind::I64,
            Array::F32(_) => ValueKind::F32,
            Array::F64(_) => ValueKind::F64,
            Array::Text(_) => ValueKind::Text,
            Array::Blob(_) => ValueKind::Blob,
            Array::Typed(kind, _) => *kind,
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            Array::Bool(v) => v.len(),
            Array::I16(v) => v.len(),
            Array::I32(v) => v.len(),
            Array::I64(v) => v.len(),
            Array::F32(v) => v.len(),
            Array::F64(v) => v.len(),
            Array::Text(v) | Array::Typed(_, v) => v.len(),
            Array::Blob(v) => v.len(),
        }
    }

    /// Whether the array has no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Value {
    /// The kind of this value (of its elements, for an [`Value::Array`]).
    pub fn kind(&self) -> ValueKind {
        match self {
            Value::Null(k) => *k,
            Value::Bool(_) => ValueKind::Bool,
            Value::I16(_) => ValueKind::I16,
            Value::I32(_) => ValueKind::I32,
            Value::I64(_) => ValueKind::I64,
            Value::F32(_) => ValueKind::F32,
            Value::F64(_) => ValueKind::F64,
            Value::Text(_) => ValueKind::Text,
            Value::Blob(_) => ValueKind::Blob,
            Value::Typed(kind, _) => *kind,
            Value::Array(array) => array.kind(),
        }
    }
}

/// A column default, as written in the model; the dialect renders it as a literal in DDL.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    /// `default = true`
    Bool(bool),
    /// `default = 42`
    Int(i64),
    /// `default = 1.5`
    Float(f64),
    /// `default = "text"`
    Text(&'static str),
}

macro_rules! value_from {
    ($($t:ty => $variant:ident),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value { Value::$variant(v) }
        }
    )*};
}
value_from!(bool => Bool, i16 => I16, i32 => I32, i64 => I64, f32 => F32, f64 => F64,
    String => Text, Vec<u8> => Blob);

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_owned())
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Value {
        Value::Blob(v.to_vec())
    }
}

impl<T: crate::value::field::SqlField> From<Option<T>> for Value
where
    Option<T>: crate::value::field::SqlField,
{
    fn from(v: Option<T>) -> Value {
        crate::value::field::SqlField::to_value(&v)
    }
}
