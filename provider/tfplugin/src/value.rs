//! Terraform values: the dynamic [`Value`] model, its [`Type`], and the two
//! wire encodings Terraform uses (msgpack with unknown values as an extension
//! type, and JSON for stored state).
//!
//! Decoding is type-directed: msgpack alone cannot tell a list from a set, a
//! map from an object, or a big number from a string, so every decode takes
//! the [`Type`] implied by the schema. Values cross into typed Rust structs
//! with [`from_value`] and back with [`to_value`].

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::path::{AttributePath, PathStep};

/// msgpack extension code for a wholly unknown value.
const EXT_UNKNOWN: i8 = 0;

/// A Terraform type (the cty type system).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// `bool`.
    Bool,
    /// `number`: arbitrary precision.
    Number,
    /// `string`.
    String,
    /// `dynamic`: any type, encoded on the wire together with its type.
    Dynamic,
    /// `list(T)`.
    List(Box<Type>),
    /// `set(T)`.
    Set(Box<Type>),
    /// `map(T)`.
    Map(Box<Type>),
    /// `object({...})`.
    Object(BTreeMap<String, Type>),
    /// `tuple([...])`.
    Tuple(Vec<Type>),
}

impl Type {
    /// `list(element)`.
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    /// `set(element)`.
    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    /// `map(element)`.
    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// The JSON type notation Terraform uses in schemas (`"string"`,
    /// `["list","string"]`, `["object",{...}]`).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::Bool => json!("bool"),
            Type::Number => json!("number"),
            Type::String => json!("string"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let attrs: serde_json::Map<String, serde_json::Value> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                json!(["object", attrs])
            }
            Type::Tuple(elems) => {
                json!(["tuple", elems.iter().map(Type::to_json).collect::<Vec<_>>()])
            }
        }
    }

    /// Parses the JSON type notation.
    pub fn from_json(json: &serde_json::Value) -> Result<Type, ValueError> {
        use serde_json::Value as J;
        let bad = || {
            ValueError::new(
                AttributePath::root(),
                format!("invalid type notation {json}"),
            )
        };
        match json {
            J::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(bad()),
            },
            J::Array(parts) if parts.len() >= 2 => {
                let kind = parts[0].as_str().ok_or_else(bad)?;
                match kind {
                    "list" => Ok(Type::list(Type::from_json(&parts[1])?)),
                    "set" => Ok(Type::set(Type::from_json(&parts[1])?)),
                    "map" => Ok(Type::map(Type::from_json(&parts[1])?)),
                    "object" => {
                        let attrs = parts[1].as_object().ok_or_else(bad)?;
                        let mut out = BTreeMap::new();
                        for (k, v) in attrs {
                            out.insert(k.clone(), Type::from_json(v)?);
                        }
                        Ok(Type::Object(out))
                    }
                    "tuple" => {
                        let elems = parts[1].as_array().ok_or_else(bad)?;
                        Ok(Type::Tuple(
                            elems
                                .iter()
                                .map(Type::from_json)
                                .collect::<Result<_, _>>()?,
                        ))
                    }
                    _ => Err(bad()),
                }
            }
            _ => Err(bad()),
        }
    }
}

/// A number of arbitrary precision, kept exactly as Terraform sent it.
///
/// Integers that fit in 64 bits and finite floats are stored natively;
/// anything else keeps its decimal text, so no digit is ever lost.
#[derive(Debug, Clone)]
pub enum Number {
    /// A signed integer.
    Int(i64),
    /// An unsigned integer above `i64::MAX`.
    UInt(u64),
    /// A binary floating point number.
    Float(f64),
    /// A decimal number too large or too precise for the others.
    Big(String),
}

impl Number {
    /// Parses a decimal number (`-12`, `3.5`, `1e400`, 40 digits, ...).
    pub fn parse(text: &str) -> Option<Number> {
        let text = text.trim();
        if let Ok(i) = text.parse::<i64>() {
            return Some(Number::Int(i));
        }
        if let Ok(u) = text.parse::<u64>() {
            return Some(Number::UInt(u));
        }
        if !is_decimal_literal(text) {
            return None;
        }
        match text.parse::<f64>() {
            // Keep the float only when its shortest text round-trips exactly;
            // otherwise the decimal text is the truth.
            Ok(f) if f.is_finite() && float_text_matches(f, text) => Some(Number::Float(f)),
            _ => Some(Number::Big(text.to_string())),
        }
    }

