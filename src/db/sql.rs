//! Small pieces of SQL the statements share.

diesel::define_sql_function! {
    /// `lower()` that folds all of Unicode. PostgreSQL's own `lower` already
    /// does in a UTF-8 database; on SQLite this replaces the ASCII-only one
    /// (registered on every connection).
    #[sql_name = "lower"]
    fn unicode_lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    fn coalesce(
        value: diesel::sql_types::Nullable<diesel::sql_types::Timestamp>,
        fallback: diesel::sql_types::Nullable<diesel::sql_types::Timestamp>,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Timestamp>;
}

/// Escapes `%`, `_` and `\` so that user input matches literally in a
/// `LIKE … ESCAPE '\'` pattern.
pub fn escape_like(input: &str) -> String {
    let mut escaped = String::with_capacity(input.len());
    for c in input.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::escape_like;

    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(escape_like(r"50%_off\"), r"50\%\_off\\");
        assert_eq!(escape_like("it's"), "it's");
    }

    proptest! {
        #[test]
        fn escaped_like_patterns_have_no_bare_metacharacters(input in "[a-z%_\\\\']{0,20}") {
            let escaped = escape_like(&input);
            let mut chars = escaped.chars();
            let mut unescaped = String::new();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    let next = chars.next();
                    prop_assert!(matches!(next, Some('%' | '_' | '\\')), "{escaped}");
                    unescaped.extend(next);
                } else {
                    prop_assert!(c != '%' && c != '_', "{escaped}");
                    unescaped.push(c);
                }
            }
            prop_assert_eq!(unescaped, input);
        }
    }
}
