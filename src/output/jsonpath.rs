//! `-o jsonpath=TEMPLATE`: kubectl's JSONPath templates, in client-go's
//! dialect (`k8s.io/client-go/util/jsonpath`), read from the JSON that
//! `-o json` prints.
//!
//! A template is text with actions in braces: `{.a.b}`, `{.items[*].name}`,
//! `{..name}`, `{$.a}`, `{@}`, `[0]`, `[-1:]`, `[0:4:2]`, `[?(@.x=="y")]`,
//! `[?(@.n>1)]`, `[?(@.x)]`, `['a','b']`, `{"\n"}`, and
//! `{range .items[*]}…{end}`. It is parsed when the arguments are read, so a
//! bad template is a usage error before any request.
//!
//! Printing is kubectl's: the results of one action are separated by one
//! space; strings are printed raw, numbers and booleans as JSON, objects
//! and arrays as compact JSON (as Go's encoding/json writes them: keys
//! sorted, `<`, `>` and `&` escaped). `jsonpath-as-json=` prints each
//! action's results as an indented JSON array instead.
//!
//! Missing keys: a key that none of the values it is looked up in has is an
//! error, "NAME is not found", as client-go's with `AllowMissingKeys(false)`
//! (kubectl's `--allow-missing-template-keys=false`): these values end up in
//! variables, where a typo that printed nothing would pass unnoticed. Two
//! places where client-go's strict mode fails a sound template are kept as
//! in kubectl's default instead: an item a filter compares that lacks the
//! key does not match, and the body of a range over nothing is not run.
//!
//! Lists: `-o json` prints a list as a JSON array, which `{[*]}`, `{.[*]}`
//! and `{range .[*]}` walk (kubectl rejects the empty key of `.[*]`; here it
//! is the value itself). A kubectl list is a `kind: List` object whose
//! `items` hold the objects, so at the top of a template `.items` names that
//! same array: `{.items[*].clientId}` works as a kubectl user writes it.
//!
//! Errors name the template and what of it failed, never a value read: the
//! values may be secrets.
//!
//! Why this is written here rather than taken from a crate: no crate on
//! crates.io implements client-go's dialect, and the RFC 9535 ones (such as
//! serde_json_path) answer differently where kubectl users rely on it: a
//! comparison may hold only singular paths there (`[?(@..ready==true)]` is a
//! syntax error), `['a.b']` is one key rather than a path, an index past the
//! end gives nothing rather than an error, and a missing key cannot be told
//! from an empty list. The template layer would have had to walk every
//! step itself anyway to report a missing key, which leaves a crate only
//! the lookup of a key.

use std::fmt;

use serde_json::{Number, Value};

/// A parsed template and the text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    text: String,
    items: Vec<Item>,
    /// `jsonpath-as-json=`: each action's results as a JSON array.
    as_json: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Item {
    /// Text between actions (a JSON string, printed raw).
    Text(Value),
    Action(Vec<Step>),
    /// `{range PATH}BODY{end}`: the body once for each result, with the
    /// result as its `$` and `@`.
    Range(Vec<Step>, Vec<Item>),
}

/// One step of a path, applied to every value the step before gave.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Wildcard,
    Recursive,
    Slice([Param; 3]),
    Filter(Box<Filter>),
    Union(Vec<Vec<Step>>),
    /// A quoted string: one result, whatever the input.
    Text(Value),
    /// A number or boolean: one result per input.
    Const(Value),
    /// `range` and `end`, placed by [`build`].
    Identifier(String),
}

/// Start, end or step of `[start:end:step]`, as client-go reads it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Param {
    value: i64,
    known: bool,
    /// The end of `[i]`: `i + 1`.
    derived: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Filter {
    left: Vec<Step>,
    op: Op,
    right: Vec<Step>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Exists,
    Lt,
    Gt,
    Eq,
    Ne,
    Le,
    Ge,
}

/// Why a template could not be applied: its own words, never a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// A key none of the values had.
    Missing(String),
    Other(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Missing(name) => write!(f, "{name} is not found"),
            Failure::Other(message) => f.write_str(message),
        }
    }
}

type Eval<T> = Result<T, Failure>;

impl Template {
    /// `-o jsonpath=TEXT` (`as_json` false) or `-o jsonpath-as-json=TEXT`.
    pub fn parse(text: &str, as_json: bool) -> Result<Template, String> {
        if text.is_empty() {
            return Err("template format specified but no template given".into());
        }
        let nodes = Parser { input: text, pos: 0 }.template().map_err(|err| format!("error parsing jsonpath {text}, {err}"))?;
        let items = build(nodes).map_err(|err| format!("error parsing jsonpath {text}, {err}"))?;
        Ok(Template { text: text.to_string(), items, as_json })
    }

    /// The template's text, for messages.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The output for `data`, or why the template does not fit it.
    pub fn render(&self, data: &Value) -> Eval<String> {
        let mut results = Vec::new();
        collect(&self.items, data, true, &mut results)?;
        let mut out = String::new();
        for values in results {
            if self.as_json {
                let array: Vec<Value> = values.into_iter().cloned().collect();
                go_json(&Value::Array(array), Some(0), &mut out);
                out.push('\n');
                continue;
            }
            for (i, value) in values.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print_value(value, &mut out);
            }
        }
        Ok(out)
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = if self.as_json { "jsonpath-as-json" } else { "jsonpath" };
        write!(f, "{prefix}={}", self.text)
    }
}

/// The results of each action, in order; `document` says whether `data` is
/// the whole document (where `.items` of a list is the list).
fn collect<'a>(items: &'a [Item], data: &'a Value, document: bool, out: &mut Vec<Vec<&'a Value>>) -> Eval<()> {
    for item in items {
        match item {
            Item::Text(text) => out.push(vec![text]),
            Item::Action(steps) => out.push(path(steps, vec![data], document)?),
            Item::Range(steps, body) => {
                for value in path(steps, vec![data], document)? {
                    collect(body, value, false, out)?;
                }
            }
        }
    }
    Ok(())
}

