//! Loops of schemas that apply each other to the same value.
//!
//! `S: {allOf: [{$ref: S}, {type: object}]}` consumes none of the value on
//! its way back to `S`: a walk that follows it without a visited set never
//! ends. Every pass that walks schemas keeps one; this module decides what a
//! loop means, once, for all of them.
//!
//! A loop through conjunctive places only (`$ref`, `$dynamicRef`, `allOf`,
//! an `anyOf` / `oneOf` of one member, `then`, `else`, `dependentSchemas`)
//! adds nothing the rest of the schemas on it do not say: the passes treat
//! the schema met again as `true`. A loop through a choice (an `anyOf` /
//! `oneOf` of two or more members, `not`, `if`) has no such reading: is `S:
//! {oneOf: [{$ref: S}, {type: string}]}` a string or everything else? Such a
//! loop is refused, naming the pointers on it.

use std::collections::HashMap;

use serde_json::Value;

use crate::load::escape_segment;
use crate::walk;

/// A loop of schemas that consumes none of the value and passes through a
/// choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceLoop {
    /// The schemas on the loop, from the choice's member back to the schema
    /// that holds the choice (which is the first).
    pub pointers: Vec<String>,
}

/// [`choice_loops`] of a whole document, its references read as the
/// document's own: JSON pointers, and in a 3.1 document `$anchor` and `$id`
/// names ([`crate::v31::names`]).
pub fn in_document(doc: &Value) -> Loops {
    let names = if crate::v31::is_modern(doc) { crate::v31::names(doc) } else { Default::default() };
    let resolve = |_: &str, target: &str| Some(names.get(target).cloned().unwrap_or_else(|| target.to_owned())).filter(|t| t.starts_with('#'));
    loops(doc, &resolve)
}

/// What [`loops`] finds.
#[derive(Debug, Clone, Default)]
pub struct Loops {
    /// Loops through a choice, refused.
    pub choices: Vec<ChoiceLoop>,
    /// Every schema on a loop of either kind: a walk needs a visited set
    /// at these only.
    pub looping: std::collections::BTreeSet<String>,
}

/// The edges of one schema to the schemas it applies to the same value:
/// (target pointer, whether the edge is a choice).
fn edges(doc: &Value, at: &str, modern: bool, resolve: &dyn Fn(&str, &str) -> Option<String>) -> Vec<(String, bool)> {
    let Some(Value::Object(map)) = at.strip_prefix('#').and_then(|p| doc.pointer(p)) else { return Vec::new() };
    let mut out = Vec::new();
    for keyword in ["$ref", "$dynamicRef"] {
        if let Some(Value::String(target)) = map.get(keyword)
            && let Some(target) = resolve(at, target)
        {
            out.push((target, false));
        }
    }
    // OpenAPI 3.0: the siblings of `$ref` are ignored.
    if !modern && map.contains_key("$ref") {
        return out;
    }
    let child = |key: &str| format!("{at}/{}", escape_segment(key));
    for keyword in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(parts)) = map.get(keyword) {
            let choice = keyword != "allOf" && parts.len() > 1;
            out.extend((0..parts.len()).map(|i| (format!("{}/{i}", child(keyword)), choice)));
        }
    }
    for (keyword, choice) in [("not", true), ("if", true), ("then", false), ("else", false)] {
        if map.contains_key(keyword) && (keyword == "not" || modern) {
            out.push((child(keyword), choice));
        }
    }
    if modern && let Some(Value::Object(schemas)) = map.get("dependentSchemas") {
        out.extend(schemas.keys().map(|k| (format!("{}/{}", child("dependentSchemas"), escape_segment(k)), false)));
    }
    out
}

/// Every loop through a choice in `doc` (one per strongly connected group
/// of schemas), found from the targets of its references: a loop of schemas
/// always passes through one. `resolve(at, reference)` answers the pointer a
/// reference written at `at` names, `None` for one outside the document.
pub fn choice_loops(doc: &Value, resolve: &dyn Fn(&str, &str) -> Option<String>) -> Vec<ChoiceLoop> {
    loops(doc, resolve).choices
}

/// The loops of `doc` ([`choice_loops`], and every schema on any loop).
pub fn loops(doc: &Value, resolve: &dyn Fn(&str, &str) -> Option<String>) -> Loops {
    let modern = crate::v31::is_modern(doc);
    let mut starts = Vec::new();
    collect_refs(doc, "#", walk::Part::Root, resolve, &mut starts);
    starts.sort();
    starts.dedup();

    // Every schema reachable from them, with its edges, each read once.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut adjacency: Vec<Vec<(usize, bool)>> = Vec::new();
    let mut number = |pointer: &str, names: &mut Vec<String>| -> usize {
        *index.entry(pointer.to_owned()).or_insert_with(|| {
            names.push(pointer.to_owned());
            names.len() - 1
        })
    };
    for start in &starts {
        number(start, &mut names);
    }
    while adjacency.len() < names.len() {
        let at = names[adjacency.len()].clone();
        let targets: Vec<(usize, bool)> = edges(doc, &at, modern, resolve).into_iter().map(|(t, choice)| (number(&t, &mut names), choice)).collect();
        adjacency.push(targets);
    }
    let component = components(&adjacency);
    let groups = component.iter().copied().max().map_or(0, |m| m + 1);
    let mut size = vec![0usize; groups];
    for &c in &component {
        size[c] += 1;
    }
    let looping = (0..names.len())
        .filter(|&u| size[component[u]] > 1 || adjacency[u].iter().any(|&(v, _)| v == u))
        .map(|u| names[u].clone())
        .collect();

    // A choice edge inside a group lies on a loop: name the loop.
    let mut out = Vec::new();
    for id in 0..groups {
        let members = (0..names.len()).filter(|&u| component[u] == id);
        let choice = members.into_iter().find_map(|u| adjacency[u].iter().find(|&&(v, c)| c && component[v] == id).map(|&(v, _)| (u, v)));
        let Some((from, to)) = choice else { continue };
        // The shortest way back from `to` to `from` inside the group.
        let mut previous: HashMap<usize, usize> = HashMap::from([(to, to)]);
        let mut queue = std::collections::VecDeque::from([to]);
        while let Some(n) = queue.pop_front() {
            if n == from {
                break;
            }
            for &(m, _) in &adjacency[n] {
                if component[m] == id && !previous.contains_key(&m) {
                    previous.insert(m, n);
                    queue.push_back(m);
                }
            }
        }
        let mut path = vec![from];
        let mut n = from;
        while n != to {
            n = previous[&n];
            path.push(n);
        }
        path.reverse();
        let mut pointers: Vec<String> = vec![names[from].clone()];
        pointers.extend(path.into_iter().filter(|&n| n != from).map(|n| names[n].clone()));
        pointers.push(names[from].clone());
        out.push(ChoiceLoop { pointers });
    }
    out.sort_by(|a, b| a.pointers.cmp(&b.pointers));
    Loops { choices: out, looping }
}

