//! A fn that is not async has nothing to twin.
use ambidex::Result;

#[ambidex::dual]
pub fn answer() -> Result<u64> {
    Ok(42)
}

fn main() {}