fn path<'a>(steps: &'a [Step], input: Vec<&'a Value>, document: bool) -> Eval<Vec<&'a Value>> {
    let mut current = input;
    for (i, step) in steps.iter().enumerate() {
        current = apply(step, current, document && i == 0)?;
    }
    Ok(current)
}

fn apply<'a>(step: &'a Step, input: Vec<&'a Value>, first_of_document: bool) -> Eval<Vec<&'a Value>> {
    let mut out = Vec::new();
    match step {
        Step::Field(name) => {
            if input.is_empty() {
                return Ok(out);
            }
            for value in &input {
                match value {
                    Value::Object(map) => out.extend(map.get(name)),
                    Value::Array(_) if first_of_document && name == "items" => out.push(*value),
                    _ => {}
                }
            }
            if out.is_empty() {
                return Err(Failure::Missing(name.clone()));
            }
        }
        Step::Wildcard => {
            for value in input {
                out.extend(children(value));
            }
        }
        Step::Recursive => {
            for value in input {
                descend(value, &mut out);
            }
        }
        Step::Slice(params) => return slice(params, input),
        Step::Filter(filter) => {
            for value in input {
                let Value::Array(elements) = value else {
                    return Err(Failure::Other(format!("{} is not array or slice and cannot be filtered", kind(value))));
                };
                for element in elements {
                    if matches(filter, element)? {
                        out.push(element);
                    }
                }
            }
        }
        Step::Union(paths) => {
            for steps in paths {
                out.extend(path(steps, input.clone(), false)?);
            }
        }
        Step::Text(text) => out.push(text),
        Step::Const(value) => out.extend(input.iter().map(|_| value)),
        Step::Identifier(name) => return Err(Failure::Other(format!("unrecognized identifier {name}"))),
    }
    Ok(out)
}

fn children(value: &Value) -> Vec<&Value> {
    match value {
        Value::Object(map) => map.values().collect(),
        Value::Array(elements) => elements.iter().collect(),
        _ => Vec::new(),
    }
}

/// `..`: the value and everything below it that has something inside
/// (a non-empty object, array or string, as client-go counts), depth first.
fn descend<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::String(text) if !text.is_empty() => out.push(value),
        Value::Object(_) | Value::Array(_) => {
            let inside = children(value);
            if !inside.is_empty() {
                out.push(value);
                for child in inside {
                    descend(child, out);
                }
            }
        }
        _ => {}
    }
}

/// `[i]`, `[start:end:step]`, `[*]`, with client-go's bounds: negative
/// indices count from the end, and an index outside the array is an error.
fn slice<'a>(params: &[Param; 3], input: Vec<&'a Value>) -> Eval<Vec<&'a Value>> {
    let mut out = Vec::new();
    for value in input {
        let elements = match value {
            Value::Null => continue,
            Value::Array(elements) => elements,
            other => return Err(Failure::Other(format!("{} is not array or slice", kind(other)))),
        };
        let len = elements.len() as i64;
        let [start, end, step] = *params;
        let mut from = if start.known { start.value } else { 0 };
        if from < 0 {
            from += len;
        }
        let mut to = if end.known { end.value } else { len };
        if to < 0 || (to == 0 && end.derived) {
            to += len;
        }
        if from == to {
            // client-go returns at once, whatever the values after this one.
            return Ok(out);
        }
        if from >= len || from < 0 {
            return Err(Failure::Other(format!("array index out of bounds: index {from}, length {len}")));
        }
        if to > len || to < 0 {
            return Err(Failure::Other(format!("array index out of bounds: index {}, length {len}", to - 1)));
        }
        if from > to {
            return Err(Failure::Other(format!("starting index {from} is greater than ending index {to}")));
        }
        let step = match step {
            Param { known: true, value, .. } if value <= 0 => return Err(Failure::Other("step must be > 0".into())),
            Param { known: true, value, .. } => value as usize,
            _ => 1,
        };
        out.extend(elements[from as usize..to as usize].iter().step_by(step));
    }
    Ok(out)
}

/// Whether a filter keeps this element. A compared key the element lacks
/// is no match; `[?(@.x)]` keeps what has `x`.
fn matches(filter: &Filter, element: &Value) -> Eval<bool> {
    let side = |steps: &[Step]| -> Eval<Option<Value>> {
        let found = match path(steps, vec![element], false) {
            Ok(found) => found,
            Err(Failure::Missing(_)) => return Ok(None),
            Err(err) => return Err(err),
        };
        match found.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some((*one).clone())),
            _ => Err(Failure::Other("can only compare one element at a time".into())),
        }
    };
    if filter.op == Op::Exists {
        return Ok(path(&filter.left, vec![element], false).is_ok_and(|found| !found.is_empty()));
    }
    let Some(left) = side(&filter.left)? else { return Ok(false) };
    let Some(right) = side(&filter.right)? else { return Ok(false) };
    compare(filter.op, &left, &right)
}

/// Go template comparisons, as client-go's filters use them: values of one
/// kind (integers of either sign count as one), never an object or array.
fn compare(op: Op, left: &Value, right: &Value) -> Eval<bool> {
    let eq = || equal(left, right);
    let lt = || less(left, right);
    Ok(match op {
        Op::Eq => eq()?,
        Op::Ne => !eq()?,
        Op::Lt => lt()?,
        Op::Le => lt()? || eq()?,
        Op::Gt => !(lt()? || eq()?),
        Op::Ge => !lt()?,
        Op::Exists => true,
    })
}

#[derive(PartialEq)]
enum Basic<'a> {
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(&'a str),
}

fn basic(value: &Value) -> Eval<Basic<'_>> {
    Ok(match value {
        Value::Bool(b) => Basic::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Basic::Int(i),
            (None, Some(u)) => Basic::Uint(u),
            _ => Basic::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Basic::Str(s),
        _ => return Err(Failure::Other("invalid type for comparison".into())),
    })
}

fn incompatible() -> Failure {
    Failure::Other("incompatible types for comparison".into())
}

