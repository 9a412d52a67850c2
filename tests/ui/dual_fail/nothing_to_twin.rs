//! An impl block or trait without async fns has nothing to twin.
pub struct Repo;

#[ambidex::dual]
impl Repo {
    pub fn name(&self) -> &'static str {
        "repo"
    }
}

#[ambidex::dual]
pub trait Named {
    fn name(&self) -> &'static str;
}

fn main() {}
