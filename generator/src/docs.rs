//! Turns spec descriptions (CommonMark with stray HTML) into doc-comment
//! lines that rustdoc renders without warnings and never compiles as tests.

/// The doc lines for a description: trimmed, code fences marked `text`,
/// bare URLs wrapped in `<>`, brackets that are not links escaped, HTML-ish
/// angle brackets escaped, and no indentation that would start a code block.
pub fn doc_lines(description: &str) -> Vec<String> {
    let text = description.replace("\r\n", "\n").replace('\r', "\n");
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    for line in text.trim().lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            out.push(if in_fence { "```".into() } else { "```text".into() });
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.trim_end().to_owned());
            continue;
        }
        // Leading indentation would make an (executable) indented code block.
        let line = inline(trimmed);
        if line.is_empty() && out.last().is_some_and(String::is_empty) {
            continue;
        }
        out.push(line);
    }
    if in_fence {
        out.push("```".into());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// Escapes one line of prose.
fn inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut in_code = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            i += 1;
            continue;
        }
        if in_code {
            out.push(c);
            i += 1;
            continue;
        }
        // A markdown link `[text](target)`: keep it as written.
        if c == '['
            && let Some(len) = link_len(&chars[i..])
        {
            out.extend(&chars[i..i + len]);
            i += len;
            continue;
        }
        // An autolink `<https://...>`: keep it as written.
        if c == '<'
            && let Some(len) = url_len(&chars[i + 1..])
            && chars.get(i + 1 + len) == Some(&'>')
        {
            out.extend(&chars[i..i + len + 2]);
            i += len + 2;
            continue;
        }
        if let Some(len) = url_len(&chars[i..]) {
            let url: String = chars[i..i + len].iter().collect();
            out.push('<');
            out.push_str(&url);
            out.push('>');
            i += len;
            continue;
        }
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
        i += 1;
    }
    if in_code {
        // An unbalanced backtick would swallow the rest of the doc.
        out.push('`');
    }
    out
}

/// Length of a `[text](target)` link at the start of `chars`.
fn link_len(chars: &[char]) -> Option<usize> {
    let close = chars.iter().position(|&c| c == ']')?;
    if chars[1..close].contains(&'[') || chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = chars[close + 1..].iter().position(|&c| c == ')')? + close + 1;
    Some(end + 1)
}

/// Length of a bare `http://` or `https://` URL at the start of `chars`.
fn url_len(chars: &[char]) -> Option<usize> {
    let starts = |p: &str| chars.len() >= p.len() && chars.iter().zip(p.chars()).all(|(a, b)| *a == b);
    if !(starts("https://") || starts("http://")) {
        return None;
    }
    let mut len = chars.iter().position(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | ')' | ']')).unwrap_or(chars.len());
    // Trailing punctuation ends a sentence, not the URL.
    while len > 0 && matches!(chars[len - 1], '.' | ',' | ';' | ':' | '!' | '?' | '\'') {
        len -= 1;
    }
    Some(len)
}

#[cfg(test)]
mod tests {
    use super::doc_lines;

    #[test]
    fn keeps_links_and_wraps_bare_urls() {
        assert_eq!(doc_lines("See [docs](https://x.test/a) or https://x.test/b."), vec!["See [docs](https://x.test/a) or <https://x.test/b>."]);
    }

    #[test]
    fn keeps_autolinks() {
        assert_eq!(doc_lines("See <https://x.test/a>."), vec!["See <https://x.test/a>."]);
    }

    #[test]
    fn escapes_brackets_and_html() {
        assert_eq!(doc_lines("Use `a[b]` or created[gte] <p>here</p>"), vec!["Use `a[b]` or created\\[gte\\] &lt;p&gt;here&lt;/p&gt;"]);
    }

    #[test]
    fn fences_become_text_and_indentation_goes() {
        assert_eq!(
            doc_lines("Example:\n\n    curl x\n```\nfn main() {}\n```"),
            vec!["Example:", "", "curl x", "```text", "fn main() {}", "```"]
        );
    }

    #[test]
    fn collapses_blank_runs_and_trims() {
        assert_eq!(doc_lines("\n\na\n\n\n\nb\n\n"), vec!["a", "", "b"]);
    }

    #[test]
    fn closes_unbalanced_backticks() {
        assert_eq!(doc_lines("a `b"), vec!["a `b`"]);
    }
}
