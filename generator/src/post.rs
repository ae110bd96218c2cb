//! Passes over the finished IR that need the whole type graph:
//! recursive aliases become newtypes, recursion through inline fields gets a
//! `Box`, types with no finite value are reported, and request types are
//! marked for builders.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::error::{Collector, ProblemKind};
use crate::ir::{Api, Pagination, Presence, Status, TypeDef, TypeKind, TypeRef};
use crate::naming::Namespace;

/// Runs every pass, in order.
pub(crate) fn finish(api: &mut Api, found: &mut Collector) {
    alias_cycles(api);
    order_unions(api);
    box_unions(api);
    box_recursion(api);
    check_inhabited(api, found);
    mark_inputs(api);
    api.error = shared_error(api);
    pagination(api);
}

/// The error body type every operation agrees on, if they do.
fn shared_error(api: &Api) -> Option<TypeRef> {
    let mut found: Option<&TypeRef> = None;
    for op in &api.operations {
        for r in &op.responses {
            let error = matches!(r.status, Status::Default | Status::Range(4..=5) | Status::Code(400..=599));
            let Some(ty) = r.ty.as_ref().filter(|_| error) else { continue };
            match found {
                None => found = Some(ty),
                Some(seen) if seen == ty => {}
                Some(_) => return None,
            }
        }
    }
    found.cloned()
}

/// Follows aliases to the type they name.
pub(crate) fn resolve_alias<'a>(api: &'a Api, t: &'a TypeRef) -> &'a TypeRef {
    let mut t = t;
    for _ in 0..64 {
        match t {
            TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
                Some(TypeKind::Alias(target)) => t = target,
                _ => return t,
            },
            _ => return t,
        }
    }
    t
}

/// A list operation (its success body is `List<T>`) whose params have a
/// `starting_after` string field, and whose items have a required string
/// `id`, can be walked page by page.
fn pagination(api: &mut Api) {
    let mut found = Vec::new();
    let mut methods = Namespace::snake(crate::build::RESERVED_METHOD_NAMES);
    for op in &api.operations {
        methods.claim(&op.ident);
        for alternative in op.responses.iter().flat_map(|r| &r.others) {
            methods.claim(&alternative.method);
        }
    }
    for (i, op) in api.operations.iter().enumerate() {
        let Some(TypeRef::List(item)) = op.success().and_then(|r| r.ty.as_ref()).map(|t| resolve_alias(api, t)) else {
            continue;
        };
        let Some(params) = op.params.as_ref().and_then(|p| api.struct_def(p)) else { continue };
        let cursor = |wire: &str| {
            params
                .fields
                .iter()
                .find(|f| f.wire == wire && f.ty == TypeRef::String && !f.required)
                .map(|f| f.ident.clone())
        };
        let Some(starting_after) = cursor("starting_after") else { continue };
        let TypeRef::Named(item_name) = item.as_ref() else { continue };
        let Some(id) = api
            .struct_def(item_name)
            .and_then(|s| s.fields.iter().find(|f| f.wire == "id" && f.ty == TypeRef::String && f.required && !f.nullable))
        else {
            continue;
        };
        found.push((
            i,
            Pagination {
                item: (**item).clone(),
                starting_after,
                ending_before: cursor("ending_before"),
                id_field: id.ident.clone(),
                stream: methods.claim(&format!("{}_stream", op.ident.trim_start_matches("r#"))),
            },
        ));
    }
    for (i, p) in found {
        api.operations[i].pagination = Some(p);
    }
}

/// Every `TypeRef` held by a type (fields, extra map, variants, alias target).
fn refs(def: &TypeDef) -> Vec<&TypeRef> {
    match &def.kind {
        TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).chain(s.extra.as_ref().map(|e| &e.value)).collect(),
        TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Alias(t) | TypeKind::Newtype(t) => vec![t],
        TypeKind::Enum(_) => Vec::new(),
    }
}

fn refs_mut(def: &mut TypeDef) -> Vec<&mut TypeRef> {
    match &mut def.kind {
        TypeKind::Struct(s) => {
            s.fields.iter_mut().map(|f| &mut f.ty).chain(s.extra.as_mut().map(|e| &mut e.value)).collect()
        }
        TypeKind::Union(u) => u.variants.iter_mut().map(|v| &mut v.ty).collect(),
        TypeKind::Alias(t) | TypeKind::Newtype(t) => vec![t],
        TypeKind::Enum(_) => Vec::new(),
    }
}

/// Names a type mentions; `inline_only` keeps those held without indirection.
fn edges(def: &TypeDef, inline_only: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for r in refs(def) {
        r.visit_named(true, &mut |name, inline| {
            if inline || !inline_only {
                out.insert(name.to_owned());
            }
        });
    }
    out
}

