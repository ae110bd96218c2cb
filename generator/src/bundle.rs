//! Specs split across files: every `$ref` to another file (YAML or JSON,
//! relative to the file that holds it, with or without a JSON pointer) is
//! brought into one document whose references are all internal, as
//! bundlers do. Every command reads a tree through this: the rest of the
//! project sees one document.
//!
//! Where a referenced part goes: a component (`#/components/<kind>/<name>`)
//! of the kind its place asks for (a parameter, a response, a request
//! body, a header, an example, a link, a callback, a security scheme, or a
//! schema anywhere else); a path item, or a component written in another
//! file, is put in place. Its name is the last segment of the pointer, or
//! the file's name without its extension when the reference names the
//! whole file; characters a component name may not hold become `_`; a name
//! already taken gets `_2`, `_3`, ... in the order references are met
//! (document order, depth first), so the result is deterministic.
//!
//! Bounds: files outside the root file's folder (reached through `..` or a
//! symbolic link) are refused unless allowed; a file over [`MAX_FILE`]
//! bytes, more than [`MAX_FILES`] files, a reference to a URL, a missing
//! file or pointer, a symbolic link loop: each a problem naming the
//! reference, its file and its line.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Problem, ProblemKind, Problems};
use crate::load::escape_segment;

/// The largest file a tree may hold.
pub const MAX_FILE: u64 = 64 << 20;
/// The most files a tree may hold.
pub const MAX_FILES: usize = 10_000;

/// How a tree may be read.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Files outside the root file's folder may be read.
    pub allow_outside: bool,
    /// Where local copies of URLs are: (URL prefix, folder or file).
    pub mappings: Vec<(String, PathBuf)>,
}

/// Whether `doc` refers to other files: a `$ref` that is no JSON pointer
/// and no `$id` of the document's own (3.1 schemas name each other so).
pub fn has_external_refs(doc: &Value) -> bool {
    let ids = own_ids(doc);
    let mut found = false;
    refs(doc, &mut |r| found |= is_external(r, &ids));
    found
}

/// The `$id`s of a document's schemas, without fragments.
fn own_ids(doc: &Value) -> std::collections::BTreeSet<String> {
    crate::v31::names(doc).into_keys().filter(|k| !k.starts_with('#')).map(|k| k.split('#').next().unwrap_or_default().to_owned()).collect()
}

fn is_external(reference: &str, ids: &std::collections::BTreeSet<String>) -> bool {
    !reference.starts_with('#') && !ids.contains(reference.split('#').next().unwrap_or_default())
}

fn refs(v: &Value, found: &mut impl FnMut(&str)) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                found(r);
            }
            for (k, child) in map {
                if k == "default" || !is_data(k) {
                    refs(child, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| refs(i, found)),
        _ => {}
    }
}

/// The single-document equivalent of the tree rooted at `root`.
pub fn bundle(root: &Path, options: &Options) -> Result<Value, Error> {
    tree(root, options).map(|(doc, _)| doc)
}

/// Where the parts of a bundle came from, to name the file and line of a
/// pointer into it.
#[derive(Debug, Clone)]
pub struct Tree {
    root: PathBuf,
    /// (pointer in the bundle, file, pointer in the file), longest first.
    origins: Vec<(String, PathBuf, String)>,
    texts: HashMap<PathBuf, String>,
}

impl Tree {
    /// The file a pointer into the bundle is in (`None`: the root file),
    /// the pointer there, and its line in that file.
    pub fn locate(&self, pointer: &str) -> (Option<String>, String, Option<usize>) {
        let within = |prefix: &str| pointer == prefix || pointer.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'));
        let (file, local) = match self.origins.iter().find(|(prefix, ..)| within(prefix)) {
            Some((prefix, file, there)) => (file, format!("{}{}", there, &pointer[prefix.len()..])),
            None => (&self.root, pointer.to_owned()),
        };
        let line = self.texts.get(file).and_then(|text| crate::locate::line_of(text, &local));
        let shown = (file != &self.root).then(|| file.display().to_string());
        (shown, local, line)
    }
}

impl Tree {
    /// A pointer into the bundle as a reference to where it was written:
    /// `models/order.yaml#/properties/id` (relative to the root file's
    /// folder), or the pointer itself for a part of the root file.
    pub fn reference(&self, pointer: &str) -> String {
        match self.locate(pointer) {
            (Some(file), local, _) => {
                let folder = self.root.parent().unwrap_or(Path::new(""));
                let path = Path::new(&file);
                let shown = path.strip_prefix(folder).unwrap_or(path).display().to_string();
                format!("{shown}{local}")
            }
            (None, local, _) => local,
        }
    }
}

