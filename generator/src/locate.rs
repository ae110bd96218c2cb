//! Finds the source line of a JSON pointer in block-style YAML or
//! pretty-printed JSON, by following indentation. It works on text only, so
//! it stays independent of the YAML parser; when a segment cannot be found
//! it answers with the deepest ancestor it did find.

/// One logical entry: a mapping key or a sequence item, with its indentation.
#[derive(Debug)]
struct Entry<'a> {
    line: usize,
    indent: usize,
    /// Text after the indentation (and after `- ` for the virtual entry of an item).
    text: &'a str,
    /// A sequence item marker (`- `) or a JSON array element.
    item: bool,
}

fn entries(source: &str) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    let mut in_block_scalar: Option<usize> = None;
    for (index, raw) in source.lines().enumerate() {
        let trimmed = raw.trim_start_matches(' ');
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut indent = raw.len() - trimmed.len();
        if let Some(scalar_indent) = in_block_scalar {
            if indent > scalar_indent {
                continue;
            }
            in_block_scalar = None;
        }
        let mut text = trimmed;
        // `- - a: b` nests items; each dash opens one.
        while text == "-" || text.starts_with("- ") {
            out.push(Entry { line: index + 1, indent, text, item: true });
            let rest = text[1..].trim_start_matches(' ');
            indent += text.len() - rest.len();
            text = rest;
            if text.is_empty() {
                break;
            }
        }
        if text.is_empty() {
            continue;
        }
        if starts_block_scalar(text) {
            in_block_scalar = Some(indent);
        }
        out.push(Entry { line: index + 1, indent, text, item: false });
    }
    out
}

/// `key: |`, `key: >-` and the like: the lines below belong to the value.
fn starts_block_scalar(text: &str) -> bool {
    let value = match text.find(": ") {
        Some(at) => text[at + 2..].trim(),
        None => text.trim(),
    };
    (value.starts_with('|') || value.starts_with('>')) && value.len() <= 3
}

