//! Arazzo 1.0 runtime expressions (§4.8) and the simple condition language
//! of success criteria (§4.6.15): `$statusCode == 200 && $response.body#/status == 'open'`.

use serde_json::{Map, Value};

/// A runtime expression, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// `$url`: the URL of the request.
    Url,
    /// `$method`: its method.
    Method,
    /// `$statusCode`: the response's status.
    StatusCode,
    /// `$request.header.X`, `$request.query.X`, `$request.path.X`.
    Request(Source, String),
    /// `$request.body`, with an optional JSON pointer (`#/a/0`).
    RequestBody(Option<String>),
    /// `$response.header.X`.
    ResponseHeader(String),
    /// `$response.body`, with an optional JSON pointer.
    ResponseBody(Option<String>),
    /// `$inputs.name`, with an optional JSON pointer into the value.
    Input(String, Option<String>),
    /// `$outputs.name` (of the current workflow), with an optional pointer.
    Output(String, Option<String>),
    /// `$steps.<step>.outputs.<name>`, with an optional pointer.
    StepOutput(String, String, Option<String>),
    /// `$workflows.<workflow>.outputs.<name>` or `.inputs.<name>`, with an
    /// optional pointer.
    Workflow(String, WorkflowPart, String, Option<String>),
}

/// Where a request expression looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A header.
    Header,
    /// A query parameter.
    Query,
    /// A path parameter.
    Path,
}

/// The inputs or the outputs of a workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkflowPart {
    /// `.inputs.`
    Inputs,
    /// `.outputs.`
    Outputs,
}

/// A name, then an optional `#/pointer`.
fn name_and_pointer(rest: &str) -> Result<(String, Option<String>), String> {
    let (name, pointer) = match rest.split_once('#') {
        Some((name, pointer)) => (name, Some(pointer.to_owned())),
        None => (rest, None),
    };
    if name.is_empty() {
        return Err("a name is missing".into());
    }
    if let Some(pointer) = &pointer
        && !pointer.is_empty()
        && !pointer.starts_with('/')
    {
        return Err(format!("`#{pointer}` is not a JSON pointer"));
    }
    Ok((name.to_owned(), pointer))
}

