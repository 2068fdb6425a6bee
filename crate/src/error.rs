//! The typed errors every public entry point returns (mirrored as JS error names).

/// What went wrong, in the four kinds the public API promises.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller gave something we cannot work with (empty text, not an image, …).
    #[error("InvalidInput: {0}")]
    InvalidInput(String),
    /// A model file is missing, corrupt, truncated or not what we expected.
    #[error("ModelLoad: {0}")]
    ModelLoad(String),
    /// The caller cancelled the work.
    #[error("Aborted: the operation was cancelled")]
    Aborted,
    /// A valid request this build does not support (an unknown option value, a format, …).
    #[error("Unsupported: {0}")]
    Unsupported(String),
}

impl Error {
    /// The JS-facing error name (`InvalidInput`, `ModelLoad`, `Aborted`, `Unsupported`).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidInput(_) => "InvalidInput",
            Error::ModelLoad(_) => "ModelLoad",
            Error::Aborted => "Aborted",
            Error::Unsupported(_) => "Unsupported",
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
