//! A TCP proxy between the server and its database that a test can cut and
//! restore, to play an outage without touching the shared database server.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

#[derive(Default)]
struct State {
    /// While false, new connections are closed as soon as they arrive.
    open: AtomicBool,
    stopped: AtomicBool,
    live: Mutex<Vec<TcpStream>>,
}

pub struct Proxy {
    address: SocketAddr,
    state: Arc<State>,
}

impl Proxy {
    /// Listens on a free local port and forwards to `target` (`host:port`).
    pub fn start(target: &str) -> Self {
        let target = target
            .to_socket_addrs()
            .expect("a resolvable target")
            .next()
            .expect("a target address");
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.set_nonblocking(true).unwrap();
        let address = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        state.open.store(true, Ordering::SeqCst);
        let accepting = Arc::clone(&state);
        thread::spawn(move || accept(listener, target, accepting));
        Self { address, state }
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The database becomes unreachable: every open connection is closed
    /// and new ones are closed on arrival.
    pub fn cut(&self) {
        // Under the lock that registers new connections, so that none being
        // set up right now escapes the cut.
        let mut live = self.state.live.lock().unwrap();
        self.state.open.store(false, Ordering::SeqCst);
        for stream in live.drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// The database is back.
    pub fn restore(&self) {
        self.state.open.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.state.stopped.store(true, Ordering::SeqCst);
        self.cut();
    }
}

fn accept(listener: TcpListener, target: SocketAddr, state: Arc<State>) {
    while !state.stopped.load(Ordering::SeqCst) {
        let client = match listener.accept() {
            Ok((client, _)) => client,
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5));
                continue;
            }
            Err(_) => continue,
        };
        if !state.open.load(Ordering::SeqCst) {
            let _ = client.shutdown(Shutdown::Both);
            continue;
        }
        let _ = client.set_nonblocking(false);
        let Ok(server) = TcpStream::connect(target) else {
            continue;
        };
        let mut live = state.live.lock().unwrap();
        if !state.open.load(Ordering::SeqCst) {
            // Cut while this connection was being set up.
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
            continue;
        }
        for stream in [&client, &server] {
            if let Ok(clone) = stream.try_clone() {
                live.push(clone);
            }
        }
        drop(live);
        pipe(&client, &server);
        pipe(&server, &client);
    }
}

/// Copies one direction until either side closes, then closes both.
fn pipe(from: &TcpStream, to: &TcpStream) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    thread::spawn(move || {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = from.shutdown(Shutdown::Both);
        let _ = to.shutdown(Shutdown::Both);
    });
}
