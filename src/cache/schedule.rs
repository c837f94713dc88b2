//! What becomes visible later: for each date, how much each counter grows
//! then. Kept by day, each day shared until it changes, so that copying the
//! whole (as every update of the counts does) costs a pointer a day and a
//! change copies one day — a big blog has tens of thousands of scheduled
//! dates.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};

/// Whose visible count a scheduled change goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counter {
    /// The number of visible posts.
    Posts,
    Tag(i64),
    Author(i64),
}

type Day = BTreeMap<NaiveDateTime, HashMap<Counter, i64>>;

#[derive(Debug, Clone, Default)]
pub struct Schedule {
    days: BTreeMap<NaiveDate, Arc<Day>>,
}

impl Schedule {
    /// The first date something is scheduled for.
    pub fn next_due(&self) -> Option<NaiveDateTime> {
        let (_, day) = self.days.first_key_value()?;
        day.keys().next().copied()
    }

    /// Adds `count` to what `counter` gains at `date`.
    pub fn add(&mut self, counter: Counter, date: NaiveDateTime, count: i64) {
        let day = self.days.entry(date.date()).or_default();
        let day = Arc::make_mut(day);
        let counters = day.entry(date).or_default();
        let total = counters.entry(counter).or_default();
        *total += count;
        if *total == 0 {
            counters.remove(&counter);
            if counters.is_empty() {
                day.remove(&date);
            }
        }
        if day.is_empty() {
            self.days.remove(&date.date());
        }
    }

    /// Takes out what is scheduled up to `now`, earliest first.
    pub fn take_due(&mut self, now: NaiveDateTime) -> Vec<HashMap<Counter, i64>> {
        let mut due = Vec::new();
        while self.next_due().is_some_and(|next| next <= now) {
            let Some(mut entry) = self.days.first_entry() else {
                break;
            };
            let day = Arc::make_mut(entry.get_mut());
            while let Some(first) = day.first_entry() {
                if *first.key() > now {
                    break;
                }
                due.push(first.remove());
            }
            if day.is_empty() {
                entry.remove();
            }
        }
        due
    }

    /// Forgets what was scheduled for counters that no longer exist.
    pub fn forget(&mut self, gone: impl Fn(&Counter) -> bool) {
        self.days.retain(|_, day| {
            let day = Arc::make_mut(day);
            day.retain(|_, counters| {
                counters.retain(|counter, _| !gone(counter));
                !counters.is_empty()
            });
            !day.is_empty()
        });
    }
}