/// Parses one runtime expression (`$statusCode`, `$steps.a.outputs.id`, ...).
pub fn parse(text: &str) -> Result<Expr, String> {
    let fail = |why: &str| Err(format!("`{text}`: {why}"));
    let Some(rest) = text.strip_prefix('$') else { return fail("a runtime expression starts with `$`") };
    let (head, tail) = match rest.find(['.', '#']) {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let dotted = tail.strip_prefix('.');
    let pointer = |tail: &str| -> Result<Option<String>, String> {
        match tail {
            "" => Ok(None),
            _ => match tail.strip_prefix('#') {
                Some(p) if p.is_empty() || p.starts_with('/') => Ok(Some(p.to_owned())),
                _ => Err(format!("`{text}`: `{tail}` is not a JSON pointer (`#/...`)")),
            },
        }
    };
    let expr = match (head, dotted) {
        ("url", None) if tail.is_empty() => Expr::Url,
        ("method", None) if tail.is_empty() => Expr::Method,
        ("statusCode", None) if tail.is_empty() => Expr::StatusCode,
        ("request" | "response", Some(part)) => {
            let response = head == "response";
            let (kind, name) = match part.split_once('.') {
                Some((kind, name)) => (kind, Some(name)),
                None => (part.split('#').next().unwrap_or(part), None),
            };
            match (kind, name, response) {
                ("body", None, true) => Expr::ResponseBody(pointer(&part["body".len()..])?),
                ("body", None, false) => Expr::RequestBody(pointer(&part["body".len()..])?),
                ("header", Some(name), true) if !name.is_empty() => Expr::ResponseHeader(name.to_owned()),
                ("header", Some(name), false) if !name.is_empty() => Expr::Request(Source::Header, name.to_owned()),
                ("query", Some(name), false) if !name.is_empty() => Expr::Request(Source::Query, name.to_owned()),
                ("path", Some(name), false) if !name.is_empty() => Expr::Request(Source::Path, name.to_owned()),
                _ => return fail("expected `.header.<name>`, `.query.<name>`, `.path.<name>` or `.body[#/pointer]`"),
            }
        }
        ("inputs", Some(rest)) => {
            let (name, pointer) = name_and_pointer(rest).map_err(|e| format!("`{text}`: {e}"))?;
            Expr::Input(name, pointer)
        }
        ("outputs", Some(rest)) => {
            let (name, pointer) = name_and_pointer(rest).map_err(|e| format!("`{text}`: {e}"))?;
            Expr::Output(name, pointer)
        }
        ("steps", Some(rest)) => {
            let Some((step, rest)) = rest.split_once(".outputs.") else { return fail("expected `$steps.<stepId>.outputs.<name>`") };
            let (name, pointer) = name_and_pointer(rest).map_err(|e| format!("`{text}`: {e}"))?;
            Expr::StepOutput(step.to_owned(), name, pointer)
        }
        ("workflows", Some(rest)) => {
            let (workflow, part, rest) = if let Some((w, r)) = rest.split_once(".outputs.") {
                (w, WorkflowPart::Outputs, r)
            } else if let Some((w, r)) = rest.split_once(".inputs.") {
                (w, WorkflowPart::Inputs, r)
            } else {
                return fail("expected `$workflows.<workflowId>.outputs.<name>` or `.inputs.<name>`");
            };
            let (name, pointer) = name_and_pointer(rest).map_err(|e| format!("`{text}`: {e}"))?;
            Expr::Workflow(workflow.to_owned(), part, name, pointer)
        }
        ("sourceDescriptions" | "components", _) => {
            return fail("`$sourceDescriptions` and `$components` expressions are not supported");
        }
        _ => return fail("not a runtime expression this runner knows"),
    };
    Ok(expr)
}

/// What an expression is evaluated against: the current exchange, if any,
/// and what earlier steps and workflows produced.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    /// The URL of the current request.
    pub url: String,
    /// Its method (upper case).
    pub method: String,
    /// Its headers, query and path parameters, as sent.
    pub request_headers: Vec<(String, String)>,
    /// Query parameters as sent (decoded).
    pub request_query: Vec<(String, String)>,
    /// Path parameters as sent.
    pub request_path: Vec<(String, String)>,
    /// The request body, as JSON (a form body as its field tree).
    pub request_body: Option<Value>,
    /// The response status, once there is a response.
    pub status: Option<u16>,
    /// The response headers.
    pub response_headers: Vec<(String, String)>,
    /// The response body as JSON (`null` when it is not JSON).
    pub response_body: Option<Value>,
    /// The current workflow's inputs.
    pub inputs: Value,
    /// The current workflow's outputs so far.
    pub outputs: Map<String, Value>,
    /// Each step's outputs, by step ID.
    pub steps: Map<String, Value>,
    /// Each finished workflow's inputs and outputs: `{"inputs": .., "outputs": ..}`.
    pub workflows: Map<String, Value>,
}

fn at_pointer(value: Option<&Value>, pointer: &Option<String>) -> Option<Value> {
    let value = value?;
    match pointer {
        None => Some(value.clone()),
        Some(pointer) => value.pointer(pointer).cloned(),
    }
}

fn header(headers: &[(String, String)], name: &str) -> Option<Value> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| Value::String(v.clone()))
}

impl Scope {
    /// The value of `expr` here, or why there is none.
    pub fn eval(&self, expr: &Expr) -> Result<Value, String> {
        let found = match expr {
            Expr::Url => Some(Value::String(self.url.clone())),
            Expr::Method => Some(Value::String(self.method.clone())),
            Expr::StatusCode => self.status.map(Value::from),
            Expr::Request(Source::Header, name) => header(&self.request_headers, name),
            Expr::Request(Source::Query, name) => {
                self.request_query.iter().find(|(n, _)| n == name).map(|(_, v)| Value::String(v.clone()))
            }
            Expr::Request(Source::Path, name) => {
                self.request_path.iter().find(|(n, _)| n == name).map(|(_, v)| Value::String(v.clone()))
            }
            Expr::RequestBody(pointer) => at_pointer(self.request_body.as_ref(), pointer),
            Expr::ResponseHeader(name) => header(&self.response_headers, name),
            Expr::ResponseBody(pointer) => at_pointer(self.response_body.as_ref(), pointer),
            Expr::Input(name, pointer) => at_pointer(self.inputs.get(name), pointer),
            Expr::Output(name, pointer) => at_pointer(self.outputs.get(name), pointer),
            Expr::StepOutput(step, name, pointer) => {
                at_pointer(self.steps.get(step).and_then(|outputs| outputs.get(name)), pointer)
            }
            Expr::Workflow(workflow, part, name, pointer) => {
                let part = if *part == WorkflowPart::Inputs { "inputs" } else { "outputs" };
                at_pointer(self.workflows.get(workflow).and_then(|w| w.get(part)).and_then(|p| p.get(name)), pointer)
            }
        };
        found.ok_or_else(|| format!("{} has no value here", show(expr)))
    }

