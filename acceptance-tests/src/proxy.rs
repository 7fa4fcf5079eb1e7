//! A TCP proxy that delays every chunk the client sends: it makes the
//! emulator as slow as real AWS, so a test can interrupt an apply half way.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

/// A running proxy; it serves until the test process ends.
pub struct SlowProxy {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

fn pipe(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if !delay.is_zero() {
                    thread::sleep(delay);
                }
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

impl SlowProxy {
    /// Proxies to `target` (`http://127.0.0.1:PORT`), delaying each request
    /// chunk by `delay`.
    pub fn start(target: &str, delay: Duration) -> SlowProxy {
        let target = target.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("proxy address").port();
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else {
                    continue;
                };
                thread::spawn(move || pipe(client, server, delay));
                thread::spawn(move || pipe(s2, c2, Duration::ZERO));
            }
        });
        SlowProxy {
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }
}