/// Strongly connected components (Tarjan, iterative). Returns a component
/// index per node; a node is cyclic when its component has more than one
/// member or it has an edge to itself.
fn components(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, usize> {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut low: BTreeMap<&str, usize> = BTreeMap::new();
    let mut on_stack: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut comp: BTreeMap<String, usize> = BTreeMap::new();
    let mut next = 0;
    let mut count = 0;
    for root in graph.keys() {
        if index.contains_key(root.as_str()) {
            continue;
        }
        // (node, iterator position over its successors)
        let mut work: Vec<(&str, Vec<&str>, usize)> = Vec::new();
        let succ = |n: &str| -> Vec<&str> {
            graph.get(n).map(|s| s.iter().map(String::as_str).filter(|m| graph.contains_key(*m)).collect()).unwrap_or_default()
        };
        index.insert(root, next);
        low.insert(root, next);
        next += 1;
        stack.push(root);
        on_stack.insert(root);
        work.push((root, succ(root), 0));
        while let Some((node, succs, pos)) = work.last_mut() {
            if *pos < succs.len() {
                let m = succs[*pos];
                *pos += 1;
                if !index.contains_key(m) {
                    index.insert(m, next);
                    low.insert(m, next);
                    next += 1;
                    stack.push(m);
                    on_stack.insert(m);
                    let s = succ(m);
                    work.push((m, s, 0));
                } else if on_stack.contains(m) {
                    let v = low[*node].min(index[m]);
                    low.insert(node, v);
                }
            } else {
                let node = *node;
                work.pop();
                if let Some((parent, _, _)) = work.last() {
                    let v = low[*parent].min(low[node]);
                    low.insert(parent, v);
                }
                if low[node] == index[node] {
                    while let Some(m) = stack.pop() {
                        on_stack.remove(m);
                        comp.insert(m.to_owned(), count);
                        if m == node {
                            break;
                        }
                    }
                    count += 1;
                }
            }
        }
    }
    comp
}

fn cyclic(graph: &BTreeMap<String, BTreeSet<String>>) -> (BTreeMap<String, usize>, BTreeSet<String>) {
    let comp = components(graph);
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for c in comp.values() {
        *sizes.entry(*c).or_default() += 1;
    }
    let cyclic = graph
        .iter()
        .filter(|(n, succ)| sizes[&comp[*n]] > 1 || succ.contains(*n))
        .map(|(n, _)| n.clone())
        .collect();
    (comp, cyclic)
}

/// `type A = Vec<A>` does not compile: an alias on a cycle made only of
/// aliases becomes a transparent newtype.
fn alias_cycles(api: &mut Api) {
    let graph: BTreeMap<String, BTreeSet<String>> = api
        .types
        .iter()
        .filter(|(_, t)| matches!(t.kind, TypeKind::Alias(_)))
        .map(|(n, t)| (n.clone(), edges(t, false)))
        .collect();
    let (_, cyclic) = cyclic(&graph);
    for name in cyclic {
        if let Some(def) = api.types.get_mut(&name)
            && let TypeKind::Alias(target) = &def.kind
        {
            def.kind = TypeKind::Newtype(target.clone());
        }
    }
}

/// Untagged unions take the first variant that deserializes, and serde lets
/// a struct deserialize from a JSON array: arrays go before named types, and
/// catch-alls (maps, any JSON) last. Otherwise the spec's order stands.
fn order_unions(api: &mut Api) {
    fn rank(t: &TypeRef) -> u8 {
        match t {
            TypeRef::Vec(_) => 0,
            TypeRef::Map(_) | TypeRef::Json => 2,
            TypeRef::Option(inner) | TypeRef::Box(inner) => rank(inner),
            _ => 1,
        }
    }
    for def in api.types.values_mut() {
        if let TypeKind::Union(u) = &mut def.kind {
            u.variants.sort_by_key(|v| rank(&v.ty));
        }
    }
}

/// Struct variants of unions are boxed, so one large variant does not make
/// every value large.
fn box_unions(api: &mut Api) {
    let structs: BTreeSet<String> =
        api.types.iter().filter(|(_, t)| matches!(t.kind, TypeKind::Struct(_))).map(|(n, _)| n.clone()).collect();
    for def in api.types.values_mut() {
        if let TypeKind::Union(u) = &mut def.kind {
            for v in &mut u.variants {
                if matches!(&v.ty, TypeRef::Named(n) if structs.contains(n)) {
                    v.ty = TypeRef::Box(Box::new(v.ty.clone()));
                }
            }
        }
    }
}

/// Wraps in `Box` every inline reference that closes a cycle of inline
/// references (which would otherwise be a type of infinite size).
fn box_recursion(api: &mut Api) {
    // Aliases take part: `type B = Option<A>` inside `A` is a cycle too.
    let graph: BTreeMap<String, BTreeSet<String>> =
        api.types.iter().map(|(n, t)| (n.clone(), edges(t, true))).collect();
    let (comp, cyclic) = cyclic(&graph);
    for (name, def) in api.types.iter_mut() {
        if !cyclic.contains(name) {
            continue;
        }
        let own = comp[name];
        for r in refs_mut(def) {
            box_inline(r, &|n| comp.get(n) == Some(&own));
        }
    }
}

fn box_inline(r: &mut TypeRef, same: &dyn Fn(&str) -> bool) {
    match r {
        TypeRef::Named(n) if same(n) => *r = TypeRef::Box(Box::new(r.clone())),
        TypeRef::Option(inner) | TypeRef::OrEmpty(inner) => box_inline(inner, same),
        _ => {}
    }
}

/// A struct whose required, non-nullable fields lead back to itself has no
/// finite value (no JSON document can satisfy it): report it.
fn check_inhabited(api: &Api, found: &mut Collector) {
    // A worklist: a type is checked once, then again only when a type it
    // names becomes inhabited (a sweep until nothing changes would take a
    // pass per link of a long chain of aliases).
    let mut dependents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, def) in &api.types {
        for r in refs(def) {
            r.visit_named(true, &mut |named, _| {
                if let Some((key, _)) = api.types.get_key_value(named) {
                    dependents.entry(key.as_str()).or_default().push(name.as_str());
                }
            });
        }
    }
    let mut inhabited: BTreeSet<&str> = BTreeSet::new();
    let mut queue: VecDeque<&str> = api.types.keys().map(String::as_str).collect();
    while let Some(name) = queue.pop_front() {
        if inhabited.contains(name) {
            continue;
        }
        let ok = |t: &TypeRef| ref_inhabited(t, &inhabited);
        let yes = match &api.types[name].kind {
            TypeKind::Struct(s) => s.fields.iter().filter(|f| f.presence() == Presence::Required).all(|f| ok(&f.ty)),
            TypeKind::Union(u) => u.variants.iter().any(|v| ok(&v.ty)),
            TypeKind::Alias(t) | TypeKind::Newtype(t) => ok(t),
            TypeKind::Enum(_) => true,
        };
        if yes {
            inhabited.insert(name);
            queue.extend(dependents.get(name).into_iter().flatten().filter(|d| !inhabited.contains(*d)));
        }
    }
    let mut reported: BTreeSet<&str> = BTreeSet::new();
    for (name, def) in &api.types {
        if inhabited.contains(name.as_str()) || reported.contains(name.as_str()) {
            continue;
        }
        // Walk required fields through uninhabited types until one repeats.
        let mut path: Vec<&str> = vec![name];
        let mut on_path: BTreeSet<&str> = BTreeSet::from([name.as_str()]);
        let mut current = def;
        loop {
            let next = required_successor(current, &inhabited);
            match next {
                Some(n) if reported.contains(n) => break,
                Some(n) if on_path.contains(n) => {
                    let start = path.iter().position(|p| *p == n).unwrap_or(0);
                    let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                    cycle.push(n.to_owned());
                    if cycle.iter().all(|c| !reported.contains(c.as_str())) {
                        let at = api.types[n].pointer.clone();
                        found.push(at, ProblemKind::RequiredCycle(cycle));
                    }
                    break;
                }
                Some(n) => {
                    path.push(n);
                    on_path.insert(n);
                    current = &api.types[n];
                }
                None => break,
            }
        }
        reported.extend(path);
    }
}

