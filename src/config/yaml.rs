//! Reading suricata.yaml files into a [`Node`] tree, with Suricata's
//! `include` rules.
//!
//! What it does, in Suricata's terms (src/conf-yaml-loader.c):
//!
//! * Only the first YAML document is read; a `%YAML 1.1` directive and `---`
//!   are fine.
//! * Scalars are kept as text (see [`Node`]). serde_yaml resolves plain
//!   scalars by YAML 1.2 rules before we see them, so a plain float or hex
//!   integer comes back in canonical form (`1.10` reads as `1.1`, `0x10` as
//!   `16`); quote such values to keep them verbatim.
//! * `include: file` or `include: [a, b]` at any level of a mapping inlines
//!   the included file's top-level mapping at that point; `key: !include file`
//!   makes the file's content the value of `key`. Relative names are looked
//!   up beside the including file first, then beside the main file (which is
//!   Suricata's rule).
//! * A key defined twice keeps its first position and takes the later value
//!   (Suricata: "Configuration node redefined").
//! * `_` in keys becomes `-` (`default_rule_path` is `default-rule-path`),
//!   except for variable names under `address-groups`/`port-groups`; a key
//!   with dots (`stream.midstream: yes`) sets the nested setting.
//!
//! Problems with includes (missing, unreadable, a cycle, deeper than
//! [`MAX_INCLUDE_DEPTH`]) are warnings; a YAML syntax error in any file that
//! was found is fatal. Every file is read whole, at most
//! [`MAX_CONFIG_BYTES`] bytes; nesting depth is bounded by serde_yaml's
//! recursion limit and the include depth cap.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::de::{
    self, Deserialize, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

use super::error::{ConfigError, ConfigWarning, WarningKind};
use super::node::Node;

/// The largest configuration file read, in bytes (16 MiB).
pub const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// The deepest chain of includes followed (the main file is depth 0).
pub const MAX_INCLUDE_DEPTH: usize = 16;

/// A parsed but unmerged YAML document: keys may repeat, `include` keys and
/// tags are still there.
#[derive(Debug)]
enum Raw {
    Null,
    Scalar(String),
    Seq(Vec<Raw>),
    Map(Vec<(String, Raw)>),
    Tagged(String, Box<Raw>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Scalar(v))
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Raw>()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<Raw, Raw>()? {
            let key = match key {
                Raw::Scalar(s) => s,
                Raw::Null => String::new(),
                Raw::Tagged(_, inner) => match *inner {
                    Raw::Scalar(s) => s,
                    _ => return Err(de::Error::custom("mapping keys must be scalars")),
                },
                Raw::Seq(_) | Raw::Map(_) => {
                    return Err(de::Error::custom("mapping keys must be scalars"))
                }
            };
            entries.push((key, value));
        }
        Ok(Raw::Map(entries))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Raw, A::Error> {
        // serde_yaml hands a tagged node (`!include file`) over as an enum
        // whose variant is the tag without its `!`.
        let (tag, variant) = data.variant::<String>()?;
        let value = variant.newtype_variant::<Raw>()?;
        Ok(Raw::Tagged(tag, Box::new(value)))
    }
}

/// The merged result of loading a main file and its includes.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub root: Node,
    /// Every file read: the main file first, then includes in load order.
    pub files: Vec<PathBuf>,
    /// Include problems (unimplemented-setting warnings are computed later,
    /// over the final tree).
    pub warnings: Vec<ConfigWarning>,
    /// The file (index into `files`) each dotted key was last defined in.
    pub origins: HashMap<String, usize>,
}

/// Reads `path` and everything it includes.
pub(crate) fn load_file(path: &Path) -> Result<Loaded, ConfigError> {
    let text = read_text(path)?;
    load_str(&text, path)
}

/// Reads `text` as the contents of `path` (used for messages and as the
/// base of relative includes), and everything it includes.
pub(crate) fn load_str(text: &str, path: &Path) -> Result<Loaded, ConfigError> {
    let raw = parse_raw(text, path)?;
    let main_dir = parent_dir(path);
    let mut loader = Loader {
        out: Loaded {
            root: Node::empty_map(),
            files: vec![path.to_path_buf()],
            ..Loaded::default()
        },
        stack: vec![canonical(path)],
        main_dir,
    };
    let mut root = Node::empty_map();
    match raw {
        Raw::Map(entries) => loader.merge_map(&mut root, entries, 0, "", 0)?,
        Raw::Null => {}
        other => {
            return Err(ConfigError::Yaml {
                path: path.to_path_buf(),
                line: None,
                column: None,
                message: format!(
                    "the top level must be a mapping of settings, found {}",
                    raw_kind(&other)
                ),
            })
        }
    }
    loader.out.root = root;
    Ok(loader.out)
}

