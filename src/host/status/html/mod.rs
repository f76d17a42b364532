//! The HTML pages, rendered on the server: the fleet (`/`) and one runner (`/runner`). No
//! JavaScript; everything that comes from GitHub or the store goes through [`escape`].

mod layout;
mod page;
mod runner;

pub use layout::escape;
pub use page::fleet;
pub use runner::{not_found, runner};
