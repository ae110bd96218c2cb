//! A small unified line diff, for `codegen --check`.

/// A unified diff of `old` → `new` with three lines of context, or `None`
/// when they are equal.
pub fn unified(path: &str, old: &str, new: &str) -> Option<String> {
    if old == new {
        return None;
    }
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Common prefix and suffix first: the middle is usually small.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let ops = if am.len() * bm.len() <= 4_000_000 { lcs_ops(am, bm) } else { replace_ops(am, bm) };
    // Lines of the whole files with their operation.
    let mut lines: Vec<(char, &str)> = a[..prefix].iter().map(|l| (' ', *l)).collect();
    lines.extend(ops);
    lines.extend(a[a.len() - suffix..].iter().map(|l| (' ', *l)));
    let mut out = format!("--- {path} (committed)\n+++ {path} (generated)\n");
    let changed: Vec<usize> = lines.iter().enumerate().filter(|(_, (op, _))| *op != ' ').map(|(i, _)| i).collect();
    let mut i = 0;
    while i < changed.len() {
        let start = changed[i].saturating_sub(3);
        let mut end = changed[i] + 4;
        while i + 1 < changed.len() && changed[i + 1] < end + 3 {
            i += 1;
            end = changed[i] + 4;
        }
        let end = end.min(lines.len());
        let old_start = lines[..start].iter().filter(|(op, _)| *op != '+').count() + 1;
        let new_start = lines[..start].iter().filter(|(op, _)| *op != '-').count() + 1;
        let old_len = lines[start..end].iter().filter(|(op, _)| *op != '+').count();
        let new_len = lines[start..end].iter().filter(|(op, _)| *op != '-').count();
        out.push_str(&format!("@@ -{old_start},{old_len} +{new_start},{new_len} @@\n"));
        for (op, line) in &lines[start..end] {
            out.push(*op);
            out.push_str(line);
            out.push('\n');
        }
        i += 1;
    }
    Some(out)
}

fn replace_ops<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<(char, &'a str)> {
    a.iter().map(|l| ('-', *l)).chain(b.iter().map(|l| ('+', *l))).collect()
}

fn lcs_ops<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<(char, &'a str)> {
    let (n, m) = (a.len(), b.len());
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] =
                if a[i] == b[j] { table[at(i + 1, j + 1)] + 1 } else { table[at(i + 1, j)].max(table[at(i, j + 1)]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::new();
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || table[at(i, j + 1)] > table[at(i + 1, j)]) {
            ops.push(('+', b[j]));
            j += 1;
        } else {
            ops.push(('-', a[i]));
            i += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn equal_is_none() {
        assert_eq!(unified("f", "a\nb\n", "a\nb\n"), None);
    }

    #[test]
    fn shows_changed_lines_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n";
        let diff = unified("f.rs", old, new).unwrap();
        assert_eq!(diff, "--- f.rs (committed)\n+++ f.rs (generated)\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
    }
}
