//! One reading of a value that every request needs first (the committed
//! changes), made once for all the requests waiting for it.

use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;

/// A read shared by concurrent requests. A request takes the outcome of
/// the first reading that *began* after it arrived, so it sees every write
/// committed before it arrived, exactly as if it had read for itself. One
/// reading runs at a time: requests that arrive meanwhile wait for it to
/// end, and then one of them makes the next reading for all of them. Under
/// load, the database answers one reading per round trip rather than one
/// per request, and a request answered from memory takes no connection.
pub struct SingleFlight<T, E> {
    state: Mutex<State<T, E>>,
    ended: Notify,
}

struct State<T, E> {
    /// Readings begun so far; a reading's number is the count when it began.
    begun: u64,
    running: bool,
    /// The outcome of the latest reading to end, and its number.
    latest: Option<(u64, Result<T, E>)>,
}

impl<T: Clone, E: Clone> Default for SingleFlight<T, E> {
    fn default() -> Self {
        Self {
            state: Mutex::new(State {
                begun: 0,
                running: false,
                latest: None,
            }),
            ended: Notify::new(),
        }
    }
}

impl<T: Clone, E: Clone> SingleFlight<T, E> {
    /// The outcome of a reading begun after this call: one this request
    /// makes with `read`, or one another request made meanwhile.
    pub async fn read<F, Fut>(&self, read: F) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let arrived = self.state().begun;
        loop {
            // Listening before looking, so that an end between the two is
            // not missed.
            let ended = self.ended.notified();
            let mut ended = std::pin::pin!(ended);
            ended.as_mut().enable();
            let number = {
                let mut state = self.state();
                match &state.latest {
                    Some((number, outcome)) if *number > arrived => return outcome.clone(),
                    _ if state.running => None,
                    _ => {
                        state.running = true;
                        state.begun += 1;
                        Some(state.begun)
                    }
                }
            };
            if let Some(number) = number {
                // Ends the reading even if this request is dropped mid-way
                // (its client gone), so that the others do not wait forever.
                let _end = EndOnDrop(self);
                let outcome = read().await;
                self.state().latest = Some((number, outcome.clone()));
                return outcome;
            }
            ended.await;
        }
    }

    fn state(&self) -> MutexGuard<'_, State<T, E>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct EndOnDrop<'a, T, E>(&'a SingleFlight<T, E>);

impl<T, E> Drop for EndOnDrop<'_, T, E> {
    fn drop(&mut self) {
        self.0
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .running = false;
        self.0.ended.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use tokio::sync::oneshot;

    use super::SingleFlight;

    type Reading = SingleFlight<u64, String>;

    /// A request that arrives while a reading runs does not take it: that
    /// reading may have begun before a write the request must see.
    #[actix_web::test]
    async fn a_reading_begun_before_a_request_arrived_is_not_its_answer() {
        let shared = Arc::new(Reading::default());
        let database = Arc::new(AtomicU64::new(1));
        let (release_first, first_released) = oneshot::channel::<()>();
        let first = actix_web::rt::spawn({
            let (shared, database) = (shared.clone(), database.clone());
            async move {
                shared
                    .read(|| async move {
                        let value = database.load(Ordering::SeqCst);
                        first_released.await.unwrap();
                        Ok(value)
                    })
                    .await
            }
        });
        // Let the first reading begin; then a write commits, then a second
        // request arrives.
        actix_web::rt::task::yield_now().await;
        database.store(2, Ordering::SeqCst);
        let second = actix_web::rt::spawn({
            let (shared, database) = (shared.clone(), database.clone());
            async move {
                shared
                    .read(|| async move { Ok(database.load(Ordering::SeqCst)) })
                    .await
            }
        });
        actix_web::rt::task::yield_now().await;
        release_first.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Ok(1));
        assert_eq!(second.await.unwrap(), Ok(2));
    }

    /// Requests that arrive together share one reading, its failure too.
    #[actix_web::test]
    async fn requests_waiting_together_share_one_reading() {
        let shared = Arc::new(Reading::default());
        let readings = Arc::new(AtomicU64::new(0));
        let (release, released) = oneshot::channel::<()>();
        let blocker = actix_web::rt::spawn({
            let shared = shared.clone();
            async move {
                shared
                    .read(|| async move {
                        released.await.unwrap();
                        Ok(0)
                    })
                    .await
            }
        });
        actix_web::rt::task::yield_now().await;
        let waiting: Vec<_> = (0..5)
            .map(|_| {
                let (shared, readings) = (shared.clone(), readings.clone());
                actix_web::rt::spawn(async move {
                    shared
                        .read(|| async move {
                            readings.fetch_add(1, Ordering::SeqCst);
                            Err("database unavailable".to_owned())
                        })
                        .await
                })
            })
            .collect();
        actix_web::rt::task::yield_now().await;
        release.send(()).unwrap();
        assert_eq!(blocker.await.unwrap(), Ok(0));
        for request in waiting {
            assert_eq!(request.await.unwrap(), Err("database unavailable".into()));
        }
        assert_eq!(readings.load(Ordering::SeqCst), 1);
    }

    /// A request dropped while it reads (its client gone) hands the reading
    /// on rather than leaving the others waiting.
    #[actix_web::test]
    async fn a_reader_dropped_mid_reading_does_not_hold_up_the_others() {
        let shared = Arc::new(Reading::default());
        let abandoned = actix_web::rt::spawn({
            let shared = shared.clone();
            async move {
                shared
                    .read(std::future::pending::<Result<u64, String>>)
                    .await
            }
        });
        actix_web::rt::task::yield_now().await;
        let next = actix_web::rt::spawn({
            let shared = shared.clone();
            async move { shared.read(|| async { Ok(7) }).await }
        });
        actix_web::rt::task::yield_now().await;
        abandoned.abort();
        assert_eq!(next.await.unwrap(), Ok(7));
    }
}
