//! Relation databags, raw and typed.
//!
//! Juju keeps a relation's data as string-to-string maps: one for each unit and one for each
//! application. A [`Databag`] is such a map whose values are wiped from memory when it is
//! dropped and whose `Debug` shows only the keys, since interfaces carry secrets in it.
//!
//! Most interfaces written with ops store one JSON value per key: ops'
//! `Relation.save(obj, app)` writes `json.dumps` of each field, and `Relation.load(cls, app)`
//! reads each with `json.loads`. [`Databag::load`] and [`Databag::dump`] do the same with serde:
//!
//! ```
//! use juju_charm::databag::Databag;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, PartialEq, Serialize, Deserialize)]
//! struct Endpoint {
//!     host: String,
//!     port: u16,
//!     #[serde(default)]
//!     tls: Option<bool>,
//! }
//!
//! let bag = Databag::dump(&Endpoint { host: "db".into(), port: 5432, tls: None })?;
//! assert_eq!(bag.get("host"), Some(r#""db""#)); // a JSON string
//! assert_eq!(bag.get("port"), Some("5432"));
//! assert_eq!(bag.get("tls"), Some(""));         // none: the key is deleted
//! let back: Endpoint = bag.load()?;
//! assert_eq!(back, Endpoint { host: "db".into(), port: 5432, tls: None });
//! # Ok::<(), juju_charm::databag::DatabagError>(())
//! ```
//!
//! Some interfaces store a value as it is, not as JSON (the serialized-data interface keeps a
//! YAML document under `data`): give such a field the type [`Raw`].
//!
//! Rules, and where they differ from ops:
//! - a field that serializes to `null` (`None`) is written as the empty string, which
//!   `relation-set` takes as "delete the key"; ops writes `"null"`. Both load back as `None`.
//! - keys of the databag that the type does not name are ignored on load and left alone on
//!   save (only the type's fields are written), as in ops;
//! - load errors name the field (`'port': expected u16, got a string`) and never quote a value.
//!
//! Writing the application's databag is the leader's alone; [`crate::HookTools::relation_set`]
//! refuses it on another unit before Juju would.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::ser::{self, Impossible, Serialize, Serializer};
use serde_json::Value;
use zeroize::Zeroize;

use crate::de::{DeError, ValueDe};

/// A relation databag (string to string) that wipes its values on drop.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Databag(BTreeMap<String, String>);

impl Databag {
    /// An empty databag.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Sets `key` to `value` (an empty value deletes the key when written).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.insert(key.into(), value.into());
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.0.remove(key)
    }

    /// Whether the bag holds nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many keys it holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The keys and values, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The bag as a map.
    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// Reads `T` from the bag: each field from the JSON value of its key ([`Raw`] fields as they
    /// are). Keys `T` does not name are ignored (Juju's own `ingress-address`, say).
    ///
    /// # Errors
    /// A [`DatabagError`] naming the field whose value is not JSON or does not fit.
    pub fn load<T: DeserializeOwned>(&self) -> Result<T, DatabagError> {
        T::deserialize(BagDe(self)).map_err(DatabagError::from)
    }

    /// The bag that holds `value`: each field as its JSON value ([`Raw`] fields as they are), a
    /// field that serializes to `null` as the empty string (which deletes the key).
    ///
    /// # Errors
    /// A [`DatabagError`] when `value` is not a struct or a map with string keys.
    pub fn dump<T: Serialize + ?Sized>(value: &T) -> Result<Self, DatabagError> {
        value.serialize(BagSer)
    }
}

impl From<BTreeMap<String, String>> for Databag {
    fn from(map: BTreeMap<String, String>) -> Self {
        Self(map)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Databag {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

impl Drop for Databag {
    fn drop(&mut self) {
        for v in self.0.values_mut() {
            v.zeroize();
        }
    }
}

impl fmt::Debug for Databag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// A string stored in a databag as it is, not as JSON. Like [`Databag`], it is wiped from
/// memory when dropped.
///
/// ```
/// use juju_charm::databag::{Databag, Raw};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Sdi {
///     data: Raw,
///     #[serde(rename = "_supported_versions")]
///     supported_versions: Raw,
/// }
///
/// let bag = Databag::dump(&Sdi {
///     data: Raw("service: minio\nport: 9000\n".into()),
///     supported_versions: Raw("- v1\n".into()),
/// })?;
/// assert_eq!(bag.get("data"), Some("service: minio\nport: 9000\n"));
/// # Ok::<(), juju_charm::databag::DatabagError>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Raw(pub String);

/// The newtype name by which the databag's serializer and deserializer recognise [`Raw`].
const RAW: &str = "$juju_charm::databag::Raw";

impl Drop for Raw {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Relation data can be secret: the length only.
        write!(f, "Raw({} bytes)", self.0.len())
    }
}

impl std::ops::Deref for Raw {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Serialize for Raw {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(RAW, &self.0)
    }
}

impl<'de> de::Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawVisitor;
        impl<'de> Visitor<'de> for RawVisitor {
            type Value = Raw;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
                Ok(Raw(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
                Ok(Raw(v))
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
                String::deserialize(d).map(Raw)
            }
        }
        use de::Deserialize;
        deserializer.deserialize_newtype_struct(RAW, RawVisitor)
    }
}

/// Relation data that does not fit the type: which field, and why (never the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabagError {
    field: Option<String>,
    reason: String,
}

