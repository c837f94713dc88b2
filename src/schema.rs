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
        /// Where admin lists put the post: its date, or a far moment when
        /// it has none (generated; the `list_order` migration).
        listed_at -> Timestamp,
        author_id -> BigInt,
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
        feature_image -> Nullable<Text>,
        accent_color -> Nullable<Text>,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        /// The tag's aliases: a JSON array of names, kept by triggers.
        alias_names -> Text,
    }
}

diesel::table! {
    /// Other names of a tag, resolved to it by get-or-create.
    tag_aliases (name_key) {
        name_key -> Text,
        name -> Text,
        tag_id -> BigInt,
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
        /// Whether the post is not trashed: the link counts in its tag's
        /// total. Kept by triggers.
        counted -> Bool,
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
        /// Transactions that changed or deleted a user or a credential
        /// (the `people` migration).
        people_changes -> BigInt,
    }
}

diesel::table! {
    /// Staff users (the `people` migration).
    users (id) {
        id -> BigInt,
        name -> Text,
        slug -> Text,
        email -> Nullable<Text>,
        /// The email lower-cased: its identity.
        email_key -> Nullable<Text>,
        role -> Text,
        bio -> Nullable<Text>,
        /// Argon2id in the PHC string format.
        password_hash -> Nullable<Text>,
        is_owner -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Sessions and personal keys: the SHA-256 of each token, never the
    /// token.
    credentials (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        name -> Nullable<Text>,
        token_hash -> Binary,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Failed sign-ins by email, for the lock-out.
    sign_in_failures (id) {
        id -> BigInt,
        email_key -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    /// What each committed transaction did to the tag counts, one change a
    /// row, written by triggers (the `count_deltas` migration). On
    /// PostgreSQL each row also carries its transaction's id, `txid`, read
    /// in `db::count_deltas` alone.
    count_deltas (id) {
        id -> BigInt,
        logged_at -> Timestamp,
        /// The tag changed; NULL for a post's own part.
        tag_id -> Nullable<BigInt>,
        post_id -> Nullable<BigInt>,
        /// +1 or -1: a counted link (or post) added or removed; 0: the
        /// tag's row changed.
        posts -> SmallInt,
        /// When the link (or post) added or removed is visible from.
        public_at -> Nullable<Timestamp>,
        /// A post's own row: its date, published or not.
        published_at -> Nullable<Timestamp>,
        /// A post's own row: its author; with no tag or post: the user
        /// whose row changed.
        author_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// How far back `count_deltas` can be trusted (one row).
    count_deltas_horizon (only_row) {
        only_row -> Bool,
        /// Rows below this position may have been deleted.
        pruned_below -> BigInt,
        /// Grows when the log cannot tell what happened.
        resets -> BigInt,
    }
}

diesel::table! {
    /// SQLite only: the trigram index of the posts' titles, an FTS5 table
    /// over `posts` kept by triggers (the `title_search` migration).
    post_titles (rowid) {
        rowid -> BigInt,
        title -> Text,
    }
}

diesel::table! {
    /// Slugs tags had before, each with the last tag that had it.
    tag_old_slugs (slug) {
        slug -> Text,
        tag_id -> BigInt,
        /// Whether the slug was an internal tag's.
        internal -> Bool,
    }
}

diesel::table! {
    /// Slugs posts had before, each with the last post that had it.
    post_old_slugs (slug) {
        slug -> Text,
        post_id -> BigInt,
    }
}

diesel::table! {
    /// Where events are sent; the secret signs each delivery.
    webhooks (id) {
        id -> BigInt,
        url -> Text,
        events -> Text,
        secret -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Which events each webhook is sent (an event name, or `*`).
    webhook_topics (event, webhook_id) {
        event -> Text,
        webhook_id -> BigInt,
    }
}

diesel::table! {
    /// The outbox: one row per event and webhook, with its attempts.
    webhook_deliveries (id) {
        id -> BigInt,
        delivery_id -> Text,
        webhook_id -> BigInt,
        event -> Text,
        subject -> Text,
        subject_id -> BigInt,
        subject_slug -> Text,
        purge_keys -> Text,
        occurred_at -> Timestamp,
        body -> Nullable<Text>,
        attempts -> Integer,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        state -> Text,
        next_attempt_at -> Nullable<Timestamp>,
        claimed_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Scheduled posts whose `post.published` is still to come.
    scheduled_publications (post_id) {
        post_id -> BigInt,
        due_at -> Timestamp,
    }
}

diesel::joinable!(post_tags -> posts (post_id));
diesel::joinable!(post_tags -> tags (tag_id));
diesel::joinable!(tag_old_slugs -> tags (tag_id));
diesel::joinable!(tag_aliases -> tags (tag_id));

diesel::joinable!(credentials -> users (user_id));
diesel::joinable!(posts -> users (author_id));
diesel::joinable!(webhook_topics -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::allow_tables_to_appear_in_same_query!(
    posts,
    tags,
    tag_aliases,
    tag_old_slugs,
    post_tags,
    post_titles,
    users,
    credentials,
    webhooks,
    webhook_topics,
    webhook_deliveries,
    scheduled_publications
);