/// Reads a whole configuration file as text (invalid UTF-8 is replaced, so
/// a Latin-1 comment does not stop a run), capped at [`MAX_CONFIG_BYTES`].
pub(crate) fn read_text(path: &Path) -> Result<String, ConfigError> {
    let io = |source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::other("is a directory")));
    }
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(ConfigError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
            limit: MAX_CONFIG_BYTES,
        });
    }
    let mut bytes = Vec::new();
    // take() bounds the read even if the file grows after metadata().
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(ConfigError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            limit: MAX_CONFIG_BYTES,
        });
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn parse_raw(text: &str, path: &Path) -> Result<Raw, ConfigError> {
    let mut docs = serde_yaml::Deserializer::from_str(text);
    match docs.next() {
        None => Ok(Raw::Null),
        Some(doc) => Raw::deserialize(doc).map_err(|e| yaml_error(path, &e)),
    }
}

fn yaml_error(path: &Path, e: &serde_yaml::Error) -> ConfigError {
    let mut message = e.to_string();
    // serde_yaml appends " at line L column C"; we report those as fields.
    if let Some(at) = message.find(" at line ") {
        message.truncate(at);
    }
    let loc = e.location();
    ConfigError::Yaml {
        path: path.to_path_buf(),
        line: loc.as_ref().map(|l| l.line()),
        column: loc.as_ref().map(|l| l.column()),
        message,
    }
}

