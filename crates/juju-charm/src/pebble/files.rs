//! Files in the container: push, pull, list, make a directory, remove (canonical/pebble
//! `client/files.go`; the server side is `internals/daemon/api_files.go`).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::transport::Request;
use super::websocket::random_bytes;
use super::{Client, Envelope, ErrorResult, PebbleError, decode, encoded_body, refusal, wire};
use crate::secret::SecretString;

/// Who owns what a push or a make-dir creates, and its permission bits.
#[derive(Clone, Default, PartialEq, Eq)]
struct Attributes {
    permissions: Option<u32>,
    user_id: Option<u32>,
    user: Option<String>,
    group_id: Option<u32>,
    group: Option<String>,
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attributes")
            .field("permissions", &self.permissions.map(|p| format!("{p:03o}")))
            .field("user_id", &self.user_id)
            .field("user", &self.user)
            .field("group_id", &self.group_id)
            .field("group", &self.group)
            .finish()
    }
}

impl Attributes {
    /// The permission bits as Go's `fmt.Sprintf("%03o", mode)` writes them, empty when unset
    /// (Pebble's default: 0644 for files, 0755 for directories).
    fn permissions(&self) -> String {
        self.permissions.map(|p| format!("{p:03o}")).unwrap_or_default()
    }
}

macro_rules! attribute_setters {
    ($type:ty) => {
        impl $type {
            /// Sets the permission bits (`0o600`); Pebble's default is 0644 for a file, 0755
            /// for a directory.
            #[must_use]
            pub fn permissions(mut self, mode: u32) -> Self {
                self.attributes.permissions = Some(mode);
                self
            }

            /// Sets the owner by user ID.
            #[must_use]
            pub fn user_id(mut self, uid: u32) -> Self {
                self.attributes.user_id = Some(uid);
                self
            }

            /// Sets the owner by user name (which must match the user ID when both are set).
            #[must_use]
            pub fn user(mut self, name: impl Into<String>) -> Self {
                self.attributes.user = Some(name.into());
                self
            }

            /// Sets the group by ID.
            #[must_use]
            pub fn group_id(mut self, gid: u32) -> Self {
                self.attributes.group_id = Some(gid);
                self
            }

            /// Sets the group by name (which must match the group ID when both are set).
            #[must_use]
            pub fn group(mut self, name: impl Into<String>) -> Self {
                self.attributes.group = Some(name.into());
                self
            }
        }
    };
}

/// How [`Client::push`] writes a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushOptions {
    make_dirs: bool,
    attributes: Attributes,
}

impl PushOptions {
    /// Pebble's defaults: mode 0644, owned by Pebble's user, parent directory must exist.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether to create missing parent directories (mode 0755, same owner as the file).
    #[must_use]
    pub fn make_dirs(mut self, make_dirs: bool) -> Self {
        self.make_dirs = make_dirs;
        self
    }
}

attribute_setters!(PushOptions);

/// How [`Client::make_dir`] makes a directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MakeDirOptions {
    make_parents: bool,
    attributes: Attributes,
}

impl MakeDirOptions {
    /// Pebble's defaults: mode 0755, the parent must exist.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether to create missing parents too (and not fail if the directory exists).
    #[must_use]
    pub fn make_parents(mut self, make_parents: bool) -> Self {
        self.make_parents = make_parents;
        self
    }
}

attribute_setters!(MakeDirOptions);

/// What [`Client::list_files`] lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilesOptions {
    pattern: Option<String>,
    itself: bool,
}

impl ListFilesOptions {
    /// Every entry of the directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only the entries whose names match the glob `pattern` (`*.conf`, `[a-z]*`).
    #[must_use]
    pub fn pattern(mut self, pattern: impl Into<String>) -> Self {
        self.pattern = Some(pattern.into());
        self
    }

    /// The directory itself rather than its entries.
    #[must_use]
    pub fn itself(mut self, itself: bool) -> Self {
        self.itself = itself;
        self
    }
}

/// The type of a file system entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileType {
    /// `file`: a regular file.
    File,
    /// `directory`.
    Directory,
    /// `symlink`.
    Symlink,
    /// `socket`.
    Socket,
    /// `named-pipe`.
    NamedPipe,
    /// `device`.
    Device,
    /// Anything else Pebble reports (Go's `os.ModeIrregular`).
    Unknown,
}