    /// A value as a step gives it: a string that is one runtime expression
    /// is its value; `{$...}` inside other strings is replaced by the
    /// expression's text; arrays and objects are evaluated within.
    pub fn resolve(&self, value: &Value) -> Result<Value, String> {
        match value {
            Value::String(text) if text.starts_with('$') => self.eval(&parse(text)?),
            Value::String(text) => Ok(Value::String(self.interpolate(text)?)),
            Value::Array(items) => items.iter().map(|v| self.resolve(v)).collect::<Result<_, _>>().map(Value::Array),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    out.insert(k.clone(), self.resolve(v)?);
                }
                Ok(Value::Object(out))
            }
            other => Ok(other.clone()),
        }
    }

    /// `text` with every `{$expression}` replaced by the expression's value
    /// as text.
    pub fn interpolate(&self, text: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{$") {
            let Some(end) = rest[start..].find('}') else { break };
            out.push_str(&rest[..start]);
            let value = self.eval(&parse(&rest[start + 1..start + end])?)?;
            out.push_str(&as_text(&value));
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A value as text: strings as themselves, anything else as JSON.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The expressions inside `value` (whole-string ones and `{$...}` ones), for
/// checking a document before anything runs.
pub fn expressions_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) if text.starts_with('$') => out.push(text.clone()),
        Value::String(text) => {
            let mut rest = text.as_str();
            while let Some(start) = rest.find("{$") {
                let Some(end) = rest[start..].find('}') else { break };
                out.push(rest[start + 1..start + end].to_owned());
                rest = &rest[start + end + 1..];
            }
        }
        Value::Array(items) => items.iter().for_each(|v| expressions_in(v, out)),
        Value::Object(map) => map.values().for_each(|v| expressions_in(v, out)),
        _ => {}
    }
}

fn show(expr: &Expr) -> String {
    let pointer = |p: &Option<String>| p.as_ref().map(|p| format!("#{p}")).unwrap_or_default();
    match expr {
        Expr::Url => "$url".into(),
        Expr::Method => "$method".into(),
        Expr::StatusCode => "$statusCode".into(),
        Expr::Request(source, name) => {
            let kind = match source {
                Source::Header => "header",
                Source::Query => "query",
                Source::Path => "path",
            };
            format!("$request.{kind}.{name}")
        }
        Expr::RequestBody(p) => format!("$request.body{}", pointer(p)),
        Expr::ResponseHeader(name) => format!("$response.header.{name}"),
        Expr::ResponseBody(p) => format!("$response.body{}", pointer(p)),
        Expr::Input(name, p) => format!("$inputs.{name}{}", pointer(p)),
        Expr::Output(name, p) => format!("$outputs.{name}{}", pointer(p)),
        Expr::StepOutput(step, name, p) => format!("$steps.{step}.outputs.{name}{}", pointer(p)),
        Expr::Workflow(w, part, name, p) => {
            let part = if *part == WorkflowPart::Inputs { "inputs" } else { "outputs" };
            format!("$workflows.{w}.{part}.{name}{}", pointer(p))
        }
    }
}

/// A simple condition (§4.6.15), parsed: literals, runtime expressions,
/// `== != < <= > >=`, `!`, `&&`, `||` and parentheses.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// A literal value.
    Literal(Value),
    /// A runtime expression.
    Expr(Expr),
    /// `!a`.
    Not(Box<Condition>),
    /// `a op b`.
    Binary(Box<Condition>, Op, Box<Condition>),
}

