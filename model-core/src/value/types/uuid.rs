//! `uuid::Uuid` (feature `uuid`): native `uuid` on PostgreSQL, its 36-character lowercase
//! hyphenated text elsewhere.

use uuid::Uuid;

use super::decode::{not_a, text_of, typed_field};
use crate::error::DecodeProblem;
use crate::value::row::Cell;

fn uuid_text(u: &Uuid) -> String {
    u.hyphenated().to_string()
}

fn parse_uuid(cell: &Cell<'_>) -> Result<Uuid, DecodeProblem> {
    match cell {
        // The 16 bytes themselves (a BINARY(16) or BLOB column of an existing schema).
        Cell::Blob(b) if b.len() == 16 => Uuid::from_slice(b).map_err(|e| not_a(cell, e)),
        _ => {
            let text = text_of(cell).ok_or_else(|| not_a(cell, "expected a UUID"))?;
            Uuid::parse_str(text).map_err(|e| not_a(cell, e))
        }
    }
}

typed_field!(Uuid, Uuid, "Uuid", uuid_text, parse_uuid);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::field::SqlField;
    use std::borrow::Cow;

    #[test]
    fn text_and_bytes_decode() {
        let u = Uuid::from_u128(0x67e5_5044_10b1_426f_9247_bb68_0e5f_e0c8);
        let text = "67e55044-10b1-426f-9247-bb680e5fe0c8";
        assert_eq!(Uuid::from_cell(Cell::Text(Cow::Borrowed(text))), Ok(u));
        assert_eq!(
            Uuid::from_cell(Cell::Blob(Cow::Borrowed(text.as_bytes()))),
            Ok(u)
        );
        assert_eq!(
            Uuid::from_cell(Cell::Blob(Cow::Borrowed(u.as_bytes()))),
            Ok(u)
        );
        assert!(Uuid::from_cell(Cell::Text(Cow::Borrowed("not-a-uuid"))).is_err());
        assert!(Uuid::from_cell(Cell::Int(1)).is_err());
    }
}