impl FileType {
    pub(crate) fn from_api(name: &str) -> Self {
        match name {
            "file" => Self::File,
            "directory" => Self::Directory,
            "symlink" => Self::Symlink,
            "socket" => Self::Socket,
            "named-pipe" => Self::NamedPipe,
            "device" => Self::Device,
            _ => Self::Unknown,
        }
    }
}

/// One entry of [`Client::list_files`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileInfo {
    /// Its absolute path.
    pub path: String,
    /// Its name.
    pub name: String,
    /// Its type.
    pub file_type: FileType,
    /// Its size in bytes (0 when Pebble gives none, as for directories).
    pub size: u64,
    /// Its permission bits (`0o644`).
    pub permissions: u32,
    /// When it was last modified (RFC 3339).
    pub last_modified: String,
    /// Its owner's ID.
    pub user_id: Option<u32>,
    /// Its owner's name.
    pub user: Option<String>,
    /// Its group's ID.
    pub group_id: Option<u32>,
    /// Its group's name.
    pub group: Option<String>,
}

impl FileInfo {
    /// Whether it is a directory.
    pub fn is_dir(&self) -> bool {
        self.file_type == FileType::Directory
    }
}

/// One entry as the API gives it (Go's `fileInfoResult`).
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawFileInfo {
    #[serde(default)]
    path: String,
    #[serde(default)]
    name: String,
    #[serde(default, rename = "type")]
    type_: String,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    permissions: String,
    #[serde(default)]
    last_modified: String,
    #[serde(default)]
    user_id: Option<u32>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    group_id: Option<u32>,
    #[serde(default)]
    group: Option<String>,
}

/// Parses permission bits as Go's `calculateFileMode` does (octal, at most 32 bits).
pub(crate) fn parse_permissions(permissions: &str) -> Option<u32> {
    if permissions.is_empty() || !permissions.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    u32::from_str_radix(permissions, 8).ok()
}

impl RawFileInfo {
    fn into_info(self, line: &str) -> Result<FileInfo, PebbleError> {
        let Some(permissions) = parse_permissions(&self.permissions) else {
            let why = format!(
                "remote file {:?} has invalid permission bits: {:?}",
                self.name, self.permissions
            );
            return Err(PebbleError::protocol(line, why));
        };
        if !wire::is_rfc3339(&self.last_modified) {
            let why = format!(
                "remote file {:?} has invalid last modified time: {:?}",
                self.name, self.last_modified
            );
            return Err(PebbleError::protocol(line, why));
        }
        let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
        Ok(FileInfo {
            file_type: FileType::from_api(&self.type_),
            size: self.size.unwrap_or(0),
            permissions: permissions & 0o7777,
            path: self.path,
            name: self.name,
            last_modified: self.last_modified,
            user_id: self.user_id,
            user: nonempty(self.user),
            group_id: self.group_id,
            group: nonempty(self.group),
        })
    }
}

/// One path's entry of a `write`, `make-dirs` (Go's `writeFilesItem`, `makeDirsItem`): every
/// field present, as Go marshals them (no `omitempty`).
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct PathItem<'a> {
    path: &'a str,
    #[serde(rename = "make-dirs", skip_serializing_if = "Option::is_none")]
    make_dirs: Option<bool>,
    #[serde(rename = "make-parents", skip_serializing_if = "Option::is_none")]
    make_parents: Option<bool>,
    permissions: String,
    user_id: Option<u32>,
    user: &'a str,
    group_id: Option<u32>,
    group: &'a str,
}

impl<'a> PathItem<'a> {
    fn new(path: &'a str, attributes: &'a Attributes) -> Self {
        Self {
            path,
            make_dirs: None,
            make_parents: None,
            permissions: attributes.permissions(),
            user_id: attributes.user_id,
            user: attributes.user.as_deref().unwrap_or(""),
            group_id: attributes.group_id,
            group: attributes.group.as_deref().unwrap_or(""),
        }
    }
}

fn check_absolute(path: &str) -> Result<(), PebbleError> {
    if path.starts_with('/') {
        Ok(())
    } else {
        Err(PebbleError::invalid(format!("paths in the container must be absolute, got {path:?}")))
    }
}