    /// The value as i64, when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::UInt(u) => i64::try_from(*u).ok(),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            Number::Float(_) | Number::Big(_) => None,
        }
    }

    /// The value as f64 (nearest).
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::UInt(u) => *u as f64,
            Number::Float(f) => *f,
            Number::Big(s) => s.parse().unwrap_or(f64::NAN),
        }
    }

    fn to_json_number(&self) -> serde_json::Number {
        match self {
            Number::Int(i) => serde_json::Number::from(*i),
            Number::UInt(u) => serde_json::Number::from(*u),
            Number::Float(f) => serde_json::Number::from_f64(*f)
                .unwrap_or_else(|| serde_json::Number::from_string_unchecked(f.to_string())),
            Number::Big(s) => serde_json::Number::from_string_unchecked(s.clone()),
        }
    }
}

fn is_decimal_literal(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    if i < bytes.len() && (bytes[i] == b'-' || bytes[i] == b'+') {
        i += 1;
    }
    let digits_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - digits_start;
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return false;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        i += 1;
        if i < bytes.len() && (bytes[i] == b'-' || bytes[i] == b'+') {
            i += 1;
        }
        let exp_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == bytes.len()
}

/// Whether `f` denotes exactly the decimal written in `text`, compared by
/// significant digits and exponent.
fn float_text_matches(f: f64, text: &str) -> bool {
    fn normalize(text: &str) -> Option<(bool, String, i64)> {
        let (neg, rest) = match text.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(pos) => (&rest[..pos], rest[pos + 1..].parse::<i64>().ok()?),
            None => (rest, 0),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(pos) => (&mantissa[..pos], &mantissa[pos + 1..]),
            None => (mantissa, ""),
        };
        let digits: String = format!("{int_part}{frac_part}");
        let exp = exp + int_part.len() as i64;
        let trimmed = digits.trim_start_matches('0');
        let exp = exp - (digits.len() - trimmed.len()) as i64;
        let trimmed = trimmed.trim_end_matches('0');
        if trimmed.is_empty() {
            return Some((false, String::new(), 0));
        }
        Some((neg, trimmed.to_string(), exp))
    }
    let ours = format!("{f:e}");
    match (normalize(&ours), normalize(text)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        use Number::*;
        match (self, other) {
            (Int(a), Int(b)) => a == b,
            (UInt(a), UInt(b)) => a == b,
            (Int(_), UInt(_)) | (UInt(_), Int(_)) => false,
            (Float(a), Float(b)) => a == b,
            (Int(a), Float(b)) | (Float(b), Int(a)) => {
                b.fract() == 0.0 && b.abs() < 9.0e15 && *a == *b as i64
            }
            (UInt(a), Float(b)) | (Float(b), UInt(a)) => b.fract() == 0.0 && *a as f64 == *b,
            (Big(a), Big(b)) => a == b || float_text_matches_text(a, b),
            (Big(a), n) | (n, Big(a)) => float_text_matches_text(a, &n.to_string()),
        }
    }
}

fn float_text_matches_text(a: &str, b: &str) -> bool {
    // Compare two decimal texts by value using the same normalisation.
    match a.parse::<f64>() {
        Ok(f) if f.is_finite() => float_text_matches(f, b) && float_text_matches(f, a),
        _ => false,
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::UInt(u) => write!(f, "{u}"),
            Number::Float(x) => write!(f, "{x}"),
            Number::Big(s) => f.write_str(s),
        }
    }
}