/// A binary operator of a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `&&`.
    And,
    /// `||`.
    Or,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Value(Value),
    Expr(String),
    Op(Op),
    Not,
    Open,
    Close,
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            _ if ["==", "!=", "<=", ">=", "&&", "||"].contains(&two.as_str()) => {
                out.push(Token::Op(match two.as_str() {
                    "==" => Op::Eq,
                    "!=" => Op::Ne,
                    "<=" => Op::Le,
                    ">=" => Op::Ge,
                    "&&" => Op::And,
                    _ => Op::Or,
                }));
                i += 2;
            }
            '<' | '>' => {
                out.push(Token::Op(if c == '<' { Op::Lt } else { Op::Gt }));
                i += 1;
            }
            '!' => {
                out.push(Token::Not);
                i += 1;
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(format!("`{text}`: an unclosed string")),
                        // A quote is written twice inside a string.
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(c) => {
                            s.push(*c);
                            i += 1;
                        }
                    }
                }
                out.push(Token::Value(Value::String(s)));
            }
            _ => {
                let start = i;
                while i < chars.len() && !matches!(chars[i], ' ' | '\t' | '\n' | '\r' | '(' | ')' | '=' | '!' | '<' | '>' | '&' | '|') {
                    i += 1;
                }
                if i == start {
                    return Err(format!("`{text}`: unexpected `{c}`"));
                }
                let word: String = chars[start..i].iter().collect();
                out.push(if word.starts_with('$') {
                    Token::Expr(word)
                } else {
                    match word.as_str() {
                        "true" => Token::Value(Value::Bool(true)),
                        "false" => Token::Value(Value::Bool(false)),
                        "null" => Token::Value(Value::Null),
                        number => match serde_json::from_str::<serde_json::Number>(number) {
                            Ok(n) => Token::Value(Value::Number(n)),
                            Err(_) => return Err(format!("`{text}`: `{word}` is neither a literal nor a runtime expression")),
                        },
                    }
                });
            }
        }
    }
    Ok(out)
}

/// Parses a simple condition.
pub fn condition(text: &str) -> Result<Condition, String> {
    let tokens = tokens(text)?;
    let mut parser = Parser { tokens: &tokens, at: 0, text };
    let parsed = parser.or()?;
    if parser.at != tokens.len() {
        return Err(format!("`{text}`: unexpected `{:?}` after the condition", tokens[parser.at]));
    }
    Ok(parsed)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn binary(&mut self, ops: &[Op], next: fn(&mut Self) -> Result<Condition, String>) -> Result<Condition, String> {
        let mut left = next(self)?;
        while let Some(Token::Op(op)) = self.peek().cloned()
            && ops.contains(&op)
        {
            self.at += 1;
            let right = next(self)?;
            left = Condition::Binary(Box::new(left), op, Box::new(right));
        }
        Ok(left)
    }

    fn or(&mut self) -> Result<Condition, String> {
        self.binary(&[Op::Or], Self::and)
    }

    fn and(&mut self) -> Result<Condition, String> {
        self.binary(&[Op::And], Self::comparison)
    }

    fn comparison(&mut self) -> Result<Condition, String> {
        self.binary(&[Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge], Self::unary)
    }

    fn unary(&mut self) -> Result<Condition, String> {
        match self.peek().cloned() {
            Some(Token::Not) => {
                self.at += 1;
                Ok(Condition::Not(Box::new(self.unary()?)))
            }
            Some(Token::Open) => {
                self.at += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return Err(format!("`{}`: a `(` is not closed", self.text));
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Token::Value(v)) => {
                self.at += 1;
                Ok(Condition::Literal(v))
            }
            Some(Token::Expr(e)) => {
                self.at += 1;
                Ok(Condition::Expr(parse(&e)?))
            }
            other => Err(format!("`{}`: expected a value, found {other:?}", self.text)),
        }
    }
}

/// Whether a value counts as true: `true`, or anything but `false`,
/// `null`, `0` and `""`.
fn truthy(value: &Value) -> bool {
    !matches!(value, Value::Bool(false) | Value::Null) && value != &Value::from(0) && value != &Value::from("")
}

/// Two values compared: numbers by value (a string that reads as a number
/// compares as one, for headers), strings by text, others by equality.
fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    let number = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y),
            _ => (a == b).then_some(std::cmp::Ordering::Equal),
        },
    }
}

impl Condition {
    /// The condition's value in `scope`; a runtime expression without a
    /// value makes it false, not an error (the step failed to produce it).
    pub fn holds(&self, scope: &Scope) -> bool {
        truthy(&self.value(scope))
    }

