//! A serde deserializer over JSON values whose errors never quote a value.
//!
//! Config options, action parameters and relation data can hold secrets, and serde's usual
//! messages quote the offending value (`invalid type: string "hunter2", expected u32`). This
//! deserializer reports what was expected and what kind of value was found (`expected u32, got
//! a string`), and the path of the field (`port`, `hosts.2`), never the value itself. The
//! charm's own messages (`serde::de::Error::custom`, from a `TryFrom` or `deserialize_with`)
//! pass through unchanged.

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Expected, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, VariantAccess, Visitor,
};
use serde_json::{Map, Value};

/// A failure to deserialize a value, with the path of the field it happened in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeError {
    /// Dotted path from the top (`port`, `hosts.2.name`); `None` at the top level.
    pub field: Option<String>,
    /// What is wrong, without the value.
    pub reason: String,
}

impl DeError {
    /// The error as seen one level up, inside `key`.
    fn within(mut self, key: &str) -> Self {
        self.field = Some(match self.field.take() {
            Some(inner) => format!("{key}.{inner}"),
            None => key.to_owned(),
        });
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "'{field}': {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for DeError {}

/// What kind of value `unexpected` is, without the value.
fn kind(unexpected: Unexpected<'_>) -> &'static str {
    match unexpected {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "an integer",
        Unexpected::Float(_) => "a number",
        Unexpected::Char(_) | Unexpected::Str(_) => "a string",
        Unexpected::Bytes(_) => "bytes",
        Unexpected::Unit | Unexpected::Option => "null",
        Unexpected::NewtypeStruct | Unexpected::NewtypeVariant => "a value",
        Unexpected::Seq => "a list",
        Unexpected::Map => "a map",
        Unexpected::Enum | Unexpected::UnitVariant => "an enum",
        Unexpected::TupleVariant | Unexpected::StructVariant => "an enum",
        Unexpected::Other(_) => "a value of another kind",
    }
}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self { field: None, reason: msg.to_string() }
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self::custom(format_args!("expected {expected}, got {}", kind(unexpected)))
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self::custom(format_args!("invalid value: expected {expected}, got {}", kind(unexpected)))
    }

    fn invalid_length(len: usize, expected: &dyn Expected) -> Self {
        Self::custom(format_args!("expected {expected}, got {len} elements"))
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        Self::custom(format_args!("expected one of {}", one_of(expected)))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        // A field name is a key of the data, not a value.
        Self::custom(format_args!("unknown field '{field}', expected one of {}", one_of(expected)))
    }

    fn missing_field(field: &'static str) -> Self {
        Self { field: Some(field.to_owned()), reason: "is required".to_owned() }
    }

    fn duplicate_field(field: &'static str) -> Self {
        Self { field: Some(field.to_owned()), reason: "is given twice".to_owned() }
    }
}

fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    quoted.join(", ")
}

/// Deserializes `T` from the JSON `value`.
pub(crate) fn from_value<T: de::DeserializeOwned>(value: Value) -> Result<T, DeError> {
    T::deserialize(ValueDe(value))
}

/// Deserializes `T` from a map of fields, each value given separately, so the error names the
/// field it comes from.
pub(crate) fn from_map<T: de::DeserializeOwned>(map: Map<String, Value>) -> Result<T, DeError> {
    T::deserialize(ValueDe(Value::Object(map)))
}

/// One JSON value as a [`Deserializer`].
pub(crate) struct ValueDe(pub Value);