fn equal(left: &Value, right: &Value) -> Eval<bool> {
    Ok(match (basic(left)?, basic(right)?) {
        (Basic::Bool(a), Basic::Bool(b)) => a == b,
        (Basic::Int(a), Basic::Int(b)) => a == b,
        (Basic::Uint(a), Basic::Uint(b)) => a == b,
        (Basic::Int(a), Basic::Uint(b)) | (Basic::Uint(b), Basic::Int(a)) => a >= 0 && a as u64 == b,
        (Basic::Float(a), Basic::Float(b)) => a == b,
        (Basic::Str(a), Basic::Str(b)) => a == b,
        _ => return Err(incompatible()),
    })
}

fn less(left: &Value, right: &Value) -> Eval<bool> {
    Ok(match (basic(left)?, basic(right)?) {
        (Basic::Int(a), Basic::Int(b)) => a < b,
        (Basic::Uint(a), Basic::Uint(b)) => a < b,
        (Basic::Int(a), Basic::Uint(b)) => a < 0 || (a as u64) < b,
        (Basic::Uint(a), Basic::Int(b)) => b >= 0 && a < b as u64,
        (Basic::Float(a), Basic::Float(b)) => a < b,
        (Basic::Str(a), Basic::Str(b)) => a < b,
        (Basic::Bool(_), Basic::Bool(_)) => return Err(Failure::Other("invalid type for comparison".into())),
        _ => return Err(incompatible()),
    })
}

/// What a value is, for messages that must not show it.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One result as kubectl prints it.
fn print_value(value: &Value, out: &mut String) {
    match value {
        Value::String(text) => out.push_str(text),
        Value::Number(n) => out.push_str(&go_number(n, false)),
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Array(_) | Value::Object(_) => go_json(value, None, out),
    }
}

/// JSON as Go's encoding/json writes it: compact (`indent` None) or with
/// four spaces a level (`MarshalIndent(v, "", "    ")`), keys sorted (a
/// serde_json map is ordered), HTML characters escaped, floats as Go
/// formats them.
fn go_json(value: &Value, indent: Option<usize>, out: &mut String) {
    let newline = |out: &mut String, level: usize| {
        out.push('\n');
        out.push_str(&"    ".repeat(level));
    };
    match value {
        Value::Array(elements) if !elements.is_empty() => {
            out.push('[');
            for (i, element) in elements.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(level) = indent {
                    newline(out, level + 1);
                }
                go_json(element, indent.map(|level| level + 1), out);
            }
            if let Some(level) = indent {
                newline(out, level);
            }
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('{');
            for (i, (key, element)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(level) = indent {
                    newline(out, level + 1);
                }
                go_string(key, out);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                go_json(element, indent.map(|level| level + 1), out);
            }
            if let Some(level) = indent {
                newline(out, level);
            }
            out.push('}');
        }
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
        Value::String(text) => go_string(text, out),
        Value::Number(n) => out.push_str(&go_number(n, true)),
        Value::Null | Value::Bool(_) => out.push_str(&value.to_string()),
    }
}

fn go_string(text: &str, out: &mut String) {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    for c in quoted.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
}