/// The key of a `key: value` (or `"key": value`) line, unquoted.
fn key_of(text: &str) -> Option<String> {
    let mut chars = text.char_indices();
    match chars.next()? {
        (_, quote @ ('"' | '\'')) => {
            let mut key = String::new();
            let mut escaped = false;
            let mut iter = text[1..].chars().peekable();
            while let Some(c) = iter.next() {
                if quote == '"' && escaped {
                    key.push(c);
                    escaped = false;
                } else if quote == '"' && c == '\\' {
                    escaped = true;
                } else if c == quote {
                    if quote == '\'' && iter.peek() == Some(&'\'') {
                        iter.next();
                        key.push('\'');
                    } else {
                        let rest: String = iter.collect();
                        return rest.trim_start().starts_with(':').then_some(key);
                    }
                } else {
                    key.push(c);
                }
            }
            None
        }
        _ => {
            let end = text.find(": ").or_else(|| text.strip_suffix(':').map(|k| k.len()))?;
            Some(text[..end].trim_end().to_owned())
        }
    }
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The 1-based line of `pointer` (`#/a/b/0` or `/a/b/0`) in `source`, or of
/// its deepest ancestor that could be found. `None` only when not even the
/// first segment is found.
pub fn line_of(source: &str, pointer: &str) -> Option<usize> {
    let pointer = pointer.strip_prefix('#').unwrap_or(pointer);
    let segments: Vec<String> = pointer.split('/').skip(1).map(unescape).collect();
    let entries = entries(source);
    // The range of entries that make up the current node's children.
    let (mut start, mut end) = (0usize, entries.len());
    // A JSON document starts with `{`: its keys are one level in.
    let mut parent_indent: isize = -1;
    if entries.first().is_some_and(|e| e.text.starts_with('{') || e.text.starts_with('[')) {
        parent_indent = entries[0].indent as isize;
        start = 1;
    }
    let mut found = None;
    for segment in &segments {
        let children = &entries[start..end];
        let Some(child_indent) = children.iter().map(|e| e.indent).find(|&i| i as isize > parent_indent)
        else {
            break;
        };
        // A YAML sequence may sit at its parent's indentation (`key:\n- a`).
        let seq_indent = children.first().filter(|e| e.item).map(|e| e.indent);
        // A key first; a number that is not a key is an array index.
        let by_key = || {
            children.iter().position(|e| {
                e.indent == child_indent && !e.item && key_of(e.text).as_deref() == Some(segment.as_str())
            })
        };
        let by_index = |index: usize| {
            let item_indent = seq_indent.unwrap_or(child_indent);
            let mut items = children.iter().enumerate().filter(|(_, e)| {
                e.indent == item_indent
                    && (e.item || (seq_indent.is_none() && !e.text.starts_with('}') && !e.text.starts_with(']')))
            });
            items.nth(index).map(|(i, _)| i)
        };
        let hit = by_key().or_else(|| segment.parse::<usize>().ok().and_then(by_index));
        let Some(offset) = hit else { break };
        let at = start + offset;
        found = Some(entries[at].line);
        let indent = entries[at].indent;
        start = at + 1;
        // A key's children may include an indentless sequence at its own
        // indentation; an item's children end at the next entry at its level.
        let is_item = entries[at].item;
        end = entries[start..end]
            .iter()
            .position(|e| e.indent < indent || (e.indent == indent && (is_item || !e.item)))
            .map_or(end, |p| start + p);
        parent_indent = indent as isize;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::line_of;

    const YAML: &str = "\
openapi: 3.0.3
paths:
  /v1/items:
    get:
      parameters:
      - name: a
        in: query
      - name: b
        in: query
        schema:
          $ref: '#/components/schemas/Nope'
      responses:
        '200':
          description: |
            text
            more: text
components:
  schemas:
    Item:
      required:
      - id
      properties:
        id:
          type: string
";

    #[test]
    fn finds_nested_keys() {
        assert_eq!(line_of(YAML, "#/paths/~1v1~1items/get"), Some(4));
        assert_eq!(line_of(YAML, "#/paths/~1v1~1items/get/responses/200"), Some(13));
        assert_eq!(line_of(YAML, "#/components/schemas/Item/properties/id/type"), Some(24));
    }

    #[test]
    fn finds_sequence_items_at_parent_indent() {
        assert_eq!(line_of(YAML, "#/paths/~1v1~1items/get/parameters/0"), Some(6));
        assert_eq!(line_of(YAML, "#/paths/~1v1~1items/get/parameters/1"), Some(8));
        assert_eq!(line_of(YAML, "#/paths/~1v1~1items/get/parameters/1/in"), Some(9));
        assert_eq!(line_of(YAML, "#/paths/~1v1~1items/get/parameters/1/schema/$ref"), Some(11));
        assert_eq!(line_of(YAML, "#/components/schemas/Item/required/0"), Some(21));
    }

    #[test]
    fn falls_back_to_deepest_ancestor() {
        assert_eq!(line_of(YAML, "#/components/schemas/Missing"), Some(18));
        assert_eq!(line_of(YAML, "#/nothing"), None);
    }

    #[test]
    fn skips_block_scalars() {
        // `more: text` inside the block scalar is not a key.
        assert_eq!(line_of(YAML, "#/paths/~1v1~1items/get/responses/200/more"), Some(13));
    }

    #[test]
    fn works_on_pretty_json() {
        let json = "{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {\n    \"/a\": {\n      \"get\": {\n        \"tags\": [\n          \"x\",\n          \"y\"\n        ]\n      }\n    }\n  }\n}\n";
        assert_eq!(line_of(json, "#/paths/~1a/get"), Some(5));
        assert_eq!(line_of(json, "#/paths/~1a/get/tags/1"), Some(8));
    }
}
