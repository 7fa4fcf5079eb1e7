//! Property tests: values of random types round-trip through msgpack
//! (unknowns included) and JSON (wholly known values), and big numbers keep
//! every digit.

use std::collections::BTreeMap;

use proptest::prelude::*;
use tfplugin::value::{decode_json, decode_msgpack, encode_json, encode_msgpack};
use tfplugin::{Number, Type, Value};

fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![Just(Type::Bool), Just(Type::Number), Just(Type::String)];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-z_]{1,8}", inner.clone(), 0..4).prop_map(Type::Object),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
}

fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        (i64::MAX as u64 + 1..=u64::MAX).prop_map(Number::UInt),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite() && f.fract() != 0.0)
            .prop_map(Number::Float),
        "[1-9][0-9]{20,40}".prop_map(Number::Big),
        "-?[1-9][0-9]{0,5}\\.[0-9]{25,30}[1-9]".prop_map(Number::Big),
    ]
}

fn arb_value(ty: Type, allow_unknown: bool) -> BoxedStrategy<Value> {
    let special = if allow_unknown {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown)].boxed()
    } else {
        Just(Value::Null).boxed()
    };
    let known: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::String => "\\PC{0,12}".prop_map(Value::String).boxed(),
        Type::List(t) => prop::collection::vec(arb_value(*t, allow_unknown), 0..3)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(t) => prop::collection::vec(arb_value(*t, allow_unknown), 0..3)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(t) => {
            prop::collection::btree_map("[a-z0-9-]{1,6}", arb_value(*t, allow_unknown), 0..3)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object(attrs) => {
            let strategies: Vec<(String, BoxedStrategy<Value>)> = attrs
                .into_iter()
                .map(|(k, t)| (k, arb_value(t, allow_unknown)))
                .collect();
            let (names, values): (Vec<String>, Vec<BoxedStrategy<Value>>) =
                strategies.into_iter().unzip();
            values
                .prop_map(move |vals| {
                    Value::Object(names.iter().cloned().zip(vals).collect::<BTreeMap<_, _>>())
                })
                .boxed()
        }
        Type::Tuple(elems) => {
            let values: Vec<BoxedStrategy<Value>> = elems
                .into_iter()
                .map(|t| arb_value(t, allow_unknown))
                .collect();
            values.prop_map(Value::Tuple).boxed()
        }
        Type::Dynamic => Just(Value::Null).boxed(),
    };
    prop_oneof![1 => special, 6 => known].boxed()
}

fn typed_value(allow_unknown: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(move |ty| {
        arb_value(ty.clone(), allow_unknown).prop_map(move |v| (ty.clone(), v))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn msgpack_round_trip((ty, value) in typed_value(true)) {
        let bytes = encode_msgpack(&value, &ty).unwrap();
        let back = decode_msgpack(&bytes, &ty).unwrap();
        prop_assert_eq!(back, value);
    }

    #[test]
    fn json_round_trip((ty, value) in typed_value(false)) {
        let bytes = encode_json(&value).unwrap();
        let back = decode_json(&bytes, &ty).unwrap();
        prop_assert_eq!(back, value);
    }

    #[test]
    fn big_integers_keep_every_digit(digits in "[1-9][0-9]{19,60}") {
        let v = Value::Number(Number::parse(&digits).unwrap());
        let back = decode_msgpack(&encode_msgpack(&v, &Type::Number).unwrap(), &Type::Number).unwrap();
        prop_assert_eq!(&back, &v);
        let json = String::from_utf8(encode_json(&v).unwrap()).unwrap();
        prop_assert_eq!(json, digits);
    }
}

#[test]
fn unknown_is_the_msgpack_extension_zero() {
    let bytes = encode_msgpack(&Value::Unknown, &Type::String).unwrap();
    assert_eq!(bytes, vec![0xd4, 0, 0]);
    // A refined unknown (extension 12, as newer Terraform sends) decodes as unknown.
    let refined = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3];
    assert_eq!(
        decode_msgpack(&refined, &Type::String).unwrap(),
        Value::Unknown
    );
}

#[test]
fn numbers_as_strings_in_msgpack_are_numbers() {
    let mut bytes = Vec::new();
    rmp::encode::write_str(&mut bytes, "123456789012345678901234567890").unwrap();
    let v = decode_msgpack(&bytes, &Type::Number).unwrap();
    assert_eq!(
        v,
        Value::Number(Number::Big("123456789012345678901234567890".into()))
    );
}

#[test]
fn dynamic_values_carry_their_type() {
    let v = Value::Object(
        [("a".to_string(), Value::string("x"))]
            .into_iter()
            .collect(),
    );
    let bytes = encode_msgpack(&v, &Type::Dynamic).unwrap();
    assert_eq!(decode_msgpack(&bytes, &Type::Dynamic).unwrap(), v);
}

#[test]
fn object_attributes_outside_the_type_are_refused() {
    let ty = Type::Object([("a".to_string(), Type::String)].into_iter().collect());
    let err = decode_json(br#"{"a":"x","b":1}"#, &ty).unwrap_err();
    assert_eq!(err.path.to_string(), "b");
}
