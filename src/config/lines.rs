//! Logical lines of Suricata's line-oriented configuration files
//! (classification.config, reference.config, threshold.config).
//!
//! A line whose first non-blank character is `#` is a comment; blank lines
//! are skipped; `\r\n` endings are accepted. With continuation on (threshold
//! files), a line ending in `\` (trailing blanks allowed) is joined with the
//! next, the backslash removed, as Suricata's threshold loader does. Each
//! logical line carries the 1-based number of its first physical line.

/// Splits `text` into `(line_number, text)` entries, comments and blank
/// lines dropped.
pub(crate) fn logical_lines(text: &str, continuation: bool) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let (start, mut acc) = match pending.take() {
            Some(p) => p,
            None => {
                let t = line.trim_start();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                (number, String::new())
            }
        };
        let trimmed_end = line.trim_end();
        if continuation {
            if let Some(body) = trimmed_end.strip_suffix('\\') {
                acc.push_str(body);
                pending = Some((start, acc));
                continue;
            }
        }
        acc.push_str(line);
        out.push((start, acc));
    }
    // A file ending in a continuation keeps what it has.
    if let Some((start, acc)) = pending {
        if !acc.trim().is_empty() {
            out.push((start, acc));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blanks_and_crlf() {
        let text = "# c\n\n  # indented comment\r\na b\r\n   \nc # not a comment\n";
        assert_eq!(
            logical_lines(text, false),
            vec![(4, "a b".to_string()), (6, "c # not a comment".to_string())]
        );
    }

    #[test]
    fn continuation_joins_and_keeps_first_line_number() {
        let text = "x gen_id 1 \\\n, sig_id 2 \\  \ny\nz \\";
        assert_eq!(
            logical_lines(text, true),
            vec![
                (1, "x gen_id 1 , sig_id 2 y".to_string()),
                (4, "z ".to_string())
            ]
        );
        // Without continuation the backslash stays.
        assert_eq!(logical_lines("a \\\nb", false).len(), 2);
    }
}