/// A Terraform value: possibly null, possibly unknown (not yet known at plan
/// time), otherwise a value of some [`Type`].
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// Known only after apply.
    Unknown,
    /// A bool.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// A list.
    List(Vec<Value>),
    /// A set (order is not significant).
    Set(Vec<Value>),
    /// A map.
    Map(BTreeMap<String, Value>),
    /// An object.
    Object(BTreeMap<String, Value>),
    /// A tuple.
    Tuple(Vec<Value>),
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether the value is unknown at its top level.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Whether the value is known all the way down.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// The paths of every unknown value inside this one.
    pub fn unknown_paths(&self) -> Vec<AttributePath> {
        fn walk(v: &Value, path: &AttributePath, out: &mut Vec<AttributePath>) {
            match v {
                Value::Unknown => out.push(path.clone()),
                Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                    for (i, item) in items.iter().enumerate() {
                        walk(item, &path.index(i as i64), out);
                    }
                }
                Value::Map(m) => {
                    for (k, item) in m {
                        walk(item, &path.key(k), out);
                    }
                }
                Value::Object(m) => {
                    for (k, item) in m {
                        walk(item, &path.attr(k), out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(self, &AttributePath::root(), &mut out);
        out
    }

    /// The attribute `name` of an object value (null when absent or when
    /// this is not an object).
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(m) | Value::Map(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// The value at `path`, if the path leads anywhere.
    pub fn at(&self, path: &AttributePath) -> Option<&Value> {
        let mut current = self;
        for step in path.steps() {
            current = match (step, current) {
                (PathStep::Attribute(name), Value::Object(m))
                | (PathStep::Key(name), Value::Map(m)) => m.get(name)?,
                (PathStep::Index(i), Value::List(v) | Value::Tuple(v) | Value::Set(v)) => {
                    v.get(usize::try_from(*i).ok()?)?
                }
                _ => return None,
            };
        }
        Some(current)
    }

    /// A string's text, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Why a value could not be decoded, encoded or converted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}{}", if path.is_root() { String::new() } else { format!(" (at {path})") })]
pub struct ValueError {
    /// Where in the value the problem is.
    pub path: AttributePath,
    /// What is wrong.
    pub message: String,
}

impl ValueError {
    fn new(path: AttributePath, message: impl Into<String>) -> ValueError {
        ValueError {
            path,
            message: message.into(),
        }
    }
}

// ---------------------------------------------------------------- msgpack ---

/// Decodes a msgpack `DynamicValue` of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let mut reader = bytes;
    let raw = rmpv::decode::read_value(&mut reader)
        .map_err(|e| ValueError::new(AttributePath::root(), format!("invalid msgpack: {e}")))?;
    if !reader.is_empty() {
        return Err(ValueError::new(
            AttributePath::root(),
            "invalid msgpack: trailing bytes after the value",
        ));
    }
    from_msgpack(&raw, ty, &AttributePath::root())
}

fn msgpack_key(raw: &rmpv::Value, path: &AttributePath) -> Result<String, ValueError> {
    match raw {
        rmpv::Value::String(s) => s
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ValueError::new(path.clone(), "map key is not valid UTF-8")),
        _ => Err(ValueError::new(path.clone(), "map key is not a string")),
    }
}

fn from_msgpack(raw: &rmpv::Value, ty: &Type, path: &AttributePath) -> Result<Value, ValueError> {
    use rmpv::Value as M;
    let mismatch = |what: &str| {
        ValueError::new(
            path.clone(),
            format!("expected {what}, found msgpack {raw}"),
        )
    };
    match raw {
        M::Nil => return Ok(Value::Null),
        // Extension 0 is a plain unknown; later protocol versions send
        // refined unknowns (extension 12) whose refinements we may ignore.
        M::Ext(_, _) => return Ok(Value::Unknown),
        _ => {}
    }
    match ty {
        Type::Bool => match raw {
            M::Boolean(b) => Ok(Value::Bool(*b)),
            _ => Err(mismatch("bool")),
        },
        Type::Number => match raw {
            M::Integer(i) => {
                if let Some(v) = i.as_i64() {
                    Ok(Value::Number(Number::Int(v)))
                } else if let Some(v) = i.as_u64() {
                    Ok(Value::Number(Number::UInt(v)))
                } else {
                    Err(mismatch("number"))
                }
            }
            M::F64(f) => Ok(Value::Number(Number::Float(*f))),
            M::F32(f) => Ok(Value::Number(Number::Float(f64::from(*f)))),
            M::String(s) => s
                .as_str()
                .and_then(Number::parse)
                .map(Value::Number)
                .ok_or_else(|| mismatch("number")),
            _ => Err(mismatch("number")),
        },
        Type::String => match raw {
            M::String(s) => s
                .as_str()
                .map(Value::string)
                .ok_or_else(|| ValueError::new(path.clone(), "string is not valid UTF-8")),
            _ => Err(mismatch("string")),
        },
        Type::List(elem) | Type::Set(elem) => match raw {
            M::Array(items) => {
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| from_msgpack(item, elem, &path.index(i as i64)))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if matches!(ty, Type::List(_)) {
                    Value::List(items)
                } else {
                    Value::Set(items)
                })
            }
            _ => Err(mismatch("list or set")),
        },
        Type::Tuple(elems) => match raw {
            M::Array(items) if items.len() == elems.len() => Ok(Value::Tuple(
                items
                    .iter()
                    .zip(elems)
                    .enumerate()
                    .map(|(i, (item, t))| from_msgpack(item, t, &path.index(i as i64)))
                    .collect::<Result<_, _>>()?,
            )),
            _ => Err(mismatch("tuple")),
        },
        Type::Map(elem) => match raw {
            M::Map(entries) => {
                let mut out = BTreeMap::new();
                for (k, v) in entries {
                    let key = msgpack_key(k, path)?;
                    let value = from_msgpack(v, elem, &path.key(&key))?;
                    out.insert(key, value);
                }
                Ok(Value::Map(out))
            }
            _ => Err(mismatch("map")),
        },
        Type::Object(attrs) => match raw {
            M::Map(entries) => {
                let mut out: BTreeMap<String, Value> =
                    attrs.keys().map(|k| (k.clone(), Value::Null)).collect();
                for (k, v) in entries {
                    let key = msgpack_key(k, path)?;
                    let Some(attr_ty) = attrs.get(&key) else {
                        return Err(ValueError::new(
                            path.attr(&key),
                            "unsupported attribute (not in the schema)",
                        ));
                    };
                    out.insert(key.clone(), from_msgpack(v, attr_ty, &path.attr(&key))?);
                }
                Ok(Value::Object(out))
            }
            _ => Err(mismatch("object")),
        },
        Type::Dynamic => match raw {
            // Dynamic values travel as [type as JSON bytes, value].
            M::Array(pair) if pair.len() == 2 => {
                let type_json = match &pair[0] {
                    M::Binary(b) => serde_json::from_slice::<serde_json::Value>(b).ok(),
                    M::String(s) => serde_json::from_slice(s.as_bytes()).ok(),
                    _ => None,
                }
                .ok_or_else(|| mismatch("dynamic [type, value] pair"))?;
                let real = Type::from_json(&type_json)?;
                from_msgpack(&pair[1], &real, path)
            }
            _ => Err(mismatch("dynamic [type, value] pair")),
        },
    }
}

/// Encodes `value` as msgpack for type `ty`.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::with_capacity(64);
    write_msgpack(&mut out, value, ty, &AttributePath::root())?;
    Ok(out)
}

