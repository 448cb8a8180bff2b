//! The catalog of CloudFormation resource types, `data/cfn-types.txt`, written by
//! `scripts/gen-cfn-catalog` from the resource schemas cfn-lint ships (so sparkform and
//! cfn-lint judge a template by the same schemas).
//!
//! Only the index (type names and where their lines are) is read on first use; a type's
//! lines are parsed the first time that type is looked up, so a crate that declares no raw
//! resource and no override parses nothing, and one that does parses only its types.
//!
//! Format: one item per line, fields separated by tabs.
//!
//! ```text
//! # comment
//! =AWS::ACMPCA::Certificate 1251   the index: every type, sorted by name, and the length
//! =AWS::SNS::Topic 711             in bytes of its lines; then each type's lines, in order:
//! r  TopicArn  A/*/B               read-only property paths (`*`: any list item)
//! c  TopicName                     create-only property paths
//! g  TopicArn  Outputs.*           Fn::GetAtt names, when they are not the read-only paths
//! :                                record 0, the resource's `Properties`; then 1, 2, ...
//! :+                               a record that also allows properties it does not list
//! Name  SHAPE  [FIELD]...          a property of the record above
//! ```
//!
//! SHAPE: `s` string, `i` integer, `n` number, `b` boolean, `j` free-form JSON object, `*`
//! anything, `[X` list of X, `{X` map of X, `@N` record N of the same type, `X|Y` either,
//! `(X|Y)` grouped. FIELD: `!` required, `e` + values joined by `|` (enum), `E` the same
//! compared without case, `p` + a regex (Rust syntax), `l` + `min,max` string length, `m` +
//! `min,max` numeric range (either bound may be empty). Enum, pattern and bounds apply to
//! the scalars at the end of the shape (a list's items, a map's values).

use std::sync::OnceLock;

const CATALOG: &str = include_str!("../../../data/cfn-types.txt");

/// One resource type, parsed from its catalog lines.
#[derive(Debug)]
pub struct ResourceType {
    pub(super) name: &'static str,
    pub(super) read_only: Vec<&'static str>,
    pub(super) create_only: Vec<&'static str>,
    /// `Fn::GetAtt` names; a `*` segment stands for any one segment, a trailing `*` for
    /// one or more.
    pub(super) attributes: Vec<String>,
    pub(super) records: Vec<Record>,
}

#[derive(Debug)]
pub(super) struct Record {
    /// Whether properties the record does not list are allowed.
    pub open: bool,
    /// Sorted by name.
    pub props: Vec<Property>,
}

