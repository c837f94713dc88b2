//! The read-through: every read the memory may answer goes through
//! [`Cache::read`], which checks the committed changes, makes the memory
//! current for the request, and asks the database only for what memory
//! lacks — remembering what it reads then.

use std::borrow::BorrowMut;
use std::sync::Arc;

use chrono::NaiveDateTime;
use prometheus::core::Collector;

use super::callers::RememberedCallers;
use super::counts::CountCache;
use super::known_etags::KnownEtags;
use super::remembered::{DatedPage, PageKey, PostPage, RememberedAnswers, post_bytes};
use super::single_flight::SingleFlight;
use super::split_counter::SplitCounter;
use super::tag_counts::TagCounts;
use crate::db::change_counters::{self, CommittedChanges};
use crate::db::posts::PostKey;
use crate::db::{Database, DbConn, DbError, WrapsDbError, checkout};
use crate::domain::audience::{Identity, TokenDigest};
use crate::domain::time::{self, now};
use crate::models::PostWithTags;

/// A read the memory may answer, in two parts: what memory holds, and what
/// to ask the database otherwise. [`Cache::read`] joins them.
pub trait CachedRead: Send + 'static {
    /// What the read needs of memory: [`Memory`], or [`CountedMemory`]
    /// when it needs the tag counts too.
    type Memory: MemoryKind;
    type Answer: Send + 'static;
    type Error: WrapsDbError + Send + 'static;
    /// What is read from the database when memory has no answer.
    type Query: Send + 'static;

    /// The answer from memory, or the query to load it with. Runs on the
    /// async worker: it must not block.
    fn look_up(
        self,
        memory: &Self::Memory,
    ) -> Lookup<Result<Self::Answer, Self::Error>, Self::Query>;

    /// The answer from the database; what it reads is remembered in
    /// `memory` for the requests that come after.
    fn load(
        query: Self::Query,
        conn: &mut DbConn,
        memory: &Self::Memory,
    ) -> Result<Self::Answer, Self::Error>;
}

/// An answer, and the next moment a scheduled post comes due that could
/// change it, if one may: how long a cache may keep it.
pub struct Fresh<A> {
    pub answer: A,
    pub next_change: Option<NaiveDateTime>,
}

/// What memory says of a read.
pub enum Lookup<A, Q> {
    /// It has the answer.
    Found(A),
    /// It has not: this is what to ask the database.
    Missing(Q),
}

/// What is kept in memory for every request: the tag counts, the answers
/// remembered, and the check of the committed changes shared by requests
/// that arrive together.
#[derive(Default)]
pub struct Cache {
    check: SingleFlight<CommittedChanges, Arc<DbError>>,
    store: MemoryStore,
    callers: RememberedCallers,
    etags: KnownEtags,
    reads: ReadStats,
}

/// How reads were answered: from `memory` or from the `database`.
struct ReadStats(SplitCounter);

impl Default for ReadStats {
    fn default() -> Self {
        ReadStats(SplitCounter::new(
            "blog_cache_reads_total",
            "Reads that memory may answer, by where the answer came from (memory, database).",
            "from",
            ["memory", "database"],
        ))
    }
}

/// The tag counts and the remembered answers, shared by every request.
#[derive(Clone, Default)]
pub struct MemoryStore {
    counts: Arc<CountCache>,
    answers: Arc<RememberedAnswers>,
}

