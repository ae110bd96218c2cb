//! Specs split across files (`openapi_codegen::bundle`): a tree generates
//! the same modules as its bundle, parts are named as documented, and bad
//! trees (a missing file, a file outside the folder, a URL, a symbolic link
//! loop, a huge file, too many files) are refused with a clear error
//! naming the reference, quickly and in bounded memory.

use std::path::{Path, PathBuf};

use contract_tests::root;
use openapi_codegen::bundle::{self, Options};
use openapi_codegen::{Document, Generator};
use serde_json::Value;

fn shop() -> PathBuf {
    root().join("tests/trees/shop/openapi.yaml")
}

/// A fresh folder for a test's own tree.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trees-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A root document whose one response schema is `reference`.
fn root_with(reference: &str) -> String {
    format!(
        "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '{reference}'\n"
    )
}

fn refused(path: &Path, options: &Options) -> String {
    let started = std::time::Instant::now();
    let error = bundle::bundle(path, options).expect_err("refused").to_string();
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "{error}");
    error
}

#[test]
fn a_tree_generates_the_modules_of_its_bundle() {
    let generator = Generator::new();
    let tree = Document::from_path(&shop()).unwrap();
    let bundled = bundle::bundle(&shop(), &Options::default()).unwrap();
    let single = Document::from_text("bundle.json", serde_json::to_string_pretty(&bundled).unwrap()).unwrap();
    let modules = |doc: &Document| generator.modules(&generator.build(doc).unwrap()).unwrap();
    assert_eq!(modules(&tree), modules(&single));

    // Every reference is internal; each file's part is there once, named
    // by its pointer's last segment or its file name.
    assert!(!bundle::has_external_refs(&bundled));
    let schemas: Vec<&String> = bundled["components"]["schemas"].as_object().unwrap().keys().collect();
    assert_eq!(schemas, ["Error", "line", "Address", "Customer", "order"]);
    assert_eq!(bundled["components"]["parameters"]["limit"]["name"], "limit");
    assert_eq!(bundled["components"]["responses"]["Problem"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Error");
    // The loop across files (an order's customer has orders) closes.
    assert_eq!(bundled["components"]["schemas"]["Customer"]["properties"]["orders"]["items"]["$ref"], "#/components/schemas/order");
    assert_eq!(bundled["components"]["schemas"]["order"]["properties"]["replaces"]["$ref"], "#/components/schemas/order");
    // Path items are put in place.
    assert_eq!(bundled["paths"]["/orders/{order}"]["get"]["operationId"], "getOrder");
}

#[test]
fn names_taken_get_a_number_in_the_order_met() {
    let dir = folder("names");
    write(&dir, "a/item.yaml", "type: string\n");
    write(&dir, "b/item.yaml", "type: integer\n");
    let root = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    item: {type: boolean}\n    pair:\n      type: object\n      properties:\n        a: {$ref: a/item.yaml}\n        b: {$ref: b/item.yaml}\n";
    write(&dir, "openapi.yaml", root);
    let bundled = bundle::bundle(&dir.join("openapi.yaml"), &Options::default()).unwrap();
    let pair = &bundled["components"]["schemas"]["pair"]["properties"];
    assert_eq!((pair["a"]["$ref"].as_str(), pair["b"]["$ref"].as_str()), (Some("#/components/schemas/item_2"), Some("#/components/schemas/item_3")));
    assert_eq!(bundled["components"]["schemas"]["item_3"]["type"], "integer");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_trees_are_refused_naming_the_reference() {
    let dir = folder("bad");
    // A missing file.
    write(&dir, "missing.yaml", &root_with("models/nowhere.yaml"));
    let error = refused(&dir.join("missing.yaml"), &Options::default());
    assert!(error.contains("`models/nowhere.yaml`") && error.contains("cannot read") && error.contains(":13:"), "{error}");
    // A pointer that names nothing.
    write(&dir, "models/thing.yaml", "Thing: {type: string}\n");
    write(&dir, "pointer.yaml", &root_with("models/thing.yaml#/Other"));
    let error = refused(&dir.join("pointer.yaml"), &Options::default());
    assert!(error.contains("nothing at `#/Other`"), "{error}");
    // Outside the folder: refused unless allowed.
    let outside = folder("outside");
    write(&outside, "far.yaml", "type: string\n");
    let far = format!("../{}/far.yaml", outside.file_name().unwrap().to_string_lossy());
    write(&dir, "outside.yaml", &root_with(&far));
    let error = refused(&dir.join("outside.yaml"), &Options::default());
    assert!(error.contains("outside the spec's folder"), "{error}");
    assert!(bundle::bundle(&dir.join("outside.yaml"), &Options { allow_outside: true, ..Options::default() }).is_ok());
    // A URL: no network.
    write(&dir, "url.yaml", &root_with("https://example.com/schemas/thing.yaml"));
    let error = refused(&dir.join("url.yaml"), &Options::default());
    assert!(error.contains("is a URL") && error.contains("no network"), "{error}");
    // A URL mapped to a local copy is read from it.
    let mapped = Options { mappings: vec![("https://example.com/".into(), dir.join("models"))], ..Options::default() };
    write(&dir, "models/schemas/thing.yaml", "type: string\n");
    assert!(bundle::bundle(&dir.join("url.yaml"), &mapped).is_ok());
    // A mapped copy is read wherever it is (the mapping says so).
    write(&outside, "schemas/thing.yaml", "type: string\n");
    let mapped_outside = Options { mappings: vec![("https://example.com/".into(), outside.clone())], ..Options::default() };
    assert!(bundle::bundle(&dir.join("url.yaml"), &mapped_outside).is_ok());
    // A symbolic link loop.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("loop-b.yaml"), dir.join("loop-a.yaml")).unwrap();
        std::os::unix::fs::symlink(dir.join("loop-a.yaml"), dir.join("loop-b.yaml")).unwrap();
        write(&dir, "symlinks.yaml", &root_with("loop-a.yaml"));
        let error = refused(&dir.join("symlinks.yaml"), &Options::default());
        assert!(error.contains("`loop-a.yaml`") && error.contains("cannot read"), "{error}");
    }
    // A 1 GiB file (sparse: nothing is written) is refused by its size,
    // before it is read.
    let huge = std::fs::File::create(dir.join("huge.yaml")).unwrap();
    huge.set_len(1 << 30).unwrap();
    write(&dir, "huge-root.yaml", &root_with("huge.yaml"));
    let error = refused(&dir.join("huge-root.yaml"), &Options::default());
    assert!(error.contains("over the limit"), "{error}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&outside);
}

/// A part put in place (a path item, a component, or a component's own
/// `$ref`) that refers back to itself, by its file's name, by a pointer of
/// its own file, or through another file, would be put inside itself
/// forever: each is refused naming the loop (this overflowed the stack;
/// found by the `bundle` fuzz target).
#[test]
fn a_part_put_inside_itself_is_refused_naming_the_loop() {
    let dir = folder("inside-itself");
    let path_item = |reference: &str| format!("openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /a:\n    $ref: '{reference}'\n");
    let cases = [
        // The fuzzer's input: the schema's part is a reference to itself by its file's name.
        ("by-name.yaml", root_with("lines.yaml#/Lines"), "lines.yaml#/Lines -> lines.yaml#/Lines"),
        // A path item whose part refers to itself by a pointer of its own file.
        ("by-pointer.yaml", path_item("items.yaml#/Item"), "items.yaml#/Item -> items.yaml#/Item"),
        // Through another file and back.
        ("through.yaml", path_item("a.yaml#/A"), "a.yaml#/A -> b.yaml#/B -> a.yaml#/A"),
    ];
    write(&dir, "lines.yaml", "Lines:\n  $ref: 'lines.yaml#/Lines'\n");
    write(&dir, "items.yaml", "Item:\n  $ref: '#/Item'\n");
    write(&dir, "a.yaml", "A:\n  $ref: 'b.yaml#/B'\n");
    write(&dir, "b.yaml", "B:\n  $ref: 'a.yaml#/A'\n");
    for (root, text, chain) in cases {
        write(&dir, root, &text);
        let error = refused(&dir.join(root), &Options::default());
        assert!(error.contains("puts a part inside itself") && error.contains(chain), "{root}: {error}");
        // The loader says the same, and so every command does.
        let error = Document::from_path(&dir.join(root)).expect_err("refused").to_string();
        assert!(error.contains(chain), "{root}: {error}");
    }
    // A part that refers to itself below its top (a recursive schema) is
    // no loop of this kind: it becomes a component that names itself.
    write(&dir, "node.yaml", "Node:\n  type: object\n  properties:\n    next: {$ref: '#/Node'}\n");
    write(&dir, "recursive.yaml", &path_item("paths.yaml#/A"));
    write(&dir, "paths.yaml", "A:\n  get:\n    operationId: getA\n    responses:\n      '200':\n        description: ok\n        content:\n          application/json:\n            schema: {$ref: 'node.yaml#/Node'}\n");
    let bundled = bundle::bundle(&dir.join("recursive.yaml"), &Options::default()).unwrap();
    assert_eq!(bundled["components"]["schemas"]["Node"]["properties"]["next"]["$ref"], "#/components/schemas/Node");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_chain_of_more_files_than_allowed_is_refused() {
    // Each file refers to the next: a chain past the limit of files is
    // refused, on a deep recursion that does not overflow.
    let dir = folder("many");
    let count = bundle::MAX_FILES + 5;
    for i in 0..count {
        write(&dir, &format!("f{i}.yaml"), &format!("type: object\nproperties:\n  next: {{$ref: f{}.yaml}}\n", i + 1));
    }
    write(&dir, &format!("f{count}.yaml"), "type: string\n");
    write(&dir, "openapi.yaml", &root_with("f0.yaml"));
    let error = refused(&dir.join("openapi.yaml"), &Options::default());
    assert!(error.contains(&format!("more than {} files", bundle::MAX_FILES)), "{}", &error[..error.len().min(400)]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_command_reads_a_tree() {
    // The diff compares two trees (or a tree and a file) like documents.
    let mut old = openapi_contract::Spec::load(&shop()).unwrap();
    let bundled = bundle::bundle(&shop(), &Options::default()).unwrap();
    let mut changed: Value = bundled.clone();
    changed["components"]["parameters"]["limit"]["schema"]["maximum"] = 50.into();
    let mut new = openapi_contract::Spec::new(Document::from_text("new.json", changed.to_string()).unwrap());
    let report = openapi_contract::evolution::compare(&mut old, &mut new).unwrap();
    let finding = report.findings.iter().find(|f| f.id == "request-parameter-max-decreased").unwrap_or_else(|| panic!("{}", report.text(false)));
    // In the tree, the place is named in the file it was written in.
    assert_eq!(finding.old.as_deref(), Some("parameters.yaml#/limit/schema"));
    assert_eq!(finding.new.as_deref(), Some("#/components/parameters/limit/schema"));
    // The validator reads the bundle's schemas.
    let mut validator = openapi_contract::Validator::new(&old.doc);
    let order = validator.compile("#/components/schemas/order").unwrap();
    let value = serde_json::json!({"id": "o1", "lines": [{"sku": "a", "quantity": 0}]});
    let errors = validator.validate(order, &value, openapi_contract::Direction::Response).unwrap_err();
    assert_eq!(errors[0].instance_path, "/lines/0/quantity");
}

#[test]
fn real_trees_generate_the_modules_of_their_bundles() {
    // openapi-spec-validator's own multi-file test specs (Apache-2.0,
    // tests/trees/openapi-spec-validator/SOURCE.txt).
    let generator = Generator::new();
    let allow = Options { allow_outside: true, ..Options::default() };
    for (spec, options) in [("parent-reference/openapi.yaml", Options::default()), ("petstore-separate/spec/openapi.yaml", allow)] {
        let path = root().join("tests/trees/openapi-spec-validator").join(spec);
        let tree = Document::from_path_with(&path, &options).unwrap_or_else(|e| panic!("{spec}: {e}"));
        let bundled = bundle::bundle(&path, &options).unwrap();
        assert!(!bundle::has_external_refs(&bundled), "{spec}");
        let single = Document::from_text("bundle.json", serde_json::to_string_pretty(&bundled).unwrap()).unwrap();
        let modules = |doc: &Document| generator.modules(&generator.build(doc).unwrap()).unwrap();
        assert_eq!(modules(&tree), modules(&single), "{spec}");
    }
    // The petstore's root file reaches `../common`: not without leave.
    let path = root().join("tests/trees/openapi-spec-validator/petstore-separate/spec/openapi.yaml");
    let error = Document::from_path(&path).expect_err("outside").to_string();
    assert!(error.contains("`../common/schemas/Error.yaml`") && error.contains("outside the spec's folder"), "{error}");
}

#[test]
fn problems_in_a_tree_name_the_file_and_line_they_are_in() {
    let dir = folder("lines");
    write(&dir, "models/price.yaml", "type: object\nproperties:\n  amount:\n    type: decimal\n");
    write(&dir, "paths/prices.yaml", "get:\n  operationId: listPrices\n  responses:\n    '200':\n      description: ok\n      content:\n        application/json:\n          schema:\n            $ref: ../models/price.yaml\n");
    write(&dir, "openapi.yaml", "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /prices:\n    $ref: paths/prices.yaml\n  /other:\n    get:\n      operationId: listPrices\n      responses:\n        '200': {description: ok}\n");
    let error = Document::from_path(&dir.join("openapi.yaml")).expect_err("two problems").to_string();
    let price = dir.join("models/price.yaml").canonicalize().unwrap();
    let prices = dir.join("paths/prices.yaml").canonicalize().unwrap();
    // The unknown type in the model file, at its line there.
    assert!(error.contains(&format!("{}:4: #/properties/amount/type: unknown schema type `decimal`", price.display())), "{error}");
    // The operationId used twice: once in a path file, once in the root.
    assert!(error.contains(&format!("{}:2: #/get/operationId", prices.display())) || error.contains("openapi.yaml:8: #/paths/~1other/get/operationId"), "{error}");
    // The pointer inside the message names its file too.
    assert!(error.contains("(first used at paths/prices.yaml#/get/operationId)") || error.contains("(first used at #/paths/~1other/get/operationId)"), "{error}");
    assert!(!error.contains("#/paths/~1prices/get"), "a bundle pointer: {error}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_diff_reads_trees_and_names_the_files_of_their_defects() {
    let dir = folder("diff");
    // A response without a description, in a path file: repaired for the
    // comparison, listed with its file and line.
    write(&dir, "paths/items.yaml", "get:\n  operationId: listItems\n  responses:\n    '200':\n      content:\n        application/json:\n          schema: {type: array, items: {type: string, maxLength: 5}}\n");
    write(&dir, "openapi.yaml", "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /items:\n    $ref: paths/items.yaml\n");
    let mut old = openapi_contract::Spec::lenient_path(&dir.join("openapi.yaml"), &Options::default()).unwrap();
    let mut new = openapi_contract::Spec::lenient_path(&shop(), &Options::default()).unwrap();
    let report = openapi_contract::evolution::compare(&mut old, &mut new).unwrap();
    let items = dir.join("paths/items.yaml").canonicalize().unwrap();
    let problem = report.findings.iter().find(|f| f.id == "document-problem").unwrap_or_else(|| panic!("{}", report.text(false)));
    assert!(problem.message.contains(&format!("{} (line 4)", items.display())), "{}", problem.message);
    assert!(report.findings.iter().any(|f| f.id == "api-removed-without-deprecation"), "{}", report.text(false));
    let _ = std::fs::remove_dir_all(&dir);
}