#[derive(Debug)]
pub(super) struct Property {
    pub name: &'static str,
    pub shape: Shape,
    pub required: bool,
    pub rules: Rules,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Shape {
    Str,
    Int,
    Num,
    Bool,
    /// An object with no declared properties (a policy document, a free-form map).
    Json,
    Any,
    List(Box<Shape>),
    Map(Box<Shape>),
    Record(usize),
    Union(Vec<Shape>),
}

/// What a scalar value must satisfy besides its kind.
#[derive(Debug, Default)]
pub(super) struct Rules {
    pub enum_values: Vec<&'static str>,
    pub enum_case_insensitive: bool,
    pub pattern: Option<&'static str>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
}

impl ResourceType {
    pub(super) fn record(&self, n: usize) -> Option<&Record> {
        self.records.get(n)
    }
}

impl Record {
    pub fn get(&self, name: &str) -> Option<&Property> {
        self.props
            .binary_search_by(|p| p.name.cmp(name))
            .ok()
            .map(|i| &self.props[i])
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + Clone + '_ {
        self.props.iter().map(|p| p.name)
    }
}

struct Entry {
    name: &'static str,
    /// Where the type's lines are in the catalog: sliced only when the type is looked up,
    /// so building the index does not touch every page of the catalog.
    body: std::ops::Range<usize>,
    parsed: OnceLock<Result<ResourceType, String>>,
}

fn index() -> Result<&'static [Entry], &'static str> {
    static INDEX: OnceLock<Result<Vec<Entry>, String>> = OnceLock::new();
    INDEX
        .get_or_init(|| build_index(CATALOG))
        .as_ref()
        .map(Vec::as_slice)
        .map_err(String::as_str)
}

/// Reads the index at the top (`=Type<TAB>length` lines, one per type), then cuts the rest
/// into the types' bodies by those lengths: only the index's ~60 KB are read.
fn build_index(text: &'static str) -> Result<Vec<Entry>, String> {
    let bytes = text.as_bytes();
    let line_end = |from: usize| bytes[from..].iter().position(|&b| b == b'\n').map(|i| from + i);
    let mut pos = 0;
    while bytes.get(pos) == Some(&b'#') {
        pos = line_end(pos).ok_or("the catalog ends in its header")? + 1;
    }
    let mut heads: Vec<(&'static str, usize)> = Vec::with_capacity(2048);
    while bytes.get(pos) == Some(&b'=') {
        let end = line_end(pos).ok_or("the catalog ends in its index")?;
        let line = &text[pos + 1..end];
        let (name, len) = line
            .rsplit_once('\t')
            .and_then(|(n, l)| Some((n, l.parse().ok()?)))
            .ok_or_else(|| format!("bad index line `{line}`"))?;
        heads.push((name, len));
        pos = end + 1;
    }
    let mut entries = Vec::with_capacity(heads.len());
    for (name, len) in heads {
        entries.push(Entry {
            name,
            body: pos..pos + len,
            parsed: OnceLock::new(),
        });
        pos += len;
    }
    if pos != text.len() {
        return Err("the catalog has lines after its last type".into());
    }
    if !entries.is_sorted_by(|a, b| a.name < b.name) {
        return Err("the index is not sorted".into());
    }
    Ok(entries)
}

/// Every type name in the catalog, sorted.
pub(super) fn type_names() -> impl Iterator<Item = &'static str> + Clone {
    index().unwrap_or_default().iter().map(|e| e.name)
}

/// The type named exactly `name`: `None` if there is none, `Some(Err)` if its catalog
/// lines cannot be read (a catalog not written by the generator).
pub(super) fn find(name: &str) -> Option<Result<&'static ResourceType, &'static str>> {
    let entries = match index() {
        Ok(e) => e,
        Err(e) => return Some(Err(e)),
    };
    let i = entries.binary_search_by(|e| e.name.cmp(name)).ok()?;
    let e = &entries[i];
    let parse = || match CATALOG.get(e.body.clone()) {
        Some(body) => parse_type(e.name, body),
        None => Err(format!("the lines of `{}` are not where the index says", e.name)),
    };
    Some(e.parsed.get_or_init(parse).as_ref().map_err(String::as_str))
}

fn parse_type(name: &'static str, body: &'static str) -> Result<ResourceType, String> {
    let mut ty = ResourceType {
        name,
        read_only: Vec::new(),
        create_only: Vec::new(),
        attributes: Vec::new(),
        records: Vec::new(),
    };
    let mut attributes: Option<Vec<String>> = None;
    for (n, line) in body.lines().enumerate() {
        let bad = |what: &str| format!("line {} of `{name}` ({what}): {line:?}", n + 1);
        let mut fields = line.split('\t');
        let head = fields.next().unwrap_or("");
        match head {
            "" if line.is_empty() => {}
            "r" => ty.read_only = fields.collect(),
            "c" => ty.create_only = fields.collect(),
            "g" => attributes = Some(fields.map(str::to_string).collect()),
            ":" | ":+" => ty.records.push(Record {
                open: head == ":+",
                props: Vec::new(),
            }),
            _ if head.starts_with('#') => {}
            _ => {
                let shape_text = fields.next().ok_or_else(|| bad("no shape"))?;
                let shape = parse_shape(shape_text).ok_or_else(|| bad("bad shape"))?;
                let mut prop = Property {
                    name: head,
                    shape,
                    required: false,
                    rules: Rules::default(),
                };
                for f in fields {
                    parse_field(&mut prop, f).ok_or_else(|| bad("bad field"))?;
                }
                let record = ty.records.last_mut().ok_or_else(|| bad("property before `:`"))?;
                record.props.push(prop);
            }
        }
    }
    if ty.records.is_empty() {
        return Err(format!("`{name}` has no properties record"));
    }
    let count = ty.records.len();
    for r in &mut ty.records {
        r.props.sort_by(|a, b| a.name.cmp(b.name));
        if let Some(p) = r.props.iter().find(|p| !refs_in_range(&p.shape, count)) {
            return Err(format!(
                "`{name}`: property `{}` refers to a record that does not exist",
                p.name
            ));
        }
    }
    ty.attributes = attributes.unwrap_or_else(|| ty.read_only.iter().map(|p| p.replace('/', ".")).collect());
    Ok(ty)
}

fn refs_in_range(s: &Shape, count: usize) -> bool {
    match s {
        Shape::Record(n) => *n < count,
        Shape::List(x) | Shape::Map(x) => refs_in_range(x, count),
        Shape::Union(xs) => xs.iter().all(|x| refs_in_range(x, count)),
        _ => true,
    }
}

fn parse_field(prop: &mut Property, f: &'static str) -> Option<()> {
    let tag = f.chars().next()?;
    let rest = &f[tag.len_utf8()..];
    let r = &mut prop.rules;
    match tag {
        '!' => prop.required = true,
        'e' | 'E' => {
            r.enum_values = rest.split('|').collect();
            r.enum_case_insensitive = tag == 'E';
        }
        'p' => r.pattern = Some(rest),
        'l' => {
            let (lo, hi) = rest.split_once(',')?;
            r.min_length = bound(lo)?;
            r.max_length = bound(hi)?;
        }
        'm' => {
            let (lo, hi) = rest.split_once(',')?;
            r.minimum = bound(lo)?;
            r.maximum = bound(hi)?;
        }
        _ => return None,
    }
    Some(())
}

/// `Some(None)` for an empty bound, `None` for one that is not a number.
fn bound<T: std::str::FromStr>(s: &str) -> Option<Option<T>> {
    if s.is_empty() {
        Some(None)
    } else {
        s.parse().ok().map(Some)
    }
}

pub(super) fn parse_shape(text: &str) -> Option<Shape> {
    let mut p = ShapeParser {
        s: text.as_bytes(),
        i: 0,
    };
    let shape = p.union()?;
    (p.i == p.s.len()).then_some(shape)
}

struct ShapeParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl ShapeParser<'_> {
    fn union(&mut self) -> Option<Shape> {
        let mut alts = vec![self.term()?];
        while self.s.get(self.i) == Some(&b'|') {
            self.i += 1;
            alts.push(self.term()?);
        }
        Some(if alts.len() == 1 {
            alts.pop()?
        } else {
            Shape::Union(alts)
        })
    }

