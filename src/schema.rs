// Written for both backends: `BigInt` ids and UTC `Timestamp`s map the same
// way on PostgreSQL and SQLite.

diesel::table! {
    posts (id) {
        id -> BigInt,
        title -> Text,
        slug -> Text,
        body -> Text,
        excerpt -> Nullable<Text>,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        version -> BigInt,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        slug -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    post_tags (post_id, tag_id) {
        post_id -> BigInt,
        tag_id -> BigInt,
        position -> Integer,
        /// The post's `published_at` while it is published and not deleted,
        /// else NULL; kept by triggers, for tag pages in public order.
        public_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Counters of committed transactions, summed over the rows (the
    /// `count_changes`, `post_edits` and `change_counters` migrations).
    change_counters (shard) {
        shard -> BigInt,
        /// Transactions that could change a tag count.
        count_changes -> BigInt,
        /// Transactions that changed a post row.
        post_edits -> BigInt,
    }
}

diesel::joinable!(post_tags -> posts (post_id));
diesel::joinable!(post_tags -> tags (tag_id));

diesel::allow_tables_to_appear_in_same_query!(posts, tags, post_tags);
