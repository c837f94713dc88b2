//! The real binary in a process of its own, for what only a process shows:
//! its log, and how it answers signals.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::helpers::{TOKEN, TestDatabase};

pub struct ServerProcess {
    child: Child,
    pub port: u16,
    log: Arc<Mutex<String>>,
}

impl ServerProcess {
    /// Starts `blog-backend serve` on `database` with the test token and
    /// `RUST_LOG=debug`, and waits until it listens.
    pub fn start(database: &TestDatabase) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_blog-backend"))
            .arg("serve")
            .env("DATABASE_URL", database.url.as_str())
            .env("BIND", "127.0.0.1:0")
            .env("ADMIN_TOKEN", TOKEN)
            .env("RUST_LOG", "debug")
            .env("WORKERS", "2")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let log = Arc::new(Mutex::new(String::new()));
        for output in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let log = Arc::clone(&log);
            thread::spawn(move || {
                for line in BufReader::new(output).lines().map_while(Result::ok) {
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        let started = Instant::now();
        let port = loop {
            let port = log.lock().unwrap().lines().find_map(|line| {
                let (_, rest) = line.split_once("serving on 127.0.0.1:")?;
                rest.split_whitespace().next()?.parse().ok()
            });
            if let Some(port) = port {
                break port;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server did not start:\n{}",
                log.lock().unwrap()
            );
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the server exited ({status}):\n{}", log.lock().unwrap());
            }
            thread::sleep(Duration::from_millis(20));
        };
        Self { child, port, log }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Everything the process has written so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Sends SIGKILL, and waits for the process to be gone.
    pub fn kill(&mut self) {
        self.child.kill().expect("the process can be killed");
        self.child.wait().expect("the killed process is reaped");
    }

    /// Waits for the process to exit, failing after `limit`.
    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the readers take the last lines.
                thread::sleep(Duration::from_millis(50));
                return status;
            }
            assert!(
                started.elapsed() < limit,
                "still running after {limit:?}:\n{}",
                self.log()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