/// [`bundle`], and where each part came from. Runs on a thread with a
/// large stack: a chain of references may be as long as the tree.
pub fn tree(root: &Path, options: &Options) -> Result<(Value, Tree), Error> {
    crate::with_stack(|| bundle_here(root, options))
}

fn bundle_here(root: &Path, options: &Options) -> Result<(Value, Tree), Error> {
    let canonical = root.canonicalize().map_err(|source| Error::Read { path: root.to_owned(), source })?;
    let folder = canonical.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut b = Bundler { options, folder, root: canonical.clone(), ids: Default::default(), files: HashMap::new(), texts: HashMap::new(), placed: HashMap::new(), inlining: Vec::new(), taken: BTreeMap::new(), added: Vec::new(), origins: Vec::new(), problems: Vec::new() };
    let mut doc = match b.read(&canonical) {
        Ok(doc) => doc.clone(),
        Err(kind) => return Err(b.fail(root, "#", kind)),
    };
    b.ids = own_ids(&doc);
    // Names the root document already uses.
    for (kind, entries) in doc.pointer("/components").and_then(Value::as_object).into_iter().flatten() {
        for name in entries.as_object().into_iter().flatten().map(|(n, _)| n) {
            b.taken.entry(kind.clone()).or_default().push(name.clone());
        }
    }
    // A component the root defines by a reference to another file is that
    // file's part wherever else it is referenced: known before the walk.
    for (kind, entries) in doc.pointer("/components").and_then(Value::as_object).into_iter().flatten() {
        for (name, entry) in entries.as_object().into_iter().flatten() {
            if let Some(reference) = entry.get("$ref").and_then(Value::as_str).filter(|r| !r.starts_with('#'))
                && let Ok(target) = b.target(&canonical, reference)
            {
                let here = format!("#/components/{}/{}", escape_segment(kind), escape_segment(name));
                b.placed.entry(target).or_insert(here);
            }
        }
    }
    b.walk(&mut doc, &canonical, &mut vec![], &mut vec![]);
    if !b.problems.is_empty() {
        return Err(Error::Spec(Problems { source: root.display().to_string(), problems: std::mem::take(&mut b.problems) }));
    }
    let components = doc.as_object_mut().map(|d| d.entry("components").or_insert_with(|| Value::Object(Map::new())));
    if let Some(Value::Object(components)) = components {
        for (kind, name, value) in std::mem::take(&mut b.added) {
            let entries = components.entry(kind).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(entries) = entries {
                entries.insert(name, value);
            }
        }
    }
    let mut origins = std::mem::take(&mut b.origins);
    origins.sort_by_key(|(prefix, ..)| std::cmp::Reverse(prefix.len()));
    Ok((doc, Tree { root: b.root.clone(), origins, texts: std::mem::take(&mut b.texts) }))
}

struct Bundler<'o> {
    options: &'o Options,
    folder: PathBuf,
    root: PathBuf,
    /// The root document's own `$id`s.
    ids: std::collections::BTreeSet<String>,
    files: HashMap<PathBuf, Value>,
    texts: HashMap<PathBuf, String>,
    /// (file, pointer in it) to the pointer it has in the bundle.
    placed: HashMap<(PathBuf, String), String>,
    /// The parts being put in place, outermost first: a reference back to
    /// one of them is a loop, which would put a part inside itself forever.
    inlining: Vec<(PathBuf, String)>,
    /// Component names in use, by kind.
    taken: BTreeMap<String, Vec<String>>,
    /// Components brought in: (kind, name, value).
    added: Vec<(String, String, Value)>,
    /// Where parts of the bundle came from: (pointer in the bundle, file,
    /// pointer in the file).
    origins: Vec<(String, PathBuf, String)>,
    problems: Vec<Problem>,
}

/// The component kind a reference at `segments` (its place in the bundle)
/// asks for; `None` where the part is put in place.
fn kind_at(segments: &[String]) -> Option<&'static str> {
    let n = segments.len();
    let last = |i: usize| if n > i { segments[n - 1 - i].as_str() } else { "" };
    if n == 2 && segments[0] == "paths" {
        return None;
    }
    if n == 3 && segments[0] == "components" {
        return None;
    }
    if n == 2 && (segments[0] == "webhooks" || segments[0] == "x-webhooks") {
        return None;
    }
    Some(match (last(1), last(0)) {
        ("parameters", _) => "parameters",
        ("responses", _) if last(2) != "properties" => "responses",
        (_, "requestBody") => "requestBodies",
        ("headers", _) => "headers",
        ("examples", _) if last(2) != "properties" => "examples",
        ("links", _) => "links",
        ("callbacks", _) => "callbacks",
        ("securitySchemes", _) => "securitySchemes",
        _ => "schemas",
    })
}