fn raw_kind(raw: &Raw) -> &'static str {
    match raw {
        Raw::Null => "nothing",
        Raw::Scalar(_) => "a scalar",
        Raw::Seq(_) => "a list",
        Raw::Map(_) => "a mapping",
        Raw::Tagged(..) => "a tagged value",
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn join_key(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Suricata turns `_` into `-` in setting names, but not in variable names.
fn mangle(key: String, prefix: &str) -> String {
    let parent = prefix.rsplit('.').next().unwrap_or("");
    if key.contains('_') && parent != "address-groups" && parent != "port-groups" {
        key.replace('_', "-")
    } else {
        key
    }
}

struct Loader {
    out: Loaded,
    /// Canonical paths of the files being loaded, outermost first.
    stack: Vec<PathBuf>,
    main_dir: PathBuf,
}

impl Loader {
    fn warn(&mut self, file: usize, key: &str, kind: WarningKind, message: String) {
        let path = self.out.files.get(file).cloned().unwrap_or_default();
        self.out.warnings.push(ConfigWarning {
            path,
            key: key.to_string(),
            kind,
            message,
        });
    }

    /// Merges mapping `entries` (from file number `file`) into `target`,
    /// a mapping at dotted path `prefix`.
    fn merge_map(
        &mut self,
        target: &mut Node,
        entries: Vec<(String, Raw)>,
        file: usize,
        prefix: &str,
        depth: usize,
    ) -> Result<(), ConfigError> {
        for (key, value) in entries {
            if key == "include" {
                for name in self.include_names(value, file, prefix) {
                    self.include_inline(target, &name, file, prefix, depth)?;
                }
                continue;
            }
            if key.is_empty() {
                self.warn(
                    file,
                    &join_key(prefix, "<empty>"),
                    WarningKind::Value,
                    "a setting with an empty name; ignored".to_string(),
                );
                continue;
            }
            let key = mangle(key, prefix);
            let path = join_key(prefix, &key);
            let node = self.convert(value, file, &path, depth)?;
            self.out.origins.insert(path.clone(), file);
            if key.contains('.') {
                if let Err(message) = target.set_path(&key, node.clone()) {
                    self.warn(file, &path, WarningKind::Value, message);
                }
            } else {
                target.insert(key, node);
            }
        }
        Ok(())
    }

    /// Turns one raw value at dotted `path` into a node, resolving nested
    /// includes.
    fn convert(
        &mut self,
        raw: Raw,
        file: usize,
        path: &str,
        depth: usize,
    ) -> Result<Node, ConfigError> {
        Ok(match raw {
            Raw::Null => Node::Null,
            Raw::Scalar(s) => Node::Scalar(s),
            Raw::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    out.push(self.convert(item, file, &join_key(path, &i.to_string()), depth)?);
                }
                Node::Seq(out)
            }
            Raw::Map(entries) => {
                let mut node = Node::empty_map();
                self.merge_map(&mut node, entries, file, path, depth)?;
                node
            }
            Raw::Tagged(tag, inner) if tag == "include" => match *inner {
                Raw::Scalar(name) => self.include_value(&name, file, path, depth)?,
                other => {
                    self.warn(
                        file,
                        path,
                        WarningKind::Include,
                        format!(
                            "!include needs a file name, found {}; ignored",
                            raw_kind(&other)
                        ),
                    );
                    Node::Null
                }
            },
            // Other tags carry no meaning for Suricata; keep the value.
            Raw::Tagged(_, inner) => self.convert(*inner, file, path, depth)?,
        })
    }

    /// The file names an `include:` value lists.
    fn include_names(&mut self, value: Raw, file: usize, prefix: &str) -> Vec<String> {
        let key = join_key(prefix, "include");
        match value {
            Raw::Null => Vec::new(),
            Raw::Scalar(s) => vec![s],
            Raw::Seq(items) => {
                let mut names = Vec::new();
                for item in items {
                    match item {
                        Raw::Scalar(s) => names.push(s),
                        Raw::Null => {}
                        other => self.warn(
                            file,
                            &key,
                            WarningKind::Include,
                            format!(
                                "include list item is {}, not a file name; ignored",
                                raw_kind(&other)
                            ),
                        ),
                    }
                }
                names
            }
            other => {
                self.warn(
                    file,
                    &key,
                    WarningKind::Include,
                    format!(
                        "include must name a file or a list of files, found {}; ignored",
                        raw_kind(&other)
                    ),
                );
                Vec::new()
            }
        }
    }

    /// Finds and reads include `name` (from file `file`), or warns and
    /// returns `None`. On success the file is pushed on the stack and added
    /// to `files`; the caller pops the stack. A file that exists but is not
    /// valid YAML is an error: a broken configuration, not a missing
    /// optional piece.
    fn open_include(
        &mut self,
        name: &str,
        file: usize,
        key: &str,
        depth: usize,
    ) -> Result<Option<(Raw, usize)>, ConfigError> {
        if depth + 1 > MAX_INCLUDE_DEPTH {
            self.warn(
                file,
                key,
                WarningKind::Include,
                format!("file {name:?} is nested deeper than {MAX_INCLUDE_DEPTH} files; skipped"),
            );
            return Ok(None);
        }
        let wanted = Path::new(name);
        let mut candidates = Vec::new();
        if wanted.is_absolute() {
            candidates.push(wanted.to_path_buf());
        } else {
            let here = self
                .out
                .files
                .get(file)
                .map(|p| parent_dir(p))
                .unwrap_or_else(|| PathBuf::from("."));
            candidates.push(here.join(wanted));
            let beside_main = self.main_dir.join(wanted);
            if !candidates.contains(&beside_main) {
                candidates.push(beside_main);
            }
        }
        let Some(found) = candidates.iter().find(|p| p.is_file()).cloned() else {
            let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
            self.warn(
                file,
                key,
                WarningKind::Include,
                format!(
                    "file {name:?} not found (looked for {}); skipped",
                    looked.join(", ")
                ),
            );
            return Ok(None);
        };
        let canon = canonical(&found);
        if self.stack.contains(&canon) {
            self.warn(
                file,
                key,
                WarningKind::Include,
                format!(
                    "file {name:?} ({}) is already being loaded (an include cycle); skipped",
                    found.display()
                ),
            );
            return Ok(None);
        }
        let text = match read_text(&found) {
            Ok(t) => t,
            Err(e) => {
                self.warn(
                    file,
                    key,
                    WarningKind::Include,
                    format!("file {name:?}: {e}; skipped"),
                );
                return Ok(None);
            }
        };
        let raw = parse_raw(&text, &found)?;
        self.out.files.push(found);
        self.stack.push(canon);
        Ok(Some((raw, self.out.files.len() - 1)))
    }

    fn include_inline(
        &mut self,
        target: &mut Node,
        name: &str,
        file: usize,
        prefix: &str,
        depth: usize,
    ) -> Result<(), ConfigError> {
        let key = join_key(prefix, "include");
        let Some((raw, inc)) = self.open_include(name, file, &key, depth)? else {
            return Ok(());
        };
        let result = match raw {
            Raw::Map(entries) => self.merge_map(target, entries, inc, prefix, depth + 1),
            Raw::Null => Ok(()),
            other => {
                self.warn(
                    file,
                    &key,
                    WarningKind::Include,
                    format!(
                        "included file {name:?} holds {}, not a mapping of settings; skipped",
                        raw_kind(&other)
                    ),
                );
                Ok(())
            }
        };
        self.stack.pop();
        result
    }

    fn include_value(
        &mut self,
        name: &str,
        file: usize,
        path: &str,
        depth: usize,
    ) -> Result<Node, ConfigError> {
        let Some((raw, inc)) = self.open_include(name, file, path, depth)? else {
            return Ok(Node::Null);
        };
        let result = self.convert(raw, inc, path, depth + 1);
        self.stack.pop();
        result
    }
}