fn io_err<E: fmt::Display>(path: &AttributePath) -> impl Fn(E) -> ValueError + '_ {
    move |e| ValueError::new(path.clone(), format!("msgpack write failed: {e}"))
}

fn write_msgpack(
    out: &mut Vec<u8>,
    value: &Value,
    ty: &Type,
    path: &AttributePath,
) -> Result<(), ValueError> {
    use rmp::encode as enc;
    let err = io_err::<rmp::encode::ValueWriteError>(path);
    let err_io = io_err::<std::io::Error>(path);
    let mismatch =
        |what: &str| ValueError::new(path.clone(), format!("cannot encode {value:?} as {what}"));
    match value {
        Value::Null => {
            enc::write_nil(out).map_err(&err_io)?;
            return Ok(());
        }
        Value::Unknown => {
            enc::write_ext_meta(out, 1, EXT_UNKNOWN).map_err(&err)?;
            out.push(0);
            return Ok(());
        }
        _ => {}
    }
    match ty {
        Type::Dynamic => {
            let real = infer_type(value);
            let type_json = serde_json::to_vec(&real.to_json())
                .map_err(|e| ValueError::new(path.clone(), e.to_string()))?;
            enc::write_array_len(out, 2).map_err(&err)?;
            enc::write_bin(out, &type_json).map_err(&err)?;
            write_msgpack(out, value, &real, path)
        }
        Type::Bool => match value {
            Value::Bool(b) => enc::write_bool(out, *b).map_err(&err_io),
            _ => Err(mismatch("bool")),
        },
        Type::Number => match value {
            Value::Number(Number::Int(i)) => enc::write_sint(out, *i).map(|_| ()).map_err(&err),
            Value::Number(Number::UInt(u)) => enc::write_uint(out, *u).map(|_| ()).map_err(&err),
            Value::Number(Number::Float(f)) => {
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    enc::write_sint(out, *f as i64).map(|_| ()).map_err(&err)
                } else {
                    enc::write_f64(out, *f).map_err(&err)
                }
            }
            Value::Number(Number::Big(s)) => enc::write_str(out, s).map_err(&err),
            _ => Err(mismatch("number")),
        },
        Type::String => match value {
            Value::String(s) => enc::write_str(out, s).map_err(&err),
            _ => Err(mismatch("string")),
        },
        Type::List(elem) | Type::Set(elem) => match value {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                enc::write_array_len(out, items.len() as u32).map_err(&err)?;
                for (i, item) in items.iter().enumerate() {
                    write_msgpack(out, item, elem, &path.index(i as i64))?;
                }
                Ok(())
            }
            _ => Err(mismatch("list or set")),
        },
        Type::Tuple(elems) => match value {
            Value::Tuple(items) | Value::List(items) if items.len() == elems.len() => {
                enc::write_array_len(out, items.len() as u32).map_err(&err)?;
                for (i, (item, t)) in items.iter().zip(elems).enumerate() {
                    write_msgpack(out, item, t, &path.index(i as i64))?;
                }
                Ok(())
            }
            _ => Err(mismatch("tuple")),
        },
        Type::Map(elem) => match value {
            Value::Map(m) | Value::Object(m) => {
                enc::write_map_len(out, m.len() as u32).map_err(&err)?;
                for (k, v) in m {
                    enc::write_str(out, k).map_err(&err)?;
                    write_msgpack(out, v, elem, &path.key(k))?;
                }
                Ok(())
            }
            _ => Err(mismatch("map")),
        },
        Type::Object(attrs) => match value {
            Value::Object(m) | Value::Map(m) => {
                if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                    return Err(ValueError::new(
                        path.attr(extra),
                        "attribute is not in the schema",
                    ));
                }
                enc::write_map_len(out, attrs.len() as u32).map_err(&err)?;
                for (k, t) in attrs {
                    enc::write_str(out, k).map_err(&err)?;
                    write_msgpack(out, m.get(k).unwrap_or(&Value::Null), t, &path.attr(k))?;
                }
                Ok(())
            }
            _ => Err(mismatch("object")),
        },
    }
}

