//! Every limit the API sets, in one place: the parsers, the validation
//! messages, the query checks and the OpenAPI document are built from these.

/// A post title, in characters after trimming.
pub const TITLE_MAX_CHARS: usize = 200;
/// A post excerpt, in characters.
pub const EXCERPT_MAX_CHARS: usize = 500;
/// A tag name, in characters once white space is collapsed.
pub const TAG_NAME_MAX_CHARS: usize = 50;
/// A tag description, in characters.
pub const TAG_DESCRIPTION_MAX_CHARS: usize = 500;
/// A tag's feature image URL, in characters.
pub const TAG_FEATURE_IMAGE_MAX_CHARS: usize = 2000;
/// A tag's title for search engines and link previews, in characters.
pub const TAG_META_TITLE_MAX_CHARS: usize = 300;
/// A tag's description for search engines and link previews, in characters.
pub const TAG_META_DESCRIPTION_MAX_CHARS: usize = 500;
/// A slug, post's or tag's.
pub const SLUG_MAX_CHARS: usize = 200;
/// Distinct tags on one post.
pub const MAX_TAGS_PER_POST: usize = 25;
/// Post ids in one bulk request.
pub const MAX_BULK_IDS: usize = 1000;
/// `tag` filters of one post list, and `tag_any` and `tag_not` filters, each.
pub const MAX_TAG_FILTERS: usize = 10;
/// Authors a post list may be filtered by (any of them).
pub const MAX_AUTHOR_FILTERS: usize = 10;
/// `q` of a post list (a substring of the title), in characters.
pub const POST_SEARCH_MAX_CHARS: usize = 200;
/// `q` of a tag list (a prefix of the name), in characters: no name is
/// longer.
pub const TAG_PREFIX_MAX_CHARS: usize = TAG_NAME_MAX_CHARS;

/// A user's name, in characters after trimming.
pub const USER_NAME_MAX_CHARS: usize = 100;
/// A user's bio, in characters.
pub const USER_BIO_MAX_CHARS: usize = 2000;
/// An email address, in characters.
pub const EMAIL_MAX_CHARS: usize = 254;
/// A password, in characters: at least, and at most.
pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 200;
/// A personal key's name, in characters after trimming.
pub const KEY_NAME_MAX_CHARS: usize = 100;
/// A webhook's URL, in characters.
pub const WEBHOOK_URL_MAX_CHARS: usize = 2000;
/// A webhook secret given by the caller, in characters: at least, and at most.
pub const WEBHOOK_SECRET_MIN_CHARS: usize = 16;
pub const WEBHOOK_SECRET_MAX_CHARS: usize = 200;
/// The deliveries a webhook's log shows, newest first.
pub const WEBHOOK_DELIVERIES_SHOWN: i64 = 100;
/// Failed sign-ins for one email within [`SIGN_IN_WINDOW_MINUTES`] that
/// lock it until the oldest of them leaves the window.
pub const SIGN_IN_FAILURES_LOCK: i64 = 5;
pub const SIGN_IN_WINDOW_MINUTES: i64 = 15;

/// How many items a page of a list holds when not asked, and at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize {
    pub default: u32,
    pub max: u32,
}

/// Pages of posts: post lists and tag pages.
pub const POST_PAGE: PageSize = PageSize {
    default: 20,
    max: 100,
};

/// Pages of users.
pub const USER_PAGE: PageSize = PageSize {
    default: 50,
    max: 200,
};

/// Related posts of a post (`limit`).
pub const RELATED_POSTS: PageSize = PageSize {
    default: 5,
    max: 20,
};

/// Entries in a feed: the newest visible posts.
pub const FEED_ENTRIES: u32 = 20;

/// Pages of tags.
pub const TAG_PAGE: PageSize = PageSize {
    default: 50,
    max: 200,
};
