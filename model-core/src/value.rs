//! Bind values: what a query sends next to its SQL text.
//!
//! Values are always bound as parameters, never spliced into SQL. A NULL carries the kind
//! of the column it stands for, because servers that type their parameters (PostgreSQL)
//! need to know it.

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
    /// A calendar date (`chrono::NaiveDate`); see `docs/types.md` for the storage per backend.
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
    /// JSON), in the canonical text form of that kind (see `docs/types.md`). Engines bind it
    /// as text; the statement adds the cast the dialect asks for (`$1::uuid` on
    /// PostgreSQL), and binding refuses text the backends could not store exactly.
    Typed(ValueKind, String),
}

impl Value {
    /// The kind of this value.
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

impl<T: crate::field::SqlField> From<Option<T>> for Value
where
    Option<T>: crate::field::SqlField,
{
    fn from(v: Option<T>) -> Value {
        crate::field::SqlField::to_value(&v)
    }
}