fn ref_inhabited(t: &TypeRef, inhabited: &BTreeSet<&str>) -> bool {
    match t {
        TypeRef::Named(n) => inhabited.contains(n.as_str()),
        TypeRef::Box(inner) => ref_inhabited(inner, inhabited),
        _ => true,
    }
}

fn required_successor<'a>(def: &'a TypeDef, inhabited: &BTreeSet<&str>) -> Option<&'a str> {
    let named = |t: &'a TypeRef| -> Option<&'a str> {
        let mut t = t;
        while let TypeRef::Box(inner) = t {
            t = inner;
        }
        match t {
            TypeRef::Named(n) if !inhabited.contains(n.as_str()) => Some(n.as_str()),
            _ => None,
        }
    };
    match &def.kind {
        TypeKind::Struct(s) => {
            s.fields.iter().filter(|f| f.presence() == Presence::Required).find_map(|f| named(&f.ty))
        }
        TypeKind::Union(u) => u.variants.iter().find_map(|v| named(&v.ty)),
        TypeKind::Alias(t) | TypeKind::Newtype(t) => named(t),
        TypeKind::Enum(_) => None,
    }
}

/// Types reachable from an operation's params struct, or from a body that
/// is not one (each line of JSON lines), are request types.
fn mark_inputs(api: &mut Api) {
    let mut queue: VecDeque<String> = api.operations.iter().filter_map(|o| o.params.clone()).collect();
    for ty in api.operations.iter().filter_map(|o| o.body.as_ref()?.ty.as_ref()) {
        ty.visit_named(true, &mut |name, _| queue.push_back(name.to_owned()));
    }
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some(name) = queue.pop_front() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(def) = api.types.get(&name) {
            queue.extend(edges(def, false));
        }
    }
    for name in seen {
        if let Some(def) = api.types.get_mut(&name) {
            def.input = true;
        }
    }
}
