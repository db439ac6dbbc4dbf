//! How a long run tells its progress, to draw a progress bar.

/// Receives the progress of a build.
pub trait Progress: Send + Sync + std::fmt::Debug {
    /// A stage with `total` steps begins ("Reading articles", "Writing pages").
    fn stage(&self, name: &'static str, total: usize);
    /// `steps` more steps of the current stage are done.
    fn advance(&self, steps: usize);
}

/// Progress that goes nowhere.
#[derive(Debug)]
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &'static str, _: usize) {}
    fn advance(&self, _: usize) {}
}