impl DatabagError {
    /// The field (a dotted path inside a structured value), or `None` for the bag as a whole.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// What is wrong.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl From<DeError> for DatabagError {
    fn from(e: DeError) -> Self {
        Self { field: e.field, reason: e.reason }
    }
}

impl fmt::Display for DatabagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "relation data field '{field}': {}", self.reason),
            None => write!(f, "relation data: {}", self.reason),
        }
    }
}

impl std::error::Error for DatabagError {}

impl ser::Error for DatabagError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self { field: None, reason: msg.to_string() }
    }
}

// ---- Loading ------------------------------------------------------------------------------

/// The bag as a map of fields.
struct BagDe<'a>(&'a Databag);

impl<'de> Deserializer<'de> for BagDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(FieldsDe { entries: self.0.0.iter(), value: None })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

struct FieldsDe<'a> {
    entries: std::collections::btree_map::Iter<'a, String, String>,
    value: Option<(&'a str, &'a str)>,
}

impl<'de> de::MapAccess<'de> for FieldsDe<'_> {
    type Error = DeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some((key, value));
        seed.deserialize(de::IntoDeserializer::<DeError>::into_deserializer(key.as_str())).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        let (key, value) = self.value.take().ok_or_else(|| {
            <DeError as de::Error>::custom("a value was asked for before its key")
        })?;
        seed.deserialize(FieldDe(value)).map_err(|mut e| {
            e.field = Some(match e.field.take() {
                Some(inner) => format!("{key}.{inner}"),
                None => key.to_owned(),
            });
            e
        })
    }
}

/// One databag value: JSON, unless the field is [`Raw`] or ignored.
struct FieldDe<'a>(&'a str);

impl FieldDe<'_> {
    fn json(&self) -> Result<ValueDe, DeError> {
        serde_json::from_str::<Value>(self.0)
            .map(ValueDe)
            .map_err(|_| DeError { field: None, reason: "is not a JSON value".to_owned() })
    }
}

