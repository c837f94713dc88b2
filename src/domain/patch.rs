//! The three-state field of a partial update: a JSON member may be absent,
//! `null`, or a value, and each means something different.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// The member was not in the body: leave the field as it is.
    #[default]
    Absent,
    /// The member was `null`.
    Null,
    /// The member had a value.
    Value(T),
}

impl<T> Patch<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// The value, if there is one; absent and `null` both give `None`.
    pub fn value(self) -> Option<T> {
        match self {
            Patch::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value, if there is one, borrowed.
    pub fn as_value(&self) -> Option<&T> {
        match self {
            Patch::Value(v) => Some(v),
            _ => None,
        }
    }

    /// For a nullable column: `None` leaves it alone, `Some(None)` clears it.
    pub fn into_change(self) -> Option<Option<T>> {
        match self {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(v) => Some(Some(v)),
        }
    }
}

/// Deserialises `null` as [`Patch::Null`] and anything else as a value; an
/// absent member needs `#[serde(default)]` on the field to become
/// [`Patch::Absent`].
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Patch::Value(value),
            None => Patch::Null,
        })
    }
}

/// Serialises as the JSON it came from (absent and `null` both as `null`).
impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Value(value) => serializer.serialize_some(value),
            Patch::Absent | Patch::Null => serializer.serialize_none(),
        }
    }
}

/// Validation looks through a patch at its value, like through an `Option`.
impl<T: validator::Validate> validator::Validate for Patch<T> {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        match self {
            Patch::Value(value) => value.validate(),
            Patch::Absent | Patch::Null => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Body {
        #[serde(default)]
        excerpt: Patch<String>,
        #[serde(default)]
        tags: Patch<Vec<String>>,
    }

    fn parse(json: &str) -> Body {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn absent_null_and_value_are_told_apart() {
        let absent = parse("{}");
        assert_eq!(absent.excerpt, Patch::Absent);
        assert_eq!(absent.tags, Patch::Absent);

        let null = parse(r#"{"excerpt": null, "tags": null}"#);
        assert_eq!(null.excerpt, Patch::Null);
        assert_eq!(null.tags, Patch::Null);

        let value = parse(r#"{"excerpt": "x", "tags": []}"#);
        assert_eq!(value.excerpt, Patch::Value("x".to_owned()));
        assert_eq!(value.tags, Patch::Value(vec![]));
    }

    #[test]
    fn a_value_of_the_wrong_type_is_an_error_not_null() {
        assert!(serde_json::from_str::<Body>(r#"{"excerpt": 5}"#).is_err());
    }

    #[test]
    fn into_change_maps_to_a_nullable_column_update() {
        assert_eq!(Patch::<i32>::Absent.into_change(), None);
        assert_eq!(Patch::<i32>::Null.into_change(), Some(None));
        assert_eq!(Patch::Value(1).into_change(), Some(Some(1)));
    }

    mod properties {
        use proptest::prelude::*;
        use serde_json::{Map, Value, json};

        use super::*;

        /// A member's state in a body: absent, `null`, or a value.
        fn member() -> impl Strategy<Value = Option<Option<String>>> {
            prop_oneof![
                Just(None),
                Just(Some(None)),
                any::<String>().prop_map(|value| Some(Some(value))),
            ]
        }

        proptest! {
            #[test]
            fn every_state_survives_the_wire(
                excerpt in member(),
                tags in proptest::option::of(proptest::option::of(
                    proptest::collection::vec(any::<String>(), 0..5)
                )),
            ) {
                let mut body = Map::new();
                if let Some(state) = &excerpt {
                    body.insert("excerpt".into(), json!(state));
                }
                if let Some(state) = &tags {
                    body.insert("tags".into(), json!(state));
                }
                let parsed: Body = serde_json::from_value(Value::Object(body)).unwrap();
                prop_assert_eq!(parsed.excerpt.clone().into_change(), excerpt.clone());
                prop_assert_eq!(parsed.tags.clone().into_change(), tags.clone());
                prop_assert_eq!(parsed.excerpt.is_absent(), excerpt.is_none());
                prop_assert_eq!(parsed.excerpt.value(), excerpt.flatten());
            }
        }
    }
}