/// The strongly connected component of each node (Tarjan's algorithm,
/// without recursion: a chain of schemas may be as long as the document).
fn components(adjacency: &[Vec<(usize, bool)>]) -> Vec<usize> {
    let n = adjacency.len();
    let (mut order, mut low) = (vec![usize::MAX; n], vec![0; n]);
    let mut on_stack = vec![false; n];
    let mut component = vec![usize::MAX; n];
    let (mut stack, mut counter, mut groups) = (Vec::new(), 0, 0);
    for root in 0..n {
        if order[root] != usize::MAX {
            continue;
        }
        // (node, next edge to follow)
        let mut frames = vec![(root, 0)];
        order[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&(node, next)) = frames.last() {
            if let Some(&(t, _)) = adjacency[node].get(next) {
                frames.last_mut().expect("a frame").1 += 1;
                if order[t] == usize::MAX {
                    order[t] = counter;
                    low[t] = counter;
                    counter += 1;
                    stack.push(t);
                    on_stack[t] = true;
                    frames.push((t, 0));
                } else if on_stack[t] {
                    low[node] = low[node].min(order[t]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == order[node] {
                while let Some(m) = stack.pop() {
                    on_stack[m] = false;
                    component[m] = groups;
                    if m == node {
                        break;
                    }
                }
                groups += 1;
            }
        }
    }
    component
}

fn collect_refs(v: &Value, at: &str, part: walk::Part, resolve: &dyn Fn(&str, &str) -> Option<String>, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for keyword in ["$ref", "$dynamicRef"] {
                if let Some(Value::String(target)) = map.get(keyword)
                    && let Some(target) = resolve(at, target)
                {
                    out.push(target);
                }
            }
            for (key, child) in map {
                if let Some(part) = part.child(key, child) {
                    collect_refs(child, &format!("{at}/{}", escape_segment(key)), part, resolve, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_refs(child, &format!("{at}/{i}"), part, resolve, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn local(_: &str, target: &str) -> Option<String> {
        target.starts_with('#').then(|| target.to_owned())
    }

    fn loops(schemas: Value) -> Vec<Vec<String>> {
        let doc = json!({"openapi": "3.1.0", "components": {"schemas": schemas}});
        choice_loops(&doc, &local).into_iter().map(|l| l.pointers).collect()
    }

    #[test]
    fn a_loop_through_a_choice_is_named_from_the_choice_back() {
        let found = loops(json!({"O": {"oneOf": [{"$ref": "#/components/schemas/O"}, {"type": "string"}]}}));
        assert_eq!(
            found,
            [["#/components/schemas/O", "#/components/schemas/O/oneOf/0", "#/components/schemas/O"]]
        );
        let found = loops(json!({
            "A": {"allOf": [{"$ref": "#/components/schemas/B"}]},
            "B": {"not": {"$ref": "#/components/schemas/A"}},
        }));
        assert_eq!(found.len(), 1);
        assert!(found[0].contains(&"#/components/schemas/B/not".to_owned()), "{found:?}");
        for keyword in ["if", "anyOf"] {
            let schema = if keyword == "if" {
                json!({"if": {"$ref": "#/components/schemas/S"}, "then": true})
            } else {
                json!({"anyOf": [{"$ref": "#/components/schemas/S"}, true]})
            };
            assert_eq!(loops(json!({"S": schema})).len(), 1, "{keyword}");
        }
    }

    #[test]
    fn conjunctive_loops_and_loops_that_consume_the_value_are_not_refused() {
        for schema in [
            json!({"allOf": [{"$ref": "#/components/schemas/S"}, {"type": "object"}]}),
            json!({"anyOf": [{"$ref": "#/components/schemas/S"}]}),
            json!({"if": true, "then": {"$ref": "#/components/schemas/S"}, "else": {"$ref": "#/components/schemas/S"}}),
            json!({"dependentSchemas": {"a": {"$ref": "#/components/schemas/S"}}}),
            json!({"anyOf": [{"items": {"$ref": "#/components/schemas/S"}}, {"type": "string"}]}),
            json!({"oneOf": [{"properties": {"a": {"$ref": "#/components/schemas/S"}}}, {"type": "string"}]}),
        ] {
            assert_eq!(loops(json!({"S": schema.clone()})), Vec::<Vec<String>>::new(), "{schema}");
        }
    }
}
