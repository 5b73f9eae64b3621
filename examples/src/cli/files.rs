//! The one way every `gateway` subcommand reads a file named on its command line.
//!
//! [`read`] refuses what is not a regular file (a FIFO would block for ever, `/dev/zero` never
//! ends, a directory is no document), looking at the name before opening it (opening a FIFO
//! blocks) and at the opened file after (the name may have changed in between), then reads at most its limit plus one byte, so a file over
//! its limit is refused after reading no more than that, whatever it claims to hold.
//! Each kind of file has a named limit with its reason; the error names the file and the limit.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use gateway_core::text::Escaped;

/// An API definition: API Gateway's own limit for `ImportRestApi` / `PutRestApi`, 6 MB
/// (Developer Guide, "API Gateway quotas"; [`gateway_core::import::MAX_DOCUMENT_BYTES`]).
pub const MAX_API_FILE_BYTES: usize = gateway_core::import::MAX_DOCUMENT_BYTES;

/// A model (`validate --schema`): a model is part of an API definition, so the definition's
/// 6 MB bounds it.
pub const MAX_SCHEMA_FILE_BYTES: usize = gateway_core::import::MAX_DOCUMENT_BYTES;

/// A request or response body (`--body`, `validate --instance`): API Gateway's 10 MB payload
/// limit ([`gateway_validate::MAX_BODY_BYTES`]).
pub const MAX_BODY_FILE_BYTES: usize = gateway_validate::MAX_BODY_BYTES;

/// A mapping template (`render --template`): the template engine's own limit
/// ([`gateway_mapping::limits::MAX_TEMPLATE_BYTES`]; API Gateway allows 300 KB per template).
pub const MAX_TEMPLATE_FILE_BYTES: usize = gateway_mapping::limits::MAX_TEMPLATE_BYTES;

/// `$context` as JSON (`render --context`): a request's context is a few kilobytes; 1 MiB
/// leaves room for large authorizer contexts.
/// Largest `--config` file ([`gateway_core::config::MAX_CONFIG_BYTES`]).
pub const MAX_CONFIG_FILE_BYTES: usize = gateway_core::config::MAX_CONFIG_BYTES;

pub const MAX_CONTEXT_FILE_BYTES: usize = 1024 * 1024;

/// A policy document (`--policy`, `--resource-policy`, `policy check`): the policy engine's
/// own limit ([`gateway_policy::MAX_POLICY_BYTES`], far above IAM's 6,144-character managed
/// policies and API Gateway's 8 KB resource policies).
pub const MAX_POLICY_FILE_BYTES: usize = gateway_policy::MAX_POLICY_BYTES;

/// A raw HTTP request (`sigv4` request files): a 10 MB body plus 1 MiB of request line and
/// headers.
pub const MAX_REQUEST_FILE_BYTES: usize = gateway_validate::MAX_BODY_BYTES + 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug)]
pub enum FileError {
    /// Opening or reading failed.
    Io {
        /// The file as named.
        path: String,
        /// The system's reason.
        error: std::io::Error,
    },
    /// The name is not a regular file (a directory, FIFO, device, socket).
    NotAFile {
        /// The file as named.
        path: String,
    },
    /// The file holds more than its limit.
    TooLarge {
        /// The file as named.
        path: String,
        /// The limit, in bytes.
        limit: usize,
    },
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Io { path, error } => {
                write!(f, "{}: cannot read: {error}", Escaped(path))
            }
            FileError::NotAFile { path } => write!(
                f,
                "{}: cannot read: not a regular file (a directory, pipe or device)",
                Escaped(path)
            ),
            FileError::TooLarge { path, limit } => write!(
                f,
                "{}: cannot read: larger than the {limit}-byte limit",
                Escaped(path)
            ),
        }
    }
}

/// The file's name for messages (not UTF-8 parts replaced, control characters escaped when
/// printed through [`Escaped`]).
pub fn display_name(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Reads a whole regular file of at most `limit` bytes.
pub fn read(path: &Path, limit: usize) -> Result<Vec<u8>, FileError> {
    let name = || display_name(path);
    let io = |error| FileError::Io {
        path: name(),
        error,
    };
    // Looked at before opening too: opening a FIFO for reading blocks until a writer comes.
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(FileError::NotAFile { path: name() });
    }
    let file = File::open(path).map_err(io)?;
    // The metadata of the file opened, not of the name (which may have changed since).
    let metadata = file.metadata().map_err(io)?;
    if !metadata.is_file() {
        return Err(FileError::NotAFile { path: name() });
    }
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len().min(cap)).unwrap_or(0));
    file.take(cap).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() > limit {
        return Err(FileError::TooLarge {
            path: name(),
            limit,
        });
    }
    Ok(bytes)
}

/// Reads a whole regular file of at most `limit` bytes as UTF-8 text.
pub fn read_text(path: &Path, limit: usize) -> Result<String, String> {
    let bytes = read(path, limit).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| {
        format!(
            "{}: cannot read: not UTF-8 text",
            Escaped(&display_name(path))
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_not_a_file() {
        let e = read(Path::new("."), 10).unwrap_err();
        assert!(matches!(e, FileError::NotAFile { .. }), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_is_refused_without_reading_it_all() {
        // /dev/zero is a character device: refused before reading.
        let e = read(Path::new("/dev/zero"), 10).unwrap_err();
        assert!(matches!(e, FileError::NotAFile { .. }), "{e}");
    }

    #[test]
    fn the_limit_is_exact() {
        let dir = std::env::temp_dir().join(format!("gateway-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("five");
        std::fs::write(&f, b"12345").unwrap();
        assert_eq!(read(&f, 5).unwrap(), b"12345");
        let e = read(&f, 4).unwrap_err();
        assert!(
            e.to_string().ends_with("larger than the 4-byte limit"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