impl Bundler<'_> {
    fn fail(&self, file: &Path, pointer: &str, kind: ProblemKind) -> Error {
        let line = self.texts.get(file).and_then(|t| crate::locate::line_of(t, pointer));
        Error::Spec(Problems { source: file.display().to_string(), problems: vec![Problem { pointer: pointer.to_owned(), line, kind, file: None }] })
    }

    fn problem(&mut self, file: &Path, pointer: &str, message: String) {
        let line = self.texts.get(file).and_then(|t| crate::locate::line_of(t, pointer));
        let kind = ProblemKind::Tree(message);
        let file = (file != self.root).then(|| file.display().to_string());
        self.problems.push(Problem { pointer: pointer.to_owned(), line, kind, file });
    }

    /// A file of the tree, read once.
    fn read(&mut self, path: &Path) -> Result<&Value, ProblemKind> {
        if !self.files.contains_key(path) {
            if self.files.len() >= MAX_FILES {
                return Err(ProblemKind::Tree(format!("more than {MAX_FILES} files")));
            }
            let size = std::fs::metadata(path).map_err(|e| ProblemKind::Tree(format!("cannot read {}: {e}", path.display())))?.len();
            if size > MAX_FILE {
                return Err(ProblemKind::Tree(format!("{} is {size} bytes, over the limit of {MAX_FILE}", path.display())));
            }
            let text = std::fs::read_to_string(path).map_err(|e| ProblemKind::Tree(format!("cannot read {}: {e}", path.display())))?;
            let value = crate::load::parse_text(&text).map_err(|p| ProblemKind::Tree(format!("{}: {}", path.display(), p.kind)))?;
            self.texts.insert(path.to_owned(), text);
            self.files.insert(path.to_owned(), value);
        }
        Ok(&self.files[path])
    }

    /// The file and pointer a reference written in `file` names.
    fn target(&self, file: &Path, reference: &str) -> Result<(PathBuf, String), String> {
        let (location, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let fragment = percent_decode(fragment);
        if location.is_empty() {
            return Ok((file.to_owned(), fragment));
        }
        // A URL is read from the local copy it is mapped to, wherever that is.
        let (local, mapped) = if location.contains("://") {
            let mapped = self.options.mappings.iter().find(|(prefix, _)| location.starts_with(prefix.as_str()));
            match mapped {
                Some((prefix, to)) => (to.join(location[prefix.len()..].trim_start_matches('/')), true),
                None => return Err(format!("`{reference}` is a URL: references are read from files only (no network); map it to a local copy")),
            }
        } else {
            (file.parent().unwrap_or(Path::new(".")).join(percent_decode(location)), false)
        };
        let canonical = local.canonicalize().map_err(|e| format!("`{reference}`: cannot read {}: {e}", local.display()))?;
        if !mapped && !self.options.allow_outside && !canonical.starts_with(&self.folder) {
            return Err(format!("`{reference}` reaches {}, outside the spec's folder {} (`--allow-outside` reads it)", canonical.display(), self.folder.display()));
        }
        Ok((canonical, fragment))
    }

    /// Rewrites the references under `value` (in `file`, at `segments` of
    /// the bundle).
    /// `segments`: where `value` is in the bundle; `local`: where it is in
    /// `file`.
    fn walk(&mut self, value: &mut Value, file: &Path, segments: &mut Vec<String>, local: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref").cloned().as_ref() {
                    self.reference(map, reference, file, segments, local);
                }
                let in_responses = segments.last().is_some_and(|s| s == "responses");
                for (key, child) in map.iter_mut() {
                    // `default` is data in a schema, the default response in
                    // `responses`.
                    if key == "$ref" || (is_data(key) && !(key == "default" && in_responses)) {
                        continue;
                    }
                    segments.push(key.clone());
                    local.push(key.clone());
                    self.walk(child, file, segments, local);
                    local.pop();
                    segments.pop();
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    segments.push(i.to_string());
                    local.push(i.to_string());
                    self.walk(item, file, segments, local);
                    local.pop();
                    segments.pop();
                }
            }
            _ => {}
        }
    }

    fn reference(&mut self, map: &mut Map<String, Value>, reference: &str, file: &Path, segments: &mut Vec<String>, local: &[String]) {
        let at = format!("{}/$ref", pointer_of(local));
        // A pointer into the root document, or one of its `$id`s, stays as
        // written.
        if self.is_root(file) && !is_external(reference, &self.ids) {
            return;
        }
        let (target_file, pointer) = match self.target(file, reference) {
            Ok(t) => t,
            Err(message) => return self.problem(file, &at, message),
        };
        if self.is_root(&target_file) {
            map.insert("$ref".into(), Value::String(format!("#{pointer}")));
            return;
        }
        let content = match self.read(&target_file) {
            Ok(doc) => doc.pointer(&pointer).cloned(),
            Err(kind) => return self.problem(file, &at, kind.to_string()),
        };
        let Some(mut content) = content else {
            return self.problem(file, &at, format!("`{reference}`: nothing at `#{pointer}` in {}", target_file.display()));
        };
        match kind_at(segments) {
            None => {
                // Put in place: its own references are read from its file.
                // A component written in another file is that file's part:
                // other references to it name the component.
                if segments.len() == 3 && segments[0] == "components" {
                    let here = format!("#/components/{}/{}", escape_segment(&segments[1]), escape_segment(&segments[2]));
                    self.placed.entry((target_file.clone(), pointer.clone())).or_insert(here);
                }
                let key = (target_file.clone(), pointer.clone());
                if let Some(start) = self.inlining.iter().position(|part| *part == key) {
                    let shown = |(file, pointer): &(PathBuf, String)| {
                        let file = file.strip_prefix(&self.folder).unwrap_or(file).display().to_string();
                        format!("{file}#{pointer}")
                    };
                    let chain: Vec<String> = self.inlining[start..].iter().chain([&key]).map(shown).collect();
                    return self.problem(file, &at, format!("`{reference}` puts a part inside itself: a loop of references, {}", chain.join(" -> ")));
                }
                map.remove("$ref");
                self.origins.push((pointer_of(segments), target_file.clone(), format!("#{pointer}")));
                let mut inner_local = split_pointer(&pointer);
                self.inlining.push(key);
                self.walk(&mut content, &target_file, segments, &mut inner_local);
                self.inlining.pop();
                if let Value::Object(inner) = content {
                    for (k, v) in inner {
                        map.entry(k).or_insert(v);
                    }
                }
            }
            Some(kind) => {
                let key = (target_file.clone(), pointer.clone());
                let bundled = match self.placed.get(&key) {
                    Some(bundled) => bundled.clone(),
                    None => {
                        let name = self.name(kind, &target_file, &pointer);
                        let bundled = format!("#/components/{kind}/{}", escape_segment(&name));
                        self.placed.insert(key, bundled.clone());
                        let mut inner = vec!["components".to_owned(), kind.to_owned(), name.clone()];
                        self.origins.push((pointer_of(&inner), target_file.clone(), format!("#{pointer}")));
                        let mut inner_local = split_pointer(&pointer);
                        self.walk(&mut content, &target_file, &mut inner, &mut inner_local);
                        self.added.push((kind.to_owned(), name, content));
                        bundled
                    }
                };
                map.insert("$ref".into(), Value::String(bundled));
            }
        }
    }

    fn is_root(&self, file: &Path) -> bool {
        file == self.root
    }

    /// A free name for a part brought in as a component of `kind`.
    fn name(&mut self, kind: &str, file: &Path, pointer: &str) -> String {
        let last = pointer.rsplit('/').next().filter(|s| !s.is_empty()).map(|s| s.replace("~1", "/").replace("~0", "~"));
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "part".into());
        let base: String = last.unwrap_or(stem).chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
        let taken = self.taken.entry(kind.to_owned()).or_default();
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        taken.push(name.clone());
        name
    }
}

/// A JSON pointer (`#/a/b`) of segments.
pub(crate) fn pointer_of(segments: &[String]) -> String {
    format!("#{}", segments.iter().map(|s| format!("/{}", escape_segment(s))).collect::<String>())
}

/// The segments of a JSON pointer (`/a/b`, without `#`).
pub(crate) fn split_pointer(pointer: &str) -> Vec<String> {
    pointer.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect()
}

/// Keys whose values are data, not parts of the document (extensions other
/// than `x-webhooks` included).
fn is_data(key: &str) -> bool {
    matches!(key, "example" | "enum" | "const" | "default") || (key.starts_with("x-") && key != "x-webhooks")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(Ok(b)) = text.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16))
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