/// A number as Go prints it: integers as they are; a float as `%v` does
/// (`1`, `2.2`, `1e+06`), or in JSON as encoding/json does (`1`, `1e+21`,
/// `1e-7`).
fn go_number(n: &Number, json: bool) -> String {
    let Some(f) = n.as_f64().filter(|_| n.is_f64()) else { return n.to_string() };
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // Shortest digits and decimal point: 1.2345e6 → "12345", 7.
    let exp_form = format!("{:e}", f.abs());
    let (mantissa, exp) = exp_form.split_once('e').unwrap_or((&exp_form, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i64 = exp.parse().unwrap_or(0);
    let use_e = if json { f.abs() < 1e-6 || f.abs() >= 1e21 } else { !(-4..6).contains(&exp) };
    let mut out = String::new();
    if f < 0.0 {
        out.push('-');
    }
    if use_e {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let magnitude = exp.unsigned_abs();
        // Go writes at least two exponent digits; its JSON drops the 0 of e-07.
        if magnitude < 10 && !(json && exp < 0) {
            out.push('0');
        }
        out.push_str(&magnitude.to_string());
        return out;
    }
    let point = exp + 1;
    if point <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat(point.unsigned_abs() as usize));
        out.push_str(&digits);
    } else if point as usize >= digits.len() {
        out.push_str(&digits);
        out.push_str(&"0".repeat(point as usize - digits.len()));
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
    out
}

/// Place `range` and `end`: actions into items, range bodies nested.
fn build(nodes: Vec<Node>) -> Result<Vec<Item>, String> {
    // The items of each open range, innermost last, under the top level.
    let mut stack: Vec<(Vec<Step>, Vec<Item>)> = vec![(Vec::new(), Vec::new())];
    for node in nodes {
        let item = match node {
            Node::Text(text) => Item::Text(Value::String(text)),
            Node::Action(mut steps) => match steps.first() {
                Some(Step::Identifier(word)) if word == "range" => {
                    steps.remove(0);
                    check_path(&steps)?;
                    stack.push((steps, Vec::new()));
                    continue;
                }
                Some(Step::Identifier(word)) if word == "end" && steps.len() == 1 => {
                    if stack.len() == 1 {
                        return Err("not in range, nothing to end".into());
                    }
                    let (path, body) = stack.pop().unwrap_or_default();
                    Item::Range(path, body)
                }
                _ => {
                    check_path(&steps)?;
                    Item::Action(steps)
                }
            },
        };
        if let Some((_, items)) = stack.last_mut() {
            items.push(item);
        }
    }
    // A range without `{end}` runs to the end of the template, as in kubectl.
    while stack.len() > 1 {
        let (path, body) = stack.pop().unwrap_or_default();
        if let Some((_, items)) = stack.last_mut() {
            items.push(Item::Range(path, body));
        }
    }
    Ok(stack.pop().map(|(_, items)| items).unwrap_or_default())
}

/// An identifier other than a leading `range` or a lone `end`.
fn check_path(steps: &[Step]) -> Result<(), String> {
    for step in steps {
        match step {
            Step::Identifier(name) => return Err(format!("unrecognized identifier {name}")),
            Step::Union(paths) => paths.iter().try_for_each(|steps| check_path(steps))?,
            Step::Filter(filter) => {
                check_path(&filter.left)?;
                check_path(&filter.right)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The parser's output: text between actions, and each action's steps.
enum Node {
    Text(String),
    Action(Vec<Step>),
}

/// client-go's parser (`parser.go`), rune by rune.
struct Parser<'a> {
    input: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.input[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn template(mut self) -> Result<Vec<Node>, String> {
        let mut nodes = Vec::new();
        loop {
            let text_end = self.rest().find('{').map_or(self.input.len(), |at| self.pos + at);
            if text_end > self.pos {
                nodes.push(Node::Text(self.input[self.pos..text_end].to_string()));
            }
            if text_end == self.input.len() {
                return Ok(nodes);
            }
            self.pos = text_end + 1;
            nodes.push(Node::Action(self.action()?));
        }
    }

    /// The steps of one action, up to and past its `}`.
    fn action(&mut self) -> Result<Vec<Step>, String> {
        let mut steps = Vec::new();
        loop {
            let rest = self.rest();
            if rest.starts_with('}') {
                self.pos += 1;
                return Ok(steps);
            }
            if rest.starts_with("[?(") {
                steps.push(self.filter()?);
                continue;
            }
            if rest.starts_with("..") {
                if steps.last() == Some(&Step::Recursive) {
                    return Err("invalid multiple recursive descent".into());
                }
                self.pos += 2;
                steps.push(Step::Recursive);
                if self.peek().is_some_and(is_alphanumeric) {
                    steps.extend(self.field());
                }
                continue;
            }
            match self.next() {
                None | Some('\r' | '\n') => return Err("unclosed action".into()),
                Some(' ' | '@' | '$') => {}
                Some('[') => steps.extend(self.array()?),
                Some(quote @ ('"' | '\'')) => steps.push(self.quoted(quote)?),
                Some('.') => steps.extend(self.field()),
                Some(c) if c == '+' || c == '-' || c.is_ascii_digit() => {
                    self.pos -= 1;
                    steps.push(self.number()?);
                }
                Some(c) if is_alphanumeric(c) => {
                    self.pos -= c.len_utf8();
                    steps.push(self.identifier());
                }
                Some(c) => return Err(format!("unrecognized character in action: U+{:04X} '{c}'", c as u32)),
            }
        }
    }

    /// Up to the next terminator not escaped by `\`.
    fn word(&mut self) -> &str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c == '\\' {
                self.next();
                self.next();
            } else if is_terminator(c) {
                break;
            } else {
                self.next();
            }
        }
        &self.input[start..self.pos]
    }

    /// `.name` (after the dot): `*` is every child; the empty name of
    /// `.[*]` is the value itself.
    fn field(&mut self) -> Option<Step> {
        match self.word() {
            "" => None,
            "*" => Some(Step::Wildcard),
            name => Some(Step::Field(name.replace('\\', ""))),
        }
    }

    fn identifier(&mut self) -> Step {
        match self.word() {
            "true" => Step::Const(Value::Bool(true)),
            "false" => Step::Const(Value::Bool(false)),
            word => Step::Identifier(word.to_string()),
        }
    }

    fn number(&mut self) -> Result<Step, String> {
        let start = self.pos;
        if matches!(self.peek(), Some('+' | '-')) {
            self.next();
        }
        while self.peek().is_some_and(|c| c == '.' || c.is_ascii_digit()) {
            self.next();
        }
        let text = &self.input[start..self.pos];
        if let Ok(int) = text.parse::<i64>() {
            return Ok(Step::Const(int.into()));
        }
        match text.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(float) => Ok(Step::Const(Value::Number(float))),
            None => Err(format!("cannot parse number {text}")),
        }
    }

    /// `[…]` after its `[`: a union, a quoted key (a path), or a slice.
    fn array(&mut self) -> Result<Vec<Step>, String> {
        let start = self.pos;
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated array".into()),
                Some(']') => break,
                Some(_) => {}
            }
        }
        let text = &self.input[start..self.pos - 1];
        let text = if text == "*" { ":" } else { text };
        if text.contains(',') {
            let paths = text.split(',').map(|part| inner_action(&format!("[{}]", part.trim_matches(' '))));
            return Ok(vec![Step::Union(paths.collect::<Result<_, _>>()?)]);
        }
        if let Some(key) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')).filter(|key| !key.contains('\'')) {
            return inner_action(&format!(".{key}"));
        }
        let parts: Vec<&str> = text.split(':').collect();
        let index = |part: &str| {
            let digits = part.strip_prefix('-').unwrap_or(part);
            digits.chars().all(|c| c.is_ascii_digit())
        };
        if parts.len() > 3 || !parts.iter().all(|part| index(part)) {
            return Err(format!("invalid array index {text}"));
        }
        let mut params = [Param::default(); 3];
        for i in 0..3 {
            params[i] = match parts.get(i).copied() {
                Some("") if i > 0 => Param::default(),
                Some("") | None if i == 1 => Param { value: params[0].value + 1, known: true, derived: true },
                Some("") | None => Param::default(),
                Some(number) => Param {
                    value: number.parse().map_err(|_| format!("array index {number} is not a number"))?,
                    known: true,
                    derived: false,
                },
            };
        }
        Ok(vec![Step::Slice(params)])
    }

    /// `[?(…)]` at its `[`: `left OP right`, or `left` alone for existence.
    fn filter(&mut self) -> Result<Step, String> {
        self.pos += 3;
        let start = self.pos;
        let (mut begin, mut end, mut pair) = (false, false, '"');
        loop {
            let c = self.next();
            match c {
                None | Some('\n') => return Err("unterminated filter".into()),
                Some(quote @ ('"' | '\'')) => {
                    if !begin {
                        (begin, pair) = (true, quote);
                        continue;
                    }
                    if quote == pair && !self.input[..self.pos - 1].ends_with('\\') {
                        end = true;
                    }
                }
                Some(')') if begin == end => break,
                Some(_) => {}
            }
        }
        if self.next() != Some(']') {
            return Err("unclosed array expect ]".into());
        }
        let text = &self.input[start..self.pos - 2];
        let operator = |c: char| "!<>=".contains(c);
        let left_end = text.find(operator).unwrap_or(text.len());
        let op_end = text[left_end..].find(|c| !operator(c)).map_or(text.len(), |at| left_end + at);
        if left_end == 0 || left_end == text.len() || op_end == text.len() {
            return Ok(Step::Filter(Box::new(Filter { left: inner_action(text)?, op: Op::Exists, right: Vec::new() })));
        }
        let op = match &text[left_end..op_end] {
            "<" => Op::Lt,
            ">" => Op::Gt,
            "==" => Op::Eq,
            "!=" => Op::Ne,
            "<=" => Op::Le,
            ">=" => Op::Ge,
            other => return Err(format!("unrecognized filter operator {other}")),
        };
        let left = inner_action(&text[..left_end])?;
        let right = inner_action(&text[op_end..])?;
        Ok(Step::Filter(Box::new(Filter { left, op, right })))
    }

    /// A quoted string after its opening quote, unquoted as Go does.
    fn quoted(&mut self, quote: char) -> Result<Step, String> {
        let start = self.pos - 1;
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated quoted string".into()),
                Some(c) if c == quote && !self.input[..self.pos - 1].ends_with('\\') => break,
                Some(_) => {}
            }
        }
        let raw = &self.input[start..self.pos];
        let text = unquote(&raw[1..raw.len() - 1], quote).ok_or_else(|| format!("unquote string {raw} error invalid syntax"))?;
        Ok(Step::Text(Value::String(text)))
    }
}

