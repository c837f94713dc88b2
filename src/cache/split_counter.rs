//! A metric that counts what happened one of two ways.

use prometheus::{IntCounter, IntCounterVec, Opts};

/// A counter split in two by one label, each half looked up once rather
/// than by its label at every count.
pub(super) struct SplitCounter {
    /// The whole, for the metrics' registry.
    pub metric: IntCounterVec,
    pub first: IntCounter,
    pub second: IntCounter,
}

impl SplitCounter {
    /// `name` counted by `label`, whose values are `first` and `second`.
    pub fn new(name: &str, help: &str, label: &str, [first, second]: [&str; 2]) -> Self {
        let metric = IntCounterVec::new(Opts::new(name, help), &[label]).expect("a valid metric");
        SplitCounter {
            first: metric.with_label_values(&[first]),
            second: metric.with_label_values(&[second]),
            metric,
        }
    }
}
