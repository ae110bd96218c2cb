//! The unified line diff `codegen --check` prints, by `similar`.

/// A unified diff of `old` → `new` with three lines of context, or `None`
/// when they are equal. A generated file is rewritten whole, so the diff
/// is of lines (Patience, which keeps moved items readable).
pub fn unified(path: &str, old: &str, new: &str) -> Option<String> {
    if old == new {
        return None;
    }
    let diff = similar::TextDiff::configure().algorithm(similar::Algorithm::Patience).diff_lines(old, new);
    let committed = format!("{path} (committed)");
    let generated = format!("{path} (generated)");
    Some(diff.unified_diff().context_radius(3).header(&committed, &generated).to_string())
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn equal_is_none() {
        assert_eq!(unified("a.rs", "x\ny\n", "x\ny\n"), None);
    }

    #[test]
    fn shows_changed_lines_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        let diff = unified("a.rs", old, new).unwrap();
        assert_eq!(diff, "--- a.rs (committed)\n+++ a.rs (generated)\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
    }
}
