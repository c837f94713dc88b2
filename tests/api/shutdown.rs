//! SIGTERM drains: requests in flight finish, new connections are refused,
//! and the process exits 0.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use crate::helpers::{Backend, TOKEN, TestDatabase};
use crate::process::ServerProcess;

#[test]
fn sqlite_sigterm_lets_requests_in_flight_finish_then_exits_0() {
    sigterm_drains(Backend::Sqlite);
}

#[test]
fn postgres_sigterm_lets_requests_in_flight_finish_then_exits_0() {
    sigterm_drains(Backend::Postgres);
}

const IN_FLIGHT: usize = 3;

fn sigterm_drains(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else {
        return;
    };
    let mut server = ServerProcess::start(&database);

    // Requests whose bodies are half sent: in flight when the signal comes.
    let body = br#"{"title": "Written during shutdown", "tags": ["Drained"]}"#;
    let mut in_flight: Vec<TcpStream> = (0..IN_FLIGHT)
        .map(|_| {
            let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let head = format!(
                "POST /api/v1/posts HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {TOKEN}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&body[..20]).unwrap();
            stream
        })
        .collect();
    thread::sleep(Duration::from_millis(300));

    server.terminate();
    thread::sleep(Duration::from_millis(300));
    assert!(
        server.log().contains("SIGTERM"),
        "the signal was received:\n{}",
        server.log()
    );
    assert!(
        TcpStream::connect(("127.0.0.1", server.port)).is_err(),
        "no new connections while draining"
    );

    for stream in &mut in_flight {
        stream.write_all(&body[20..]).unwrap();
    }
    for stream in &mut in_flight {
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
        assert!(answer.contains("Written during shutdown"), "{answer}");
    }

    let status = server.wait(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{}", server.log());
}