impl Cache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers `read` for a request arriving now: from memory when memory
    /// holds the answer (on this worker, with no connection), else from the
    /// database (on the blocking pool). `checked`: the committed changes,
    /// if the request has read them already (authenticating its caller).
    pub async fn read<R: CachedRead>(
        &self,
        db: &Database,
        checked: Option<CommittedChanges>,
        read: R,
    ) -> Result<R::Answer, R::Error> {
        Ok(self.read_fresh(db, checked, read).await?.answer)
    }

    /// [`Cache::read`], with when a scheduled post could change the answer.
    pub async fn read_fresh<R: CachedRead>(
        &self,
        db: &Database,
        checked: Option<CommittedChanges>,
        read: R,
    ) -> Result<Fresh<R::Answer>, R::Error> {
        let arrived = now();
        let changes = match checked {
            Some(changes) => changes,
            None => self.check(db).await?,
        };
        let memory = match R::Memory::at_once(&self.store, changes, arrived) {
            Some(memory) => memory,
            None => {
                let store = self.store.clone();
                db.with_pool(move |pool| {
                    R::Memory::recounted(&store, changes, arrived, || checkout(pool))
                })
                .await?
            }
        };
        let next_change = memory.next_change();
        let answer = match read.look_up(&memory) {
            Lookup::Found(answer) => {
                self.reads.0.first.inc();
                answer
            }
            Lookup::Missing(query) => {
                self.reads.0.second.inc();
                db.run(move |conn| R::load(query, conn, &memory)).await
            }
        }?;
        Ok(Fresh {
            answer,
            next_change,
        })
    }

    /// What the cache counts, for the metrics: how reads were answered and
    /// how the tag counts were kept current.
    pub fn collectors(&self) -> Vec<Box<dyn Collector>> {
        let counts = &self.store.counts.stats;
        vec![
            Box::new(self.reads.0.metric.clone()),
            Box::new(counts.recounts.clone()),
            Box::new(counts.applications.clone()),
            Box::new(counts.advances.clone()),
            Box::new(counts.durations.clone()),
            Box::new(self.etags.revalidations.metric.clone()),
        ]
    }

    /// [`Cache::read`] on a connection the caller holds, on this thread: for
    /// tools and tests.
    pub fn read_on<R: CachedRead>(
        &self,
        conn: &mut DbConn,
        read: R,
    ) -> Result<R::Answer, R::Error> {
        let arrived = now();
        let changes = change_counters::read(conn).map_err(DbError::from)?;
        let memory = match R::Memory::at_once(&self.store, changes, arrived) {
            Some(memory) => memory,
            None => R::Memory::recounted(&self.store, changes, arrived, || Ok(&mut *conn))?,
        };
        match read.look_up(&memory) {
            Lookup::Found(answer) => answer,
            Lookup::Missing(query) => R::load(query, conn, &memory),
        }
    }

    /// Takes the tag counts before the first request needs them: on a large
    /// blog that is seconds of work, better done before serving.
    pub async fn warm(&self, db: &Database) {
        let started = std::time::Instant::now();
        match self.refresh_counts(db).await {
            Ok(()) => log::info!("tag counts taken in {:.1?}", started.elapsed()),
            // Not fatal: the first request that needs them will try again.
            Err(error) => log::warn!("could not take the tag counts at start: {error}"),
        }
    }

    /// Brings the tag counts up to date with what has committed, as a
    /// request needing them would.
    pub async fn refresh_counts(&self, db: &Database) -> Result<(), DbError> {
        let changes = self.check(db).await?;
        if self
            .store
            .counts
            .current(changes.count_changes, now())
            .is_some()
        {
            return Ok(());
        }
        let counts = self.store.counts.clone();
        db.with_pool(move |pool| counts.refresh(changes.count_changes, now(), || checkout(pool)))
            .await
            .map(drop)
    }

    /// The caller with this token's digest, if remembered from a lookup
    /// made when the committed `people_changes` were these, and still
    /// valid at `now`.
    pub fn recall_caller(
        &self,
        people_changes: i64,
        digest: &TokenDigest,
        now: NaiveDateTime,
    ) -> Option<Identity> {
        self.callers.recall(people_changes, digest, now)
    }

    /// Remembers a caller looked up after reading `people_changes`.
    pub fn remember_caller(
        &self,
        people_changes: i64,
        digest: TokenDigest,
        identity: Identity,
        expires_at: Option<NaiveDateTime>,
    ) {
        self.callers
            .remember(people_changes, digest, identity, expires_at);
    }

    /// The ETags the public's answers were sent with, for revalidations.
    pub fn known_etags(&self) -> &KnownEtags {
        &self.etags
    }

    /// Whether this use of key `id` is the one to write as its last use.
    pub fn key_use_to_write(&self, id: i64) -> bool {
        self.callers.key_use_to_write(id, std::time::Instant::now())
    }

    /// The committed changes, read after this call began: by this request,
    /// or by another one for both.
    pub async fn check(&self, db: &Database) -> Result<CommittedChanges, DbError> {
        self.check
            .read(|| async {
                db.run(|conn| change_counters::read(conn).map_err(DbError::from))
                    .await
                    .map_err(Arc::new)
            })
            .await
            .map_err(DbError::Shared)
    }
}

/// What memory holds that is current for one request: the answers
/// remembered by requests that read the same committed changes.
#[derive(Clone)]
pub struct Memory {
    changes: CommittedChanges,
    answers: Arc<RememberedAnswers>,
    now: NaiveDateTime,
    /// When the next scheduled post comes due, as the tag counts know it;
    /// pages remembered now hold until then. Only counted memory reads
    /// pages.
    next_due: Option<NaiveDateTime>,
}

impl Memory {
    /// The moment the request is answered as of.
    pub fn now(&self) -> NaiveDateTime {
        self.now
    }

