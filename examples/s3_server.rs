//! A local S3-compatible server for trying `annals deploy` and for `bench/deploy.py`: the tests'
//! s3s-fs server with signatures checked, storing objects below a folder.
//!
//! `cargo run --release --example s3_server -- STORE_DIR` prints `endpoint=http://127.0.0.1:PORT`
//! and the keys to use, then serves until killed. Each request is counted; the counts are printed
//! to stdout whenever a line is written to its stdin.

#[path = "../tests/s3_server/mod.rs"]
mod s3_server;

use std::io::BufRead;
use std::sync::atomic::Ordering;

fn main() {
    let Some(store) = std::env::args_os().nth(1) else {
        eprintln!("usage: s3_server STORE_DIR");
        std::process::exit(2);
    };
    let server = s3_server::S3Server::start(std::path::Path::new(&store));
    println!("endpoint={}", server.endpoint);
    println!("bucket={}", s3_server::BUCKET);
    println!("AWS_ACCESS_KEY_ID={}", s3_server::ACCESS_KEY);
    println!("AWS_SECRET_ACCESS_KEY={}", s3_server::SECRET_KEY);
    for line in std::io::stdin().lock().lines() {
        if line.is_err() {
            break;
        }
        let log = &server.log;
        println!(
            "list={} head={} put={} delete={}",
            log.lists.load(Ordering::Relaxed),
            log.heads.load(Ordering::Relaxed),
            log.puts.load(Ordering::Relaxed),
            log.deletes.load(Ordering::Relaxed)
        );
        log.reset();
    }
    // Stdin closed: keep serving until killed.
    loop {
        std::thread::park();
    }
}