/// The steps of `text` parsed as one action, as client-go's `parseAction`.
fn inner_action(text: &str) -> Result<Vec<Step>, String> {
    let input = format!("{text}}}");
    let mut parser = Parser { input: &input, pos: 0 };
    let steps = parser.action()?;
    if parser.pos != input.len() {
        return Err(format!("unexpected text after {text}"));
    }
    Ok(steps)
}

/// Go's escapes in quoted strings (`strconv.UnquoteChar`): `\n`, `\t`,
/// `\\`, `\"`, `\xHH`, `\uHHHH`, `\UHHHHHHHH`, octal `\ooo` and the rest.
fn unquote(body: &str, quote: char) -> Option<String> {
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            if c == quote {
                return None;
            }
            out.push(c);
            continue;
        }
        let escaped = chars.next()?;
        let hex = |chars: &mut std::str::Chars<'_>, n: usize| -> Option<char> {
            let digits: String = chars.by_ref().take(n).collect();
            (digits.len() == n).then(|| u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32))?
        };
        out.push(match escaped {
            'a' => '\u{7}',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{b}',
            '\\' => '\\',
            '\'' | '"' if escaped == quote => escaped,
            'x' => hex(&mut chars, 2)?,
            'u' => hex(&mut chars, 4)?,
            'U' => hex(&mut chars, 8)?,
            '0'..='7' => {
                let rest: String = chars.by_ref().take(2).collect();
                let code = u32::from_str_radix(&format!("{escaped}{rest}"), 8).ok().filter(|_| rest.len() == 2)?;
                char::from_u32(code).filter(|_| code <= 255)?
            }
            _ => return None,
        });
    }
    Some(out)
}