    fn value(&self, scope: &Scope) -> Value {
        use std::cmp::Ordering::*;
        match self {
            Condition::Literal(v) => v.clone(),
            Condition::Expr(e) => scope.eval(e).unwrap_or(Value::Null),
            Condition::Not(inner) => Value::Bool(!inner.holds(scope)),
            Condition::Binary(a, Op::And, b) => Value::Bool(a.holds(scope) && b.holds(scope)),
            Condition::Binary(a, Op::Or, b) => Value::Bool(a.holds(scope) || b.holds(scope)),
            Condition::Binary(a, op, b) => {
                let ordering = compare(&a.value(scope), &b.value(scope));
                Value::Bool(match op {
                    Op::Eq => ordering == Some(Equal),
                    Op::Ne => ordering != Some(Equal),
                    Op::Lt => ordering == Some(Less),
                    Op::Le => matches!(ordering, Some(Less | Equal)),
                    Op::Gt => ordering == Some(Greater),
                    Op::Ge => matches!(ordering, Some(Greater | Equal)),
                    Op::And | Op::Or => false,
                })
            }
        }
    }

    /// The runtime expressions the condition reads.
    pub fn exprs<'a>(&'a self, out: &mut Vec<&'a Expr>) {
        match self {
            Condition::Literal(_) => {}
            Condition::Expr(e) => out.push(e),
            Condition::Not(inner) => inner.exprs(out),
            Condition::Binary(a, _, b) => {
                a.exprs(out);
                b.exprs(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope() -> Scope {
        let mut steps = Map::new();
        steps.insert("create".into(), json!({"id": "cs_1", "session": {"status": "open"}}));
        Scope {
            status: Some(200),
            response_headers: vec![("Request-Id".into(), "req_1".into()), ("X-Count".into(), "3".into())],
            response_body: Some(json!({"status": "open", "data": [{"id": "a"}], "has_more": false, "amount": 2198})),
            inputs: json!({"key": "sk_1", "order": {"id": 7}}),
            steps,
            ..Scope::default()
        }
    }

    #[test]
    fn expressions_parse_and_evaluate() {
        let s = scope();
        let eval = |text: &str| s.eval(&parse(text).unwrap());
        assert_eq!(eval("$statusCode"), Ok(json!(200)));
        assert_eq!(eval("$response.body#/data/0/id"), Ok(json!("a")));
        assert_eq!(eval("$response.header.request-id"), Ok(json!("req_1")));
        assert_eq!(eval("$inputs.order#/id"), Ok(json!(7)));
        assert_eq!(eval("$steps.create.outputs.id"), Ok(json!("cs_1")));
        assert_eq!(eval("$steps.create.outputs.session#/status"), Ok(json!("open")));
        assert!(eval("$steps.nope.outputs.id").unwrap_err().contains("has no value"));
        for bad in ["statusCode", "$response.cookie.x", "$steps.create.id", "$inputs.", "$response.body#x", "$components.parameters.a"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(s.interpolate("Bearer {$inputs.key}, order {$inputs.order#/id}").unwrap(), "Bearer sk_1, order 7");
        assert_eq!(s.resolve(&json!({"id": "$steps.create.outputs.id", "n": [1, "{$statusCode}"]})).unwrap(), json!({"id": "cs_1", "n": [1, "200"]}));
    }

    #[test]
    fn conditions_hold_or_not() {
        let s = scope();
        let holds = |text: &str| condition(text).unwrap().holds(&s);
        assert!(holds("$statusCode == 200"));
        assert!(!holds("$statusCode == 201"));
        assert!(holds("$statusCode >= 200 && $statusCode < 300"));
        assert!(holds("$response.body#/status == 'open' || $statusCode == 500"));
        assert!(holds("!($response.body#/has_more)"));
        assert!(holds("$response.header.X-Count > 2"));
        assert!(holds("$response.body#/amount != 0 && $response.body#/missing == null"));
        assert!(holds("'it''s' == 'it''s'"));
        assert!(!holds("$response.body#/missing"));
        for bad in ["$statusCode ==", "(1 == 1", "1 = 1", "status == 200", "'open"] {
            assert!(condition(bad).is_err(), "{bad}");
        }
    }
}
