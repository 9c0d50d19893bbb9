//! The configuration tree: what a suricata.yaml (with its includes merged)
//! holds, and dotted-key lookup over it.
//!
//! Invariants: every scalar is kept as text, as Suricata keeps it (`yes`,
//! `1521`, `64mb`); typed reading happens in the getters of
//! [`Config`](super::Config). Map keys are unique (a redefined key replaces the
//! earlier value in place) and keep file order.
//!
//! Dotted keys follow Suricata's naming: a map step is a key; a sequence step
//! is an index (`outputs.0`) or the name of an item, which is the first key of
//! an item that is a map (`outputs.eve-log` is the value of the `eve-log` key
//! of the first item whose first key is `eve-log`).
//!
//! This module does not read files; see `yaml.rs` for that.

/// One node of the configuration tree.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Node {
    /// No value (`key:`, `key: ~`, `key: null`).
    #[default]
    Null,
    /// A scalar, as text.
    Scalar(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order, keys unique.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// An empty mapping.
    pub fn empty_map() -> Node {
        Node::Map(Vec::new())
    }

    /// The text of a scalar; `None` for null, sequences and mappings.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// True for [`Node::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Node::Null)
    }

    /// The entries of a mapping (empty for anything else).
    pub fn entries(&self) -> &[(String, Node)] {
        match self {
            Node::Map(m) => m,
            _ => &[],
        }
    }

    /// The items of a sequence (empty for anything else).
    pub fn items(&self) -> &[Node] {
        match self {
            Node::Seq(s) => s,
            _ => &[],
        }
    }

    /// The name Suricata gives a sequence item: the first key of a mapping
    /// item (`- eve-log: {...}` is named `eve-log`).
    pub fn item_name(&self) -> Option<&str> {
        match self {
            Node::Map(m) => m.first().map(|(k, _)| k.as_str()),
            _ => None,
        }
    }

    /// One step down: a mapping key, a sequence index, or a sequence item
    /// name (see the module docs).
    pub fn child(&self, step: &str) -> Option<&Node> {
        match self {
            Node::Map(m) => m.iter().find(|(k, _)| k == step).map(|(_, v)| v),
            Node::Seq(items) => {
                if let Ok(i) = step.parse::<usize>() {
                    return items.get(i);
                }
                items
                    .iter()
                    .find(|item| item.item_name() == Some(step))
                    .and_then(|item| item.child(step))
            }
            _ => None,
        }
    }

    /// The node at dotted `key` below this one (`""` is this node).
    pub fn lookup(&self, key: &str) -> Option<&Node> {
        if key.is_empty() {
            return Some(self);
        }
        key.split('.').try_fold(self, |node, step| node.child(step))
    }

    /// Mutable access to one step down, creating it as described for
    /// [`Node::set_path`].
    fn child_or_create(&mut self, step: &str) -> Result<&mut Node, String> {
        if !matches!(self, Node::Map(_) | Node::Seq(_)) {
            // A scalar or null on the way down becomes a mapping, as a
            // `--set` through it means the user wants children there.
            *self = Node::empty_map();
        }
        match self {
            Node::Map(m) => {
                let pos = match m.iter().position(|(k, _)| k == step) {
                    Some(p) => p,
                    None => {
                        m.push((step.to_string(), Node::Null));
                        m.len() - 1
                    }
                };
                m.get_mut(pos)
                    .map(|(_, v)| v)
                    .ok_or_else(|| "internal: lost a key".to_string())
            }
            Node::Seq(items) => {
                if let Ok(i) = step.parse::<usize>() {
                    if i == items.len() {
                        items.push(Node::Null);
                    }
                    let len = items.len();
                    return items
                        .get_mut(i)
                        .ok_or_else(|| format!("index {i} is past the end of a {len}-item list"));
                }
                let pos = items
                    .iter()
                    .position(|item| item.item_name() == Some(step))
                    .ok_or_else(|| format!("no list item named {step:?}"))?;
                match items.get_mut(pos) {
                    Some(item) => item.child_or_create(step),
                    None => Err(format!("no list item named {step:?}")),
                }
            }
            // Unreachable: made a map above.
            _ => Err("internal: not a container".to_string()),
        }
    }

    /// Sets dotted `key` below this node to `value`, with Suricata's `--set`
    /// semantics: missing mappings on the way are created, a scalar on the
    /// way is replaced by a mapping, a sequence step is an index (one past
    /// the end appends) or an item name; the final node is replaced by the
    /// value, whatever it was.
    ///
    /// Errors (as a message) on an empty step, or a sequence step that names
    /// nothing.
    pub fn set_path(&mut self, key: &str, value: Node) -> Result<(), String> {
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(format!("empty name in key {key:?}"));
        }
        let mut node = self;
        for step in key.split('.') {
            node = node.child_or_create(step)?;
        }
        *node = value;
        Ok(())
    }

    /// Inserts `key` into this mapping, replacing an existing entry in place
    /// (Suricata's redefinition rule: the later value wins). A non-map node
    /// becomes an empty map first.
    pub(crate) fn insert(&mut self, key: String, value: Node) {
        if !matches!(self, Node::Map(_)) {
            *self = Node::empty_map();
        }
        if let Node::Map(m) = self {
            match m.iter_mut().find(|(k, _)| *k == key) {
                Some(entry) => entry.1 = value,
                None => m.push((key, value)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Node {
        Node::Scalar(v.to_string())
    }

    fn outputs() -> Node {
        Node::Map(vec![(
            "outputs".into(),
            Node::Seq(vec![
                Node::Map(vec![(
                    "fast".into(),
                    Node::Map(vec![("enabled".into(), s("yes"))]),
                )]),
                Node::Map(vec![(
                    "eve-log".into(),
                    Node::Map(vec![("filename".into(), s("eve.json"))]),
                )]),
            ]),
        )])
    }

    #[test]
    fn lookup_by_index_and_by_item_name() {
        let root = outputs();
        assert_eq!(
            root.lookup("outputs.1.eve-log.filename")
                .and_then(Node::as_str),
            Some("eve.json")
        );
        assert_eq!(
            root.lookup("outputs.eve-log.filename")
                .and_then(Node::as_str),
            Some("eve.json")
        );
        assert_eq!(
            root.lookup("outputs.fast.enabled").and_then(Node::as_str),
            Some("yes")
        );
        assert!(root.lookup("outputs.stats").is_none());
        assert!(root.lookup("outputs.7").is_none());
        assert!(root.lookup("outputs.fast.enabled.deeper").is_none());
    }

    #[test]
    fn set_path_creates_maps_and_replaces_scalars() {
        let mut root = Node::empty_map();
        root.set_path("stream.midstream", s("true")).unwrap();
        assert_eq!(root.lookup("stream.midstream"), Some(&s("true")));
        // A scalar on the way becomes a map.
        root.set_path("stream.midstream.deeper", s("1")).unwrap();
        assert_eq!(root.lookup("stream.midstream.deeper"), Some(&s("1")));
        // Replacing keeps the position of the key.
        root.set_path("a", s("1")).unwrap();
        root.set_path("stream", s("x")).unwrap();
        assert_eq!(root.entries()[0].0, "stream");
        assert_eq!(root.entries()[1].0, "a");
    }

    #[test]
    fn set_path_through_sequences() {
        let mut root = outputs();
        root.set_path("outputs.fast.enabled", s("no")).unwrap();
        assert_eq!(root.lookup("outputs.0.fast.enabled"), Some(&s("no")));
        root.set_path("outputs.1.eve-log.filename", s("x.json"))
            .unwrap();
        assert_eq!(root.lookup("outputs.eve-log.filename"), Some(&s("x.json")));
        // One past the end appends.
        root.set_path("outputs.2.stats.enabled", s("yes")).unwrap();
        assert_eq!(root.lookup("outputs.stats.enabled"), Some(&s("yes")));
        assert!(root.set_path("outputs.9.x", s("1")).is_err());
        assert!(root.set_path("outputs.nothing.x", s("1")).is_err());
        assert!(root.set_path("a..b", s("1")).is_err());
        assert!(root.set_path("", s("1")).is_err());
    }
}