fn is_terminator(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}')
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(template: &str, input: &str) -> Result<String, String> {
        let data: Value = serde_json::from_str(input).expect("test input is JSON");
        Template::parse(template, false)?.render(&data).map_err(|failure| failure.to_string())
    }

    /// Each case: template, expected output.
    fn check(input: &str, cases: &[(&str, &str)]) {
        for (template, expected) in cases {
            assert_eq!(run(template, input).as_deref(), Ok(*expected), "{template}");
        }
    }

    /// Each case: template, a part of the error.
    fn fails(input: &str, cases: &[(&str, &str)]) {
        for (template, error) in cases {
            let err = run(template, input).expect_err(template);
            assert!(err.contains(error), "{template}: {err}");
        }
    }

    /// The input of kubectl's JSONPath page
    /// (kubernetes.io/docs/reference/kubectl/jsonpath/) and of client-go's
    /// `TestKubernetes` (util/jsonpath/jsonpath_test.go), which adds
    /// `status.ready` and the second node's labels.
    const NODES: &str = r#"{
      "kind": "List",
      "items": [
        {"kind": "None",
         "metadata": {"name": "127.0.0.1", "labels": {"kubernetes.io/hostname": "127.0.0.1"}},
         "status": {"capacity": {"cpu": "4"}, "ready": true,
                    "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.1"}]}},
        {"kind": "None",
         "metadata": {"name": "127.0.0.2", "labels": {"kubernetes.io/hostname": "127.0.0.2"}},
         "status": {"capacity": {"cpu": "8"}, "ready": false,
                    "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.2"},
                                  {"type": "another", "address": "127.0.0.3"}]}}
      ],
      "users": [
        {"name": "myself", "user": {}},
        {"name": "e2e", "user": {"username": "admin", "password": "secret"}}
      ]
    }"#;

    /// The table of kubectl's JSONPath page. Where the page shows Go's
    /// `map[cpu:4]` and `[127.0.0.1 127.0.0.2]`, kubectl prints JSON and
    /// space-separated results, as client-go's tests of the same templates
    /// say (used here).
    #[test]
    fn the_kubectl_documentation_table() {
        check(
            NODES,
            &[
                ("kind is {.kind}", "kind is List"),
                ("{.kind}", "List"),
                ("{['kind']}", "List"),
                ("{..name}", "127.0.0.1 127.0.0.2 myself e2e"),
                ("{.items[*].metadata.name}", "127.0.0.1 127.0.0.2"),
                ("{.users[0].name}", "myself"),
                ("{.items[*]['metadata.name', 'status.capacity']}", r#"127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}"#),
                (r#"{.users[?(@.name=="e2e")].user.password}"#, "secret"),
                (
                    "{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}",
                    r#"[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] "#,
                ),
                (r"{range .items[*]}{.metadata.name}{'\t'}{end}", "127.0.0.1\t127.0.0.2\t"),
                (r"{.items[0].metadata.labels.kubernetes\.io/hostname}", "127.0.0.1"),
            ],
        );
        let whole: Value = serde_json::from_str(NODES).unwrap();
        let printed: Value = serde_json::from_str(&run("{@}", NODES).unwrap()).unwrap();
        assert_eq!(printed, whole, "{{@}} is the input");
    }

    /// client-go `TestKubernetes`.
    #[test]
    fn client_go_kubernetes_cases() {
        check(
            NODES,
            &[
                ("{range .items[*]}{.metadata.name}, {end}{.kind}", "127.0.0.1, 127.0.0.2, List"),
                (r#"{range .items[*]}{.metadata.name}{"\t"}{end}"#, "127.0.0.1\t127.0.0.2\t"),
                ("{.items[*].status.addresses[*].address}", "127.0.0.1 127.0.0.2 127.0.0.3"),
                ("{range .items[*]}{range .status.addresses[*]}{.address}, {end}{end}", "127.0.0.1, 127.0.0.2, 127.0.0.3, "),
                (r#"{.items[?(@.metadata.labels.kubernetes\.io/hostname=="127.0.0.1")].kind}"#, "None"),
                ("{.items[?(@..ready==true)].metadata.name}", "127.0.0.1"),
            ],
        );
    }

    /// client-go `TestTypesInput`, in JSON (Go's int slice as integers, its
    /// float64 slice as floats).
    #[test]
    fn client_go_types_cases() {
        let types = r#"{
          "bools": [true, false, true, false],
          "integers": [1, 2, 3, 4],
          "floats": [1.0, 2.2, 3.3, 4.0],
          "strings": ["one", "two", "three", "four"],
          "interfaces": [true, "one", 1, 1.1],
          "maps": [{"name": "one", "value": 1}, {"name": "two", "value": 2.02},
                   {"name": "three", "value": 3.03}, {"name": "four", "value": 4.04}]
        }"#;
        check(
            types,
            &[
                ("{ .bools }", "[true,false,true,false]"),
                ("{ .bools[0] }", "true"),
                ("{ .bools[-1] }", "false"),
                ("{ .bools[0:2] }", "true false"),
                ("{ .bools[:4:2] }", "true true"),
                ("{ .integers }", "[1,2,3,4]"),
                ("{ .integers[-2] }", "3"),
                ("{ .integers[:4:2] }", "1 3"),
                ("{ .floats }", "[1,2.2,3.3,4]"),
                ("{ .floats[0] }", "1"),
                ("{ .floats[-2] }", "3.3"),
                ("{ .strings }", r#"["one","two","three","four"]"#),
                ("{ .strings[:2] }", "one two"),
                ("{ .interfaces }", r#"[true,"one",1,1.1]"#),
                ("{ .interfaces[:4:2] }", "true 1"),
                ("{ .maps[0] }", r#"{"name":"one","value":1}"#),
                ("{ .maps[::2] }", r#"{"name":"one","value":1} {"name":"three","value":3.03}"#),
                ("{ .maps[1::2] }", r#"{"name":"two","value":2.02} {"name":"four","value":4.04}"#),
            ],
        );
    }

    /// client-go `TestStructInput`'s store, as the JSON Go would write it.
    const STORE: &str = r#"{
      "Name": "jsonpath",
      "Book": [
        {"Category": "reference", "Author": "Nigel Rees", "Title": "Sayings of the Centurey", "Price": 8.95},
        {"Category": "fiction", "Author": "Evelyn Waugh", "Title": "Sword of Honour", "Price": 12.99},
        {"Category": "fiction", "Author": "Herman Melville", "Title": "Moby Dick", "Price": 8.99}
      ],
      "Bicycle": [{"Color": "red", "Price": 19.95, "IsNew": true}, {"Color": "green", "Price": 20.01, "IsNew": false}],
      "Labels": {"engieer": 10, "web/html": 15, "k8s-app": 20},
      "Employees": {"jason": "manager", "dan": "clerk"}
    }"#;

    /// client-go `TestStructInput`. Go walks a struct's fields in their
    /// order and a JSON object here has its keys sorted, so where that
    /// order shows, the words or the JSON are compared as client-go's
    /// map-order cases do.
    #[test]
    fn client_go_store_cases() {
        check("null", &[("hello jsonpath", "hello jsonpath"), (r#"{"{"}"#, "{")]);
        check("[1, 2, 3]", &[("{..}", "[1,2,3]")]);
        check("[2, 6, 3, 7]", &[("{[?(@<5)]}", "2 3")]);
        check("[0, 1, 2, 3, 4]", &[("{[1,3,4]}", "1 3 4")]);
        check(r#"["Monday", "Tudesday"]"#, &[("{[0:2]}", "Monday Tudesday")]);
        check(
            STORE,
            &[
                ("hello {.Name}", "hello jsonpath"),
                ("{$.Labels.web/html}", "15"),
                ("{$.Employees.jason}", "manager"),
                ("{$.Employees.dan}", "clerk"),
                ("{.Labels.k8s-app}", "20"),
                ("{.Bicycle[*].Color}", "red green"),
                ("{.Book[*].Author}", "Nigel Rees Evelyn Waugh Herman Melville"),
            ],
        );
        let words = |text: String| {
            let mut words: Vec<String> = text.split(' ').map(str::to_string).collect();
            words.sort();
            words
        };
        for template in ["{..Price}", "{...Price}"] {
            assert_eq!(words(run(template, STORE).unwrap()), words("8.95 12.99 8.99 19.95 20.01".into()), "{template}");
        }
        let json = |text: &str| serde_json::from_str::<Value>(text).unwrap();
        let moby = r#"{"Category":"fiction","Author":"Herman Melville","Title":"Moby Dick","Price":8.99}"#;
        for (template, expected) in [
            ("{.Book[-1:]}", moby),
            ("{..Book[2]}", moby),
            ("{.Bicycle[?(@.IsNew==true)]}", r#"{"Color":"red","Price":19.95,"IsNew":true}"#),
        ] {
            assert_eq!(json(&run(template, STORE).unwrap()), json(expected), "{template}");
        }
        fails(
            STORE,
            &[
                ("{............................................................Price}", "invalid multiple recursive descent"),
                ("{hello}", "unrecognized identifier hello"),
                ("{.hello}", "hello is not found"),
                ("{.Labels[0]}", "is not array or slice"),
                ("{.Book[?(@.Price<>10)]}", "unrecognized filter operator <>"),
                ("{range .Labels.*}{@}{end}{end}", "not in range, nothing to end"),
            ],
        );
    }

    /// client-go `TestJSONInput`.
    #[test]
    fn client_go_points_cases() {
        let points = r#"[
          {"id": "i1", "x": 4, "y": -5},
          {"id": "i2", "x": -2, "y": -5, "z": 1},
          {"id": "i3", "x": 8, "y": 3},
          {"id": "i4", "x": -6, "y": -1},
          {"id": "i5", "x": 0, "y": 2, "z": 1},
          {"id": "i6", "x": 1, "y": 4},
          {"id": "i7", "x": null, "y": 4}
        ]"#;
        check(points, &[("{[?(@.z)].id}", "i2 i5"), ("{[0]['id']}", "i1"), ("{[-1]['x']}", "null")]);
    }

    const PODS: &str = r#"{
      "items": [
        {"metadata": {"name": "pod1"}, "spec": {"containers": [
          {"name": "foo", "another": [{"name": "value1"}, {"name": "value2"}]},
          {"name": "bar", "another": [{"name": "value1"}, {"name": "value2"}]}]}},
        {"metadata": {"name": "pod2"}, "spec": {"containers": [
          {"name": "baz", "another": [{"name": "value1"}, {"name": "value2"}]}]}}
      ]
    }"#;

    /// client-go `TestNestedRanges` and `TestEmptyRange`.
    #[test]
    fn client_go_nested_and_empty_ranges() {
        check(
            PODS,
            &[
                (
                    r#"{range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end}"#,
                    "pod1:foo,bar,+pod2:baz,+",
                ),
                (
                    r##"{range .items[*]}{.metadata.name}{"~"}{range @.spec.containers[*]}{.name}{":"}{range @.another[*]}{.name}{","}{end}{"+"}{end}{"#"}{end}"##,
                    "pod1~foo:value1,value2,+bar:value1,value2,+#pod2~baz:value1,value2,+#",
                ),
                (
                    r#"{range .items[*]}{.metadata.name}{"\t"}{range @.spec.containers[*]}{.name}{" "}{end}{"\t"}{range @.spec.containers[*]}{.name}{" "}{end}{"\n"}{end}"#,
                    "pod1\tfoo bar \tfoo bar \npod2\tbaz \tbaz \n",
                ),
            ],
        );
        check(
            r#"{"items": []}"#,
            &[
                ("{range .items[*]}{.metadata.name}{end}", ""),
                (r#"{range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end}"#, ""),
            ],
        );
    }

    /// client-go `TestFilterPartialMatchesSometimesMissingAnnotations` and
    /// `TestRunningPodsJSONPathOutput`, with kubectl's default answers: an
    /// item without the compared key does not match.
    #[test]
    fn client_go_filters_over_items_missing_the_key() {
        let annotated = r#"{"kind": "List", "items": [
          {"kind": "Pod", "metadata": {"name": "pod1", "annotations": {"color": "blue"}}},
          {"kind": "Pod", "metadata": {"name": "pod2"}},
          {"kind": "Pod", "metadata": {"name": "pod3", "annotations": {"color": "green"}}},
          {"kind": "Pod", "metadata": {"name": "pod4", "annotations": {"color": "blue"}}}
        ]}"#;
        check(annotated, &[(r#"{.items[?(@.metadata.annotations.color=="blue")].metadata.name}"#, "pod1 pod4")]);
        let running = r#"{"kind": "List", "items": [
          {"kind": "Pod", "metadata": {"name": "pod1"}, "status": {"phase": "Running"}},
          {"kind": "Pod", "metadata": {"name": "pod2"}, "status": {"phase": "Running"}},
          {"kind": "Pod", "metadata": {"name": "pod3"}, "status": {"phase": "Running"}},
          {"resourceVersion": ""}
        ]}"#;
        check(
            running,
            &[(
                r#"{range .items[?(.status.phase=="Running")]}{.metadata.name}{" is Running\n"}{end}"#,
                "pod1 is Running\npod2 is Running\npod3 is Running\n",
            )],
        );
    }

    fn containers(n: usize) -> String {
        let list: Vec<String> = (0..n).map(|i| format!(r#"{{"image": "radial/busyboxplus:curl", "name": "fake{i}"}}"#)).collect();
        format!(r#"{{"apiVersion": "v1", "kind": "Pod", "spec": {{"containers": [{}]}}}}"#, list.join(","))
    }

    /// client-go `TestNegativeIndex` (four containers) and `TestStep` (six).
    #[test]
    fn client_go_indices_slices_and_steps() {
        check(
            &containers(4),
            &[
                ("{.spec.containers[0].name}", "fake0"),
                ("{.spec.containers[0:0].name}", ""),
                ("{.spec.containers[0:-1].name}", "fake0 fake1 fake2"),
                ("{.spec.containers[-1].name}", "fake3"),
                ("{.spec.containers[-1:].name}", "fake3"),
                ("{.spec.containers[-2].name}", "fake2"),
                ("{.spec.containers[-2:].name}", "fake2 fake3"),
                ("{.spec.containers[-3].name}", "fake1"),
                ("{.spec.containers[-4].name}", "fake0"),
                ("{.spec.containers[-4:].name}", "fake0 fake1 fake2 fake3"),
                ("{.spec.containers[5:5].name}", ""),
                ("{.spec.containers[-5:-5].name}", ""),
            ],
        );
        fails(
            &containers(4),
            &[
                ("{.spec.containers[-1:0].name}", "starting index 3 is greater than ending index 0"),
                ("{.spec.containers[-5].name}", "array index out of bounds: index -1, length 4"),
                ("{.spec.containers[3:1].name}", "starting index 3 is greater than ending index 1"),
                ("{.spec.containers[-1:-2].name}", "starting index 3 is greater than ending index 2"),
            ],
        );
        check(
            &containers(6),
            &[
                ("{.spec.containers[0:].name}", "fake0 fake1 fake2 fake3 fake4 fake5"),
                ("{.spec.containers[0:6:].name}", "fake0 fake1 fake2 fake3 fake4 fake5"),
                ("{.spec.containers[0:6:1].name}", "fake0 fake1 fake2 fake3 fake4 fake5"),
                ("{.spec.containers[1:4:2].name}", "fake1 fake3"),
                ("{.spec.containers[1:4:3].name}", "fake1"),
                ("{.spec.containers[1:4:4].name}", "fake1"),
                ("{.spec.containers[0:6:2].name}", "fake0 fake2 fake4"),
                ("{.spec.containers[0:6:3].name}", "fake0 fake3"),
                ("{.spec.containers[0:6:5].name}", "fake0 fake5"),
                ("{.spec.containers[0:6:6].name}", "fake0"),
            ],
        );
        fails(
            &containers(6),
            &[("{.spec.containers[0:6:0].name}", "step must be > 0"), ("{.spec.containers[0:6:-1].name}", "step must be > 0")],
        );
    }

    /// kubectl's printer tests (cli-runtime `TestBadPrinter`): the parse
    /// error names the template.
    #[test]
    fn parse_errors_are_kubectls() {
        assert_eq!(Template::parse("{.Name", false).unwrap_err(), "error parsing jsonpath {.Name, unclosed action");
        assert_eq!(Template::parse("", false).unwrap_err(), "template format specified but no template given");
        for (bad, why) in [
            ("{.a[0}", "unterminated array"),
            ("{.a[x]}", "invalid array index x"),
            (r#"{.a[?(@.b=="c"}"#, "unterminated filter"),
            (r#"{"abc}"#, "unterminated quoted string"),
            ("{!}", "unrecognized character in action: U+0021 '!'"),
            ("{end}", "not in range, nothing to end"),
        ] {
            let err = Template::parse(bad, false).unwrap_err();
            assert!(err.ends_with(why), "{bad}: {err}");
        }
    }

    /// This project's rules: a key missing at the top level is an error
    /// (kubectl's --allow-missing-template-keys=false), lists are what -o
    /// json prints and `.items` names them, errors show no value.
    #[test]
    fn missing_keys_lists_and_secrets() {
        fails(NODES, &[("{.kind}{.nope}", "nope is not found"), ("before-{.hello}after", "hello is not found")]);
        fails(NODES, &[("{range .items[*]}{.spec.nodeName}{end}", "spec is not found")]);
        let clients = r#"[{"clientId": "a", "type": "public"}, {"clientId": "b", "type": "confidential"}]"#;
        check(
            clients,
            &[
                (r#"{range .[*]}{.clientId}{"\n"}{end}"#, "a\nb\n"),
                (r#"{range [*]}{.clientId}{"\n"}{end}"#, "a\nb\n"),
                ("{.items[*].clientId}", "a b"),
                (r#"{range .items[*]}{.clientId}{"\n"}{end}"#, "a\nb\n"),
                (r#"{.items[?(@.type=="confidential")].clientId}"#, "b"),
                ("{$.items[0].clientId}", "a"),
            ],
        );
        check("[]", &[("{range .items[*]}{.clientId}{end}", ""), ("{.[*].clientId}", "")]);
        // audit's help: the clients with a drifted copy.
        let audited = r#"[{"clientId": "a", "drifted": []}, {"clientId": "b", "drifted": [{"name": "x"}]}]"#;
        check(audited, &[("{.items[?(@.drifted[0])].clientId}", "b")]);
        fails(r#"{"clientId": "a"}"#, &[("{.items[*].clientId}", "items is not found")]);
        let secret = r#"{"clientId": "a", "secret": "s3cr3t-<value>"}"#;
        check(secret, &[("{.secret}", "s3cr3t-<value>"), ("{@}", r#"{"clientId":"a","secret":"s3cr3t-\u003cvalue\u003e"}"#)]);
        for template in ["{.secret[0]}", "{.secret[?(@.x)]}", "{.secret.x}", r#"{[?(@.secret=="x")]}"#, "{.x[?(@.secret>1)]}"] {
            let err = run(template, secret).unwrap_err();
            assert!(!err.contains("s3cr3t"), "{template}: {err}");
        }
        let err = run(r#"{[?(@.secret>1)]}"#, &format!("[{secret}]")).unwrap_err();
        assert_eq!(err, "incompatible types for comparison");
    }

    #[test]
    fn jsonpath_as_json_prints_each_actions_results_as_an_array() {
        let data: Value = serde_json::from_str(NODES).unwrap();
        let template = Template::parse("{.items[*].metadata.name}", true).unwrap();
        assert_eq!(template.render(&data).unwrap(), "[\n    \"127.0.0.1\",\n    \"127.0.0.2\"\n]\n");
        let template = Template::parse("{.users[1].user}", true).unwrap();
        assert_eq!(
            template.render(&data).unwrap(),
            "[\n    {\n        \"password\": \"secret\",\n        \"username\": \"admin\"\n    }\n]\n"
        );
        assert_eq!(template.to_string(), "jsonpath-as-json={.users[1].user}");
    }

    #[test]
    fn numbers_print_as_go_prints_them() {
        let text = |f: f64, json: bool| go_number(&Number::from_f64(f).unwrap(), json);
        for (f, shown, json) in [
            (1.0, "1", "1"),
            (2.5, "2.5", "2.5"),
            (1e6, "1e+06", "1000000"),
            (123456.0, "123456", "123456"),
            (0.0001, "0.0001", "0.0001"),
            (0.00001, "1e-05", "0.00001"),
            (1e-7, "1e-07", "1e-7"),
            (1e21, "1e+21", "1e+21"),
            (-3.25, "-3.25", "-3.25"),
        ] {
            assert_eq!((text(f, false).as_str(), text(f, true).as_str()), (shown, json), "{f}");
        }
        check(r#"{"n": 90, "big": 18446744073709551615}"#, &[("{.n} {.big}", "90 18446744073709551615")]);
    }
}