macro_rules! forward_to_json {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                self.json()?.$method(visitor)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for FieldDe<'_> {
    type Error = DeError;

    forward_to_json! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_unit deserialize_seq deserialize_map deserialize_identifier
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // A present key holds a value, unless it holds JSON's null (as ops writes `None`) or
        // nothing (as `dump` writes `None`, for `relation-set` to delete the key).
        match self.0.trim() {
            "" | "null" => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // Not parsed: a key the type does not name may hold anything (Juju's own addresses).
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == RAW {
            visitor.visit_str(self.0)
        } else {
            self.json()?.deserialize_newtype_struct(name, visitor)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.json()?.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.json()?.deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.json()?.deserialize_tuple_struct(name, len, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.json()?.deserialize_struct(name, fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.json()?.deserialize_enum(name, variants, visitor)
    }
}

// ---- Dumping ------------------------------------------------------------------------------

fn not_a_struct() -> DatabagError {
    <DatabagError as ser::Error>::custom("relation data must be a struct or a map of fields")
}

macro_rules! refuse {
    ($err:expr; $($method:ident($($arg:ident: $ty:ty),*) -> $ok:ty;)*) => {
        $(
            fn $method(self, $($arg: $ty),*) -> Result<$ok, Self::Error> {
                $(let _ = $arg;)*
                Err($err)
            }
        )*
    };
}

/// Serializes the top level: a struct or a map, into a bag.
struct BagSer;

impl Serializer for BagSer {
    type Ok = Databag;
    type Error = DatabagError;
    type SerializeSeq = Impossible<Databag, DatabagError>;
    type SerializeTuple = Impossible<Databag, DatabagError>;
    type SerializeTupleStruct = Impossible<Databag, DatabagError>;
    type SerializeTupleVariant = Impossible<Databag, DatabagError>;
    type SerializeMap = FieldsSer;
    type SerializeStruct = FieldsSer;
    type SerializeStructVariant = Impossible<Databag, DatabagError>;

    refuse! { not_a_struct();
        serialize_bool(v: bool) -> Databag;
        serialize_i8(v: i8) -> Databag;
        serialize_i16(v: i16) -> Databag;
        serialize_i32(v: i32) -> Databag;
        serialize_i64(v: i64) -> Databag;
        serialize_u8(v: u8) -> Databag;
        serialize_u16(v: u16) -> Databag;
        serialize_u32(v: u32) -> Databag;
        serialize_u64(v: u64) -> Databag;
        serialize_f32(v: f32) -> Databag;
        serialize_f64(v: f64) -> Databag;
        serialize_char(v: char) -> Databag;
        serialize_str(v: &str) -> Databag;
        serialize_bytes(v: &[u8]) -> Databag;
        serialize_none() -> Databag;
        serialize_unit() -> Databag;
        serialize_unit_struct(name: &'static str) -> Databag;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> Databag;
        serialize_seq(len: Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(len: usize) -> Self::SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Self::SerializeTupleVariant;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Self::SerializeStructVariant;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Databag, DatabagError> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Databag, DatabagError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Databag, DatabagError> {
        Err(not_a_struct())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<FieldsSer, DatabagError> {
        Ok(FieldsSer::default())
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<FieldsSer, DatabagError> {
        Ok(FieldsSer::default())
    }
}

/// Collects the fields of the top-level struct or map.
#[derive(Default)]
struct FieldsSer {
    bag: Databag,
    key: Option<String>,
}

impl FieldsSer {
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), DatabagError> {
        let encoded = encode(value).map_err(|mut e| {
            e.field = Some(key.to_owned());
            e
        })?;
        self.bag.insert(key, encoded);
        Ok(())
    }
}

impl ser::SerializeStruct for FieldsSer {
    type Ok = Databag;
    type Error = DatabagError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), DatabagError> {
        self.field(key, value)
    }

    fn end(self) -> Result<Databag, DatabagError> {
        Ok(self.bag)
    }
}

impl ser::SerializeMap for FieldsSer {
    type Ok = Databag;
    type Error = DatabagError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), DatabagError> {
        match serde_json::to_value(key) {
            Ok(Value::String(k)) => {
                self.key = Some(k);
                Ok(())
            }
            _ => Err(<DatabagError as ser::Error>::custom("relation data keys must be strings")),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DatabagError> {
        let key = self.key.take().ok_or_else(|| {
            <DatabagError as ser::Error>::custom("a value was given before its key")
        })?;
        self.field(&key, value)
    }

    fn end(self) -> Result<Databag, DatabagError> {
        Ok(self.bag)
    }
}

/// One field's databag value: the raw string of a [`Raw`], else its JSON; `null` is `""`.
fn encode<T: Serialize + ?Sized>(value: &T) -> Result<String, DatabagError> {
    match value.serialize(RawProbe) {
        Ok(Some(raw)) => return Ok(raw),
        Ok(None) => return Ok(String::new()),
        Err(NotRaw) => {}
    }
    // Straight to text, so a struct's fields keep their order (as `json.dumps` keeps a
    // dict's); the encoder's message could quote a value, so say only what failed.
    let json = serde_json::to_string(value)
        .map_err(|_| <DatabagError as ser::Error>::custom("cannot be encoded as JSON"))?;
    Ok(if json == "null" { String::new() } else { json })
}

/// The probe's answer for anything that is not a [`Raw`] or `None`.
#[derive(Debug)]
struct NotRaw;

impl fmt::Display for NotRaw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a raw value")
    }
}

impl std::error::Error for NotRaw {}

impl ser::Error for NotRaw {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        NotRaw
    }
}

/// Finds out whether a field is a [`Raw`] (its string), `None` (nothing), or anything else.
struct RawProbe;

impl Serializer for RawProbe {
    type Ok = Option<String>;
    type Error = NotRaw;
    type SerializeSeq = Impossible<Option<String>, NotRaw>;
    type SerializeTuple = Impossible<Option<String>, NotRaw>;
    type SerializeTupleStruct = Impossible<Option<String>, NotRaw>;
    type SerializeTupleVariant = Impossible<Option<String>, NotRaw>;
    type SerializeMap = Impossible<Option<String>, NotRaw>;
    type SerializeStruct = Impossible<Option<String>, NotRaw>;
    type SerializeStructVariant = Impossible<Option<String>, NotRaw>;

    refuse! { NotRaw;
        serialize_bool(v: bool) -> Option<String>;
        serialize_i8(v: i8) -> Option<String>;
        serialize_i16(v: i16) -> Option<String>;
        serialize_i32(v: i32) -> Option<String>;
        serialize_i64(v: i64) -> Option<String>;
        serialize_u8(v: u8) -> Option<String>;
        serialize_u16(v: u16) -> Option<String>;
        serialize_u32(v: u32) -> Option<String>;
        serialize_u64(v: u64) -> Option<String>;
        serialize_f32(v: f32) -> Option<String>;
        serialize_f64(v: f64) -> Option<String>;
        serialize_char(v: char) -> Option<String>;
        serialize_str(v: &str) -> Option<String>;
        serialize_bytes(v: &[u8]) -> Option<String>;
        serialize_unit() -> Option<String>;
        serialize_unit_struct(name: &'static str) -> Option<String>;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> Option<String>;
        serialize_seq(len: Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(len: usize) -> Self::SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Self::SerializeTupleVariant;
        serialize_map(len: Option<usize>) -> Self::SerializeMap;
        serialize_struct(name: &'static str, len: usize) -> Self::SerializeStruct;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Self::SerializeStructVariant;
    }

    fn serialize_none(self) -> Result<Option<String>, NotRaw> {
        Ok(None)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Option<String>, NotRaw> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Option<String>, NotRaw> {
        if name != RAW {
            return Err(NotRaw);
        }
        match serde_json::to_value(value) {
            Ok(Value::String(s)) => Ok(Some(s)),
            _ => Err(NotRaw),
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Option<String>, NotRaw> {
        Err(NotRaw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, serde::Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    struct Provider {
        service: String,
        port: u16,
        secure: bool,
        hosts: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        #[serde(default)]
        secret_id: Option<String>,
        spec: Raw,
    }

    fn sample() -> Provider {
        Provider {
            service: "minio".into(),
            port: 9000,
            secure: false,
            hosts: vec!["a".into(), "b".into()],
            note: None,
            secret_id: None,
            spec: Raw("a: b\n".into()),
        }
    }

    #[test]
    fn dumps_one_json_value_per_field_and_loads_it_back() {
        let bag = Databag::dump(&sample()).expect("dumped");
        let got: Vec<(&str, &str)> = bag.iter().collect();
        assert_eq!(
            got,
            [
                ("hosts", r#"["a","b"]"#),
                ("port", "9000"),
                ("secret-id", ""),
                ("secure", "false"),
                ("service", r#""minio""#),
                ("spec", "a: b\n"),
            ]
        );
        let mut stored = bag.clone();
        stored.remove("secret-id"); // Juju deletes a key set to "".
        stored.insert("ingress-address", "10.0.0.1"); // Juju's own, not JSON: ignored.
        assert_eq!(stored.load::<Provider>(), Ok(sample()));
    }

    #[test]
    fn reads_what_ops_writes() {
        // ops: json.dumps per field; None is written as "null".
        let bag: Databag = [
            ("service", r#""minio""#),
            ("port", "9000"),
            ("secure", "false"),
            ("hosts", r#"["a", "b"]"#),
            ("secret-id", "null"),
            ("spec", "a: b\n"),
        ]
        .into_iter()
        .collect();
        assert_eq!(bag.load::<Provider>(), Ok(sample()));
    }

    #[test]
    fn load_errors_name_the_field_and_not_the_value() {
        let mut bag = Databag::dump(&sample()).expect("dumped");
        bag.insert("port", r#""hunter2""#);
        let e = bag.load::<Provider>().expect_err("bad");
        assert_eq!(e.field(), Some("port"));
        assert_eq!(e.to_string(), "relation data field 'port': expected u16, got a string");
        bag.insert("port", "hunter2");
        let e = bag.load::<Provider>().expect_err("bad");
        assert_eq!(e.to_string(), "relation data field 'port': is not a JSON value");
        bag.remove("port");
        let e = bag.load::<Provider>().expect_err("missing");
        assert_eq!(e.to_string(), "relation data field 'port': is required");
        assert!(Databag::dump(&3).is_err());
        assert!(!format!("{bag:?}").contains("minio"));
    }

    #[test]
    fn maps_dump_too() {
        let map = BTreeMap::from([("a", 1), ("b", 2)]);
        let bag = Databag::dump(&map).expect("dumped");
        assert_eq!(bag.get("b"), Some("2"));
        let back: BTreeMap<String, u32> = bag.load().expect("loaded");
        assert_eq!(back.get("a"), Some(&1));
    }
}
