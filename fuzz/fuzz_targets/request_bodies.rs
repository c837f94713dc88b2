//! Arbitrary bytes as every JSON request body: each is accepted and turns
//! into domain values, or is refused with 400 or 422. A panic, another
//! status, or a body that passes validation and is then refused by its
//! domain type is a finding.
#![no_main]

use blog_backend::http::check_request_bodies;
use blog_backend::http::extract::BodyFault;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    for check in check_request_bodies(bytes) {
        match check.outcome {
            Ok(()) => {}
            Err(BodyFault::Refused(status)) => assert!(
                status == 400 || status == 422,
                "{}: refused with {status}",
                check.route
            ),
            Err(BodyFault::Disagreed(error)) => panic!(
                "{}: validation passed, then the domain refused: {error}",
                check.route
            ),
        }
    }
});