/// The most specific type that describes a (known) value.
pub fn infer_type(value: &Value) -> Type {
    match value {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(items) => Type::list(items.first().map(infer_type).unwrap_or(Type::Dynamic)),
        Value::Set(items) => Type::set(items.first().map(infer_type).unwrap_or(Type::Dynamic)),
        Value::Tuple(items) => Type::Tuple(items.iter().map(infer_type).collect()),
        Value::Map(m) => Type::map(m.values().next().map(infer_type).unwrap_or(Type::Dynamic)),
        Value::Object(m) => {
            Type::Object(m.iter().map(|(k, v)| (k.clone(), infer_type(v))).collect())
        }
    }
}

// ------------------------------------------------------------------- JSON ---

/// Decodes JSON (as in stored state) of type `ty`. JSON has no unknowns.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let json: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ValueError::new(AttributePath::root(), format!("invalid JSON: {e}")))?;
    from_json(&json, ty, &AttributePath::root(), false)
}

/// Converts parsed JSON into a value of type `ty`. With `lenient_objects`,
/// object attributes missing from the JSON are null and attributes the type
/// does not know are dropped (how older state meets a newer schema).
pub fn from_json(
    json: &serde_json::Value,
    ty: &Type,
    path: &AttributePath,
    lenient_objects: bool,
) -> Result<Value, ValueError> {
    use serde_json::Value as J;
    let mismatch =
        |what: &str| ValueError::new(path.clone(), format!("expected {what}, found JSON {json}"));
    if json.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        Type::Bool => match json {
            J::Bool(b) => Ok(Value::Bool(*b)),
            J::String(s) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
            _ => Err(mismatch("bool")),
        },
        Type::Number => match json {
            J::Number(n) => Number::parse(n.as_str())
                .map(Value::Number)
                .ok_or_else(|| mismatch("number")),
            J::String(s) => Number::parse(s)
                .map(Value::Number)
                .ok_or_else(|| mismatch("number")),
            _ => Err(mismatch("number")),
        },
        Type::String => match json {
            J::String(s) => Ok(Value::string(s.clone())),
            J::Number(n) => Ok(Value::string(n.as_str())),
            J::Bool(b) => Ok(Value::string(b.to_string())),
            _ => Err(mismatch("string")),
        },
        Type::List(elem) | Type::Set(elem) => match json {
            J::Array(items) => {
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| from_json(item, elem, &path.index(i as i64), lenient_objects))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if matches!(ty, Type::List(_)) {
                    Value::List(items)
                } else {
                    Value::Set(items)
                })
            }
            _ => Err(mismatch("array")),
        },
        Type::Tuple(elems) => match json {
            J::Array(items) if items.len() == elems.len() => Ok(Value::Tuple(
                items
                    .iter()
                    .zip(elems)
                    .enumerate()
                    .map(|(i, (item, t))| {
                        from_json(item, t, &path.index(i as i64), lenient_objects)
                    })
                    .collect::<Result<_, _>>()?,
            )),
            _ => Err(mismatch("tuple array")),
        },
        Type::Map(elem) => match json {
            J::Object(m) => Ok(Value::Map(
                m.iter()
                    .map(|(k, v)| {
                        Ok((
                            k.clone(),
                            from_json(v, elem, &path.key(k), lenient_objects)?,
                        ))
                    })
                    .collect::<Result<_, ValueError>>()?,
            )),
            _ => Err(mismatch("object")),
        },
        Type::Object(attrs) => match json {
            J::Object(m) => {
                if let Some(extra) = m
                    .keys()
                    .find(|k| !lenient_objects && !attrs.contains_key(*k))
                {
                    return Err(ValueError::new(
                        path.attr(extra),
                        "unsupported attribute (not in the schema)",
                    ));
                }
                let mut out = BTreeMap::new();
                for (k, t) in attrs {
                    let v = match m.get(k) {
                        Some(j) => from_json(j, t, &path.attr(k), lenient_objects)?,
                        None => Value::Null,
                    };
                    out.insert(k.clone(), v);
                }
                Ok(Value::Object(out))
            }
            _ => Err(mismatch("object")),
        },
        Type::Dynamic => json_to_dynamic(json),
    }
}