/// Escapes `\` and `"` for a quoted multipart parameter, as Go's `escapeQuotes` does.
fn escape_quotes(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The `multipart/form-data` body of a push, byte for byte as Go's `mime/multipart` writer
/// makes it for Pebble's `Client.Push`: a `request` part (the JSON metadata, with the
/// encoder's newline) and a `files` part (the content), headers in sorted order.
pub(crate) fn push_body(boundary: &str, metadata: &[u8], path: &str, content: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(content.len() + metadata.len() + 400);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"request\"\r\n\
             Content-Type: application/json\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(metadata);
    body.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n",
            escape_quotes(path)
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

impl Client {
    /// Writes `content` to `path` in the container (`POST /v1/files`, multipart `write`).
    ///
    /// The content goes only into the request body: never on a command line, in a log or in an
    /// error. Pebble replaces the file atomically.
    pub fn push(
        &self,
        path: &str,
        content: &[u8],
        options: &PushOptions,
    ) -> Result<(), PebbleError> {
        check_absolute(path)?;
        #[derive(Serialize)]
        struct Payload<'a> {
            action: &'a str,
            files: [PathItem<'a>; 1],
        }
        let mut item = PathItem::new(path, &options.attributes);
        item.make_dirs = Some(options.make_dirs);
        let metadata = encoded_body(&Payload { action: "write", files: [item] });
        // At least 32 characters, which Pebble requires of a boundary; 60 as Go makes them.
        let boundary: String = random_bytes::<30>().iter().map(|b| format!("{b:02x}")).collect();
        let request = self
            .request("POST", "/v1/files")
            .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
            .body(push_body(&boundary, &metadata, path, content));
        self.file_result(&request)
    }

    /// [`Client::push`] of a secret value.
    pub fn push_secret(
        &self,
        path: &str,
        content: &SecretString,
        options: &PushOptions,
    ) -> Result<(), PebbleError> {
        // Exposed into the request body only, which is zeroized once sent.
        self.push(path, content.expose().as_bytes(), options)
    }

    /// Reads file `path` from the container (`GET /v1/files?action=read`), whole, into memory.
    pub fn pull(&self, path: &str) -> Result<Vec<u8>, PebbleError> {
        check_absolute(path)?;
        let request = self
            .request("GET", "/v1/files")
            .query("action", "read")
            .query("path", path)
            .header("Accept", "multipart/form-data");
        let response = self.transport.send(&request)?;
        let line = request.line();
        let Some(content_type) = response.header_value("Content-Type") else {
            return Err(PebbleError::protocol(
                &line,
                "cannot parse Content-Type: none in the answer",
            ));
        };
        let (media, boundary) = wire::media_type(content_type);
        if media != "multipart/form-data" {
            // Likely an API error: read it as one.
            return Err(match refusal(&line, &response) {
                PebbleError::Protocol { .. } if response.status < 300 => PebbleError::protocol(
                    &line,
                    format!("expected a multipart response, got {media:?}"),
                ),
                other => other,
            });
        }
        let parts = wire::parse_multipart(&response.body, boundary.as_deref().unwrap_or(""))
            .map_err(|why| {
                PebbleError::protocol(&line, format!("cannot decode multipart payload: {why}"))
            })?;
        let mut parts = parts.into_iter();
        let first = parts.next().ok_or_else(|| {
            PebbleError::protocol(&line, "cannot decode multipart payload: no part")
        })?;
        if first.name == "response" {
            pull_response(&line, first.body)?;
            return Err(PebbleError::protocol(&line, "the answer has a response but no file"));
        }
        if first.name != "files" {
            let why = format!("expected first field name to be \"files\", got {:?}", first.name);
            return Err(PebbleError::protocol(&line, why));
        }
        let second = parts.next().ok_or_else(|| {
            PebbleError::protocol(&line, "cannot decode multipart payload: no response part")
        })?;
        if second.name != "response" {
            let why =
                format!("expected second field name to be \"response\", got {:?}", second.name);
            return Err(PebbleError::protocol(&line, why));
        }
        pull_response(&line, second.body)?;
        Ok(first.body.to_vec())
    }

    /// [`Client::pull`] of a file holding a secret, as a [`SecretString`] (UTF-8 required).
    pub fn pull_secret(&self, path: &str) -> Result<SecretString, PebbleError> {
        let bytes = zeroize::Zeroizing::new(self.pull(path)?);
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            PebbleError::protocol("GET /v1/files", format!("the content of {path:?} is not UTF-8"))
        })?;
        Ok(SecretString::new(text))
    }

    /// Lists directory `path` (`GET /v1/files?action=list`), or with
    /// [`ListFilesOptions::itself`] describes `path` itself.
    pub fn list_files(
        &self,
        path: &str,
        options: &ListFilesOptions,
    ) -> Result<Vec<FileInfo>, PebbleError> {
        check_absolute(path)?;
        let mut request =
            self.request("GET", "/v1/files").query("action", "list").query("path", path);
        if let Some(pattern) = options.pattern.as_deref().filter(|p| !p.is_empty()) {
            request = request.query("pattern", pattern);
        }
        if options.itself {
            request = request.query("itself", "true");
        }
        let raw: Option<Vec<RawFileInfo>> = self.sync(&request, "a list of files")?;
        let line = request.line();
        raw.unwrap_or_default().into_iter().map(|r| r.into_info(&line)).collect()
    }

    /// Makes directory `path` (`POST /v1/files`, `make-dirs`).
    pub fn make_dir(&self, path: &str, options: &MakeDirOptions) -> Result<(), PebbleError> {
        check_absolute(path)?;
        #[derive(Serialize)]
        struct Payload<'a> {
            action: &'a str,
            dirs: [PathItem<'a>; 1],
        }
        let mut item = PathItem::new(path, &options.attributes);
        item.make_parents = Some(options.make_parents);
        let body = encoded_body(&Payload { action: "make-dirs", dirs: [item] });
        self.file_result(&self.request("POST", "/v1/files").body(body))
    }

    /// Removes `path` (`POST /v1/files`, `remove`); a non-empty directory only with
    /// `recursive`.
    pub fn remove_path(&self, path: &str, recursive: bool) -> Result<(), PebbleError> {
        check_absolute(path)?;
        let body = encoded_body(&serde_json::json!({
            "action": "remove",
            "paths": [{"path": path, "recursive": recursive}],
        }));
        self.file_result(&self.request("POST", "/v1/files").body(body))
    }

    /// Sends a file request whose sync result is one `{"path", "error"}` entry.
    fn file_result(&self, request: &Request) -> Result<(), PebbleError> {
        let env = self.call(request)?;
        let line = request.line();
        if env.type_ != "sync" {
            return Err(PebbleError::protocol(
                &line,
                format!("expected a sync response, got {:?}", env.type_),
            ));
        }
        one_file_result(&line, env)
    }
}