    fn term(&mut self) -> Option<Shape> {
        let c = *self.s.get(self.i)?;
        self.i += 1;
        Some(match c {
            b's' => Shape::Str,
            b'i' => Shape::Int,
            b'n' => Shape::Num,
            b'b' => Shape::Bool,
            b'j' => Shape::Json,
            b'*' => Shape::Any,
            b'[' => Shape::List(Box::new(self.term()?)),
            b'{' => Shape::Map(Box::new(self.term()?)),
            b'@' => {
                let start = self.i;
                while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                    self.i += 1;
                }
                let digits = std::str::from_utf8(&self.s[start..self.i]).ok()?;
                Shape::Record(digits.parse().ok()?)
            }
            b'(' => {
                let inner = self.union()?;
                if self.s.get(self.i) != Some(&b')') {
                    return None;
                }
                self.i += 1;
                inner
            }
            _ => return None,
        })
    }
}

/// Parses the whole catalog (every type), for the tests and the measurements.
pub fn parse_all() -> Result<usize, String> {
    let mut n = 0;
    for e in index()? {
        find(e.name).ok_or("indexed type not found")?.map_err(str::to_string)?;
        n += 1;
    }
    Ok(n)
}

/// How many types the catalog has (builds the index, parses no type).
pub fn type_count() -> usize {
    index().map_or(0, <[Entry]>::len)
}

/// The catalog's size in bytes (embedded in the binary whether used or not).
pub fn catalog_bytes() -> usize {
    CATALOG.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_parse() {
        assert_eq!(parse_shape("s"), Some(Shape::Str));
        assert_eq!(
            parse_shape("[(s|i)"),
            Some(Shape::List(Box::new(Shape::Union(vec![Shape::Str, Shape::Int]))))
        );
        assert_eq!(
            parse_shape("@12|j"),
            Some(Shape::Union(vec![Shape::Record(12), Shape::Json]))
        );
        assert_eq!(
            parse_shape("{[@3"),
            Some(Shape::Map(Box::new(Shape::List(Box::new(Shape::Record(3))))))
        );
        for bad in ["", "x", "[", "(s|i", "@", "s|", "ss"] {
            assert_eq!(parse_shape(bad), None, "{bad:?} must not parse");
        }
    }

    #[test]
    fn every_type_in_the_catalog_parses() {
        let n = parse_all().unwrap();
        assert!(n > 1500, "only {n} types in the catalog");
    }

    #[test]
    fn damaged_lines_are_errors_not_panics() {
        for body in [
            "Name\ts\n",
            ":\nName\n",
            ":\nName\tq\n",
            ":\nName\ts\tl1\n",
            ":\nName\ts\tmx,\n",
            ":\nName\t@5\n",
            ":\nName\ts\tz\n",
        ] {
            assert!(parse_type("X::Y::Z", body).is_err(), "{body:?} must be rejected");
        }
        assert!(parse_type("X::Y::Z", ":\nName\ts\t!\tl1,\n").is_ok());
    }

    #[test]
    fn index_then_bodies() {
        let text = "# c\n=A::B::C\t6\n=A::B::D\t2\n=Z::Z::Z\t3\n:\nX\ts\n:\n:+\n";
        let entries = build_index(text).unwrap();
        let names: Vec<_> = entries.iter().map(|e| e.name).collect();
        assert_eq!(names, ["A::B::C", "A::B::D", "Z::Z::Z"]);
        let body = |i: usize| &text[entries[i].body.clone()];
        assert_eq!((body(0), body(1), body(2)), (":\nX\ts\n", ":\n", ":+\n"));
        for damaged in [
            "=A::B::C\t7\n:\nX\ts\n",
            "=A::B::C\t3\n:\nX\ts\n",
            "=A::B::C\n:\n",
            "=B::B::B\t2\n=A::A::A\t2\n:\n:\n",
            "# only a comment",
        ] {
            assert!(build_index(damaged).is_err(), "{damaged:?} must be refused");
        }
    }

    #[test]
    fn the_real_catalog_is_indexed() {
        assert!(build_index(CATALOG).is_ok());
    }
}