fn json_to_dynamic(json: &serde_json::Value) -> Result<Value, ValueError> {
    use serde_json::Value as J;
    Ok(match json {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Number(Number::parse(n.as_str()).ok_or_else(|| {
            ValueError::new(AttributePath::root(), format!("invalid number {n}"))
        })?),
        J::String(s) => Value::string(s.clone()),
        J::Array(items) => Value::Tuple(
            items
                .iter()
                .map(json_to_dynamic)
                .collect::<Result<_, _>>()?,
        ),
        J::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), json_to_dynamic(v)?)))
                .collect::<Result<_, ValueError>>()?,
        ),
    })
}

/// Converts a value to JSON. Unknown values cannot be represented and are an
/// error naming their path.
pub fn to_json(value: &Value) -> Result<serde_json::Value, ValueError> {
    fn walk(value: &Value, path: &AttributePath) -> Result<serde_json::Value, ValueError> {
        use serde_json::Value as J;
        Ok(match value {
            Value::Null => J::Null,
            Value::Unknown => {
                return Err(ValueError::new(
                    path.clone(),
                    "value is not known until apply",
                ));
            }
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => J::Number(n.to_json_number()),
            Value::String(s) => J::String(s.clone()),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => J::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| walk(v, &path.index(i as i64)))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Map(m) => J::Object(
                m.iter()
                    .map(|(k, v)| Ok((k.clone(), walk(v, &path.key(k))?)))
                    .collect::<Result<_, ValueError>>()?,
            ),
            Value::Object(m) => J::Object(
                m.iter()
                    .map(|(k, v)| Ok((k.clone(), walk(v, &path.attr(k))?)))
                    .collect::<Result<_, ValueError>>()?,
            ),
        })
    }
    walk(value, &AttributePath::root())
}

/// Encodes a value as JSON bytes.
pub fn encode_json(value: &Value) -> Result<Vec<u8>, ValueError> {
    serde_json::to_vec(&to_json(value)?)
        .map_err(|e| ValueError::new(AttributePath::root(), e.to_string()))
}

// ------------------------------------------------------------- typed serde ---

/// Converts a wholly known value into a typed Rust struct.
///
/// Fails, naming the path, when a value is unknown: check
/// [`Value::is_wholly_known`] first where unknowns are legitimate.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, ValueError> {
    let json = to_json(value)?;
    serde_json::from_value(json).map_err(|e| ValueError::new(AttributePath::root(), e.to_string()))
}

/// Converts a typed Rust struct into a value of type `ty` (attributes the
/// struct omits are null).
pub fn to_value<T: Serialize>(typed: &T, ty: &Type) -> Result<Value, ValueError> {
    let json = serde_json::to_value(typed)
        .map_err(|e| ValueError::new(AttributePath::root(), e.to_string()))?;
    from_json(&json, ty, &AttributePath::root(), false)
}