/// Checks that a files result holds exactly one entry, and turns its error into
/// [`PebbleError::Api`].
fn one_file_result(line: &str, env: Envelope) -> Result<(), PebbleError> {
    #[derive(Deserialize)]
    struct FileResult {
        #[serde(default)]
        error: Option<ErrorResult>,
    }
    let status_code = if env.status_code == 0 { 200 } else { env.status_code };
    let results: Vec<FileResult> = decode(line, env.result, "a list of file results")?;
    if results.len() != 1 {
        return Err(PebbleError::protocol(
            line,
            format!("expected exactly one result from API, got {}", results.len()),
        ));
    }
    match results.into_iter().next().and_then(|r| r.error) {
        Some(error) => {
            Err(PebbleError::Api { status_code, kind: error.kind, message: error.message })
        }
        None => Ok(()),
    }
}

/// Reads the `response` part of a pull (Go's `processPullResponsePart`).
fn pull_response(line: &str, part: &[u8]) -> Result<(), PebbleError> {
    let env: Envelope = serde_json::from_slice(part).map_err(|_| {
        PebbleError::protocol(
            line,
            format!("cannot decode the response part ({} bytes)", part.len()),
        )
    })?;
    if env.type_ == "error" {
        return Err(super::api_error(&env, 200));
    }
    if env.type_ != "sync" {
        return Err(PebbleError::protocol(
            line,
            format!("expected sync response, got {:?}", env.type_),
        ));
    }
    one_file_result(line, env)
}