    /// The post, if a request that read the same changes read it.
    pub fn post(&self, key: &PostKey) -> Option<Arc<PostWithTags>> {
        self.answers.posts.recall(self.changes, key)
    }

    /// Remembers a post read after this request's check.
    pub fn remember_post(&self, key: PostKey, post: &Arc<PostWithTags>) {
        let bytes = post_bytes(post);
        self.answers
            .posts
            .remember(self.changes, key, Arc::clone(post), bytes);
    }

    /// A page of posts, if a request that read the same changes read it
    /// and no scheduled post has come due since.
    pub fn page(&self, key: &PageKey) -> Option<PostPage> {
        let remembered = self.answers.pages.recall(self.changes, key)?;
        if remembered.until.is_some_and(|due| self.now >= due) {
            return None;
        }
        Some(Arc::clone(&remembered.page))
    }

    /// Remembers a page read after this request's check.
    pub fn remember_page(&self, key: PageKey, page: &PostPage) {
        let bytes = page.items.iter().map(post_bytes).sum();
        let dated = DatedPage {
            page: Arc::clone(page),
            until: self.next_due,
        };
        let dated = Arc::new(dated);
        self.answers.pages.remember(self.changes, key, dated, bytes);
    }
}

/// [`Memory`] with the tag counts, exact for the request.
#[derive(Clone)]
pub struct CountedMemory {
    memory: Memory,
    counts: Arc<TagCounts>,
}

impl CountedMemory {
    fn new(mut memory: Memory, counts: Arc<TagCounts>) -> Self {
        // As of the moment the counts hold for: a recount may be newer.
        memory.now = memory.now.max(counts.taken_at());
        memory.next_due = counts.next_due();
        Self { memory, counts }
    }

    pub fn counts(&self) -> &TagCounts {
        &self.counts
    }

    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    pub fn now(&self) -> NaiveDateTime {
        self.memory.now
    }
}

/// The memory a read may need, made current for a request that read
/// `changes` on arriving at `now`.
pub trait MemoryKind: Sized + Send + 'static {
    /// At once, when memory holds what it takes.
    fn at_once(store: &MemoryStore, changes: CommittedChanges, now: NaiveDateTime) -> Option<Self>;

    /// After counting the tags afresh, with a connection from `connect`
    /// if this request is the one to count (it blocks).
    fn recounted<C: BorrowMut<DbConn>>(
        store: &MemoryStore,
        changes: CommittedChanges,
        now: NaiveDateTime,
        connect: impl FnOnce() -> Result<C, DbError>,
    ) -> Result<Self, DbError>;

    /// The next moment a scheduled post comes due, if answers read through
    /// this memory can change then.
    fn next_change(&self) -> Option<NaiveDateTime>;
}

impl Memory {
    fn of(store: &MemoryStore, changes: CommittedChanges, now: NaiveDateTime) -> Self {
        Memory {
            changes: changes.of_content(),
            answers: store.answers.clone(),
            now,
            next_due: None,
        }
    }
}

impl MemoryKind for Memory {
    fn at_once(store: &MemoryStore, changes: CommittedChanges, now: NaiveDateTime) -> Option<Self> {
        Some(Memory::of(store, changes, now))
    }

    /// This memory takes no counts: there is nothing to count.
    fn recounted<C: BorrowMut<DbConn>>(
        store: &MemoryStore,
        changes: CommittedChanges,
        now: NaiveDateTime,
        _: impl FnOnce() -> Result<C, DbError>,
    ) -> Result<Self, DbError> {
        Ok(Memory::of(store, changes, now))
    }

    /// A single post: another coming due leaves it as it is, and its own
    /// coming due turns an error into an answer.
    fn next_change(&self) -> Option<NaiveDateTime> {
        None
    }
}

impl MemoryKind for CountedMemory {
    fn at_once(store: &MemoryStore, changes: CommittedChanges, now: NaiveDateTime) -> Option<Self> {
        let counts = store.counts.current(changes.count_changes, now)?;
        Some(CountedMemory::new(Memory::of(store, changes, now), counts))
    }

    fn recounted<C: BorrowMut<DbConn>>(
        store: &MemoryStore,
        changes: CommittedChanges,
        now: NaiveDateTime,
        connect: impl FnOnce() -> Result<C, DbError>,
    ) -> Result<Self, DbError> {
        // The recount is made as of when it starts.
        let counts = store
            .counts
            .refresh(changes.count_changes, time::now(), connect)?;
        Ok(CountedMemory::new(Memory::of(store, changes, now), counts))
    }

    fn next_change(&self) -> Option<NaiveDateTime> {
        self.memory.next_due
    }
}