impl<'de> Deserializer<'de> for ValueDe {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => {
                let len = items.len();
                let mut seq = SeqDe { items: items.into_iter(), index: 0 };
                let out = visitor.visit_seq(&mut seq)?;
                if seq.items.len() > 0 {
                    return Err(de::Error::invalid_length(len, &"fewer elements"));
                }
                Ok(out)
            }
            Value::Object(map) => visitor.visit_map(MapDe { entries: map.into_iter(), key: None }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(ValueDe(other)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0 {
            Value::String(variant) => visitor.visit_enum(variant.into_deserializer()),
            Value::Object(map) if map.len() == 1 => {
                let (variant, value) = map.into_iter().next().ok_or_else(|| {
                    <DeError as de::Error>::custom("expected an enum, got an empty map")
                })?;
                visitor.visit_enum(EnumDe { variant, value })
            }
            other => Err(de::Error::invalid_type(unexpected(&other), &"an enum")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// The kind of `value`, for an error.
fn unexpected(value: &Value) -> Unexpected<'static> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(_) => Unexpected::Bool(false),
        Value::Number(_) => Unexpected::Signed(0),
        Value::String(_) => Unexpected::Str(""),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

struct SeqDe {
    items: std::vec::IntoIter<Value>,
    index: usize,
}

impl<'de> SeqAccess<'de> for SeqDe {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(item) = self.items.next() else { return Ok(None) };
        let index = self.index;
        self.index += 1;
        seed.deserialize(ValueDe(item)).map(Some).map_err(|e| e.within(&index.to_string()))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe {
    entries: serde_json::map::IntoIter,
    key: Option<(String, Value)>,
}

impl<'de> MapAccess<'de> for MapDe {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        let out = seed
            .deserialize(key.as_str().into_deserializer())
            .map_err(|e: DeError| e.within(&key))?;
        self.key = Some((key, value));
        Ok(Some(out))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (key, value) = self.key.take().ok_or_else(|| {
            <DeError as de::Error>::custom("a value was asked for before its key")
        })?;
        seed.deserialize(ValueDe(value)).map_err(|e| e.within(&key))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct EnumDe {
    variant: String,
    value: Value,
}

impl<'de> EnumAccess<'de> for EnumDe {
    type Error = DeError;
    type Variant = ValueDe;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, ValueDe), DeError> {
        let variant = seed.deserialize(self.variant.as_str().into_deserializer())?;
        Ok((variant, ValueDe(self.value)))
    }
}

impl<'de> VariantAccess<'de> for ValueDe {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.0 {
            Value::Null => Ok(()),
            other => Err(de::Error::invalid_type(unexpected(&other), &"a unit variant")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "kebab-case")]
    struct Sample {
        port: u16,
        #[serde(default)]
        name: Option<String>,
        algorithm: Algorithm,
        #[serde(default)]
        hosts: Vec<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "kebab-case")]
    enum Algorithm {
        #[serde(rename = "rsa-2048")]
        Rsa2048,
        EcdsaP256,
    }

    fn sample(v: Value) -> Result<Sample, DeError> {
        from_value(v)
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let got = sample(json!({"port": 9000, "algorithm": "ecdsa-p256", "hosts": ["a", "b"],
            "extra": "ignored"}))
        .expect("valid");
        let want = Sample {
            port: 9000,
            name: None,
            algorithm: Algorithm::EcdsaP256,
            hosts: vec!["a".into(), "b".into()],
        };
        assert_eq!(got, want);
    }

    #[test]
    fn errors_name_the_field_and_never_quote_the_value() {
        let e = sample(json!({"port": "hunter2", "algorithm": "rsa-2048"})).expect_err("bad");
        assert_eq!(e.field.as_deref(), Some("port"));
        assert_eq!(e.reason, "expected u16, got a string");
        let e = sample(json!({"port": 70000, "algorithm": "rsa-2048"})).expect_err("bad");
        assert_eq!(e.to_string(), "'port': invalid value: expected u16, got an integer");
        let e = sample(json!({"port": 1, "algorithm": "hunter2"})).expect_err("bad");
        assert_eq!(e.field.as_deref(), Some("algorithm"));
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(e.reason.contains("'rsa-2048', 'ecdsa-p256'"), "{e}");
        let e = sample(json!({"port": 1, "algorithm": "rsa-2048", "hosts": ["a", 3]}))
            .expect_err("bad");
        assert_eq!(e.field.as_deref(), Some("hosts.1"));
        let e = sample(json!({"algorithm": "rsa-2048"})).expect_err("missing");
        assert_eq!(e.to_string(), "'port': is required");
    }
}
