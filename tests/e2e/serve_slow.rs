//! `tamga serve` against slow clients (issue 14, item 6) and the upload
//! folders killed servers leave behind (item 7): the real binary, with
//! clients that send a request a byte at a time from plain TCP streams.

use std::{
    io::{ErrorKind, Read, Write},
    net::TcpStream,
    path::PathBuf,
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use crate::{
    serve_http::{get, post, upload_folders, Server, TOKEN},
    util::{assert_ok, sample, text, Sandbox},
};

/// A request whose 100 KB body will come a byte at a time.
const BODY_HEAD: &[u8] = b"POST /v1/verify HTTP/1.1\r\nHost: slow\r\n\
    Content-Type: image/jpeg\r\nContent-Length: 102400\r\n\r\n";
/// A request whose head will never be finished.
const HEADER_HEAD: &[u8] = b"POST /v1/verify HTTP/1.1\r\nHost: slow\r\nX-Slow: ";

/// Connects, sends `head`, then one byte every `every`, until the server
/// closes the connection, `stop` is set or `limit` has passed. Returns how
/// long the connection lasted and what the server answered.
fn trickle(
    addr: &str,
    head: &[u8],
    every: Duration,
    stop: &AtomicBool,
    limit: Duration,
) -> (Duration, Vec<u8>) {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    // Short reads, so the answer is seen at once and the drip keeps time.
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let _ = s.write_all(head);
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let mut next = started + every;
    while !stop.load(Ordering::Relaxed) && started.elapsed() < limit {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
        if Instant::now() >= next {
            next += every;
            // A refused write means the server closed; the read says so next.
            let _ = s.write_all(b"a");
        }
    }
    (started.elapsed(), out)
}

/// The value of the metric line that starts with `series` (name and
/// labels), if the server shows it.
fn metric(addr: &str, series: &str) -> Option<f64> {
    let page = text(&get(addr, "/metrics").body);
    page.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// Waits until `series` reads `value`; whether it did within `limit`.
fn wait_for(addr: &str, series: &str, value: f64, limit: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if metric(addr, series) == Some(value) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn labelled_jpeg(sb: &Sandbox) -> Vec<u8> {
    let p = sb.path("labelled.jpg");
    assert_ok(&sb.label_plain(&sample("sample.jpg"), &p));
    std::fs::read(p).unwrap()
}

#[test]
fn slow_clients_do_not_keep_an_ordinary_verify_waiting() {
    // The default settings: 32 clients trickling bodies and 32 trickling
    // headers must leave room for an ordinary request, answered at once.
    let sb = Sandbox::new();
    let jpg = labelled_jpeg(&sb);
    let server = Server::start(&sb, "");
    let a = server.addr.as_str();
    let stop = AtomicBool::new(false);
    let every = Duration::from_millis(300);
    let limit = Duration::from_secs(60);
    let (all_uploading, answers) = std::thread::scope(|s| {
        for _ in 0..32 {
            s.spawn(|| trickle(a, BODY_HEAD, every, &stop, limit));
            s.spawn(|| trickle(a, HEADER_HEAD, every, &stop, limit));
        }
        // Every body trickler has been admitted and is being read.
        let all_uploading = wait_for(a, "tamga_uploads_in_flight", 32.0, Duration::from_secs(10));
        let answers: Vec<(u16, String, Duration)> = (0..3)
            .map(|_| {
                let sent = Instant::now();
                let r = post(a, "/v1/verify", "image/jpeg", &jpg, "");
                let took = sent.elapsed();
                let verdict = if r.status == 200 {
                    r.json()["files"][0]["verdict"].to_string()
                } else {
                    text(&r.body)
                };
                (r.status, verdict, took)
            })
            .collect();
        // Set before asserting: the scope waits for every trickler.
        stop.store(true, Ordering::Relaxed);
        (all_uploading, answers)
    });
    for (status, verdict, took) in &answers {
        assert_eq!(
            (*status, verdict.as_str()),
            (200, "\"trusted\""),
            "{answers:?}"
        );
        assert!(*took < Duration::from_secs(2), "{answers:?}");
    }
    assert!(all_uploading, "the 32 body tricklers were not all admitted");
}

#[test]
fn header_and_body_tricklers_are_cut_off_and_never_hold_a_work_slot() {
    let sb = Sandbox::new();
    let jpg = labelled_jpeg(&sb);
    // One work slot: a trickler holding it would make the verify a 429.
    let server = Server::start(
        &sb,
        "max_concurrent = 1\nheader_timeout_secs = 1\nbody_timeout_secs = 1\n\
         body_min_bytes_per_sec = 1000",
    );
    let a = server.addr.as_str();
    let stop = AtomicBool::new(false);
    let every = Duration::from_millis(100);
    let limit = Duration::from_secs(15);
    let (headers, body, verify) = std::thread::scope(|s| {
        let headers = s.spawn(|| trickle(a, HEADER_HEAD, every, &stop, limit));
        let body = s.spawn(|| trickle(a, BODY_HEAD, every, &stop, limit));
        std::thread::sleep(Duration::from_millis(300));
        let verify = post(a, "/v1/verify", "image/jpeg", &jpg, "").status;
        (headers.join().unwrap(), body.join().unwrap(), verify)
    });
    assert_eq!(verify, 200, "a trickler held the only work slot");
    // Cut off after about the configured second, not before, not much after.
    let (took, answer) = &headers;
    assert!(
        (Duration::from_millis(800)..Duration::from_secs(6)).contains(took),
        "header trickler: {took:?}"
    );
    assert!(answer.is_empty(), "{}", text(answer));
    let (took, answer) = &body;
    assert!(
        (Duration::from_millis(800)..Duration::from_secs(6)).contains(took),
        "body trickler: {took:?}"
    );
    // The 408 is sent; a client still writing may see the close first.
    let answer = text(answer);
    assert!(
        answer.is_empty()
            || (answer.starts_with("HTTP/1.1 408") && answer.contains("\"slow-upload\"")),
        "{answer}"
    );
    assert_eq!(
        metric(a, "tamga_slow_clients_total{phase=\"body\"}"),
        Some(1.0)
    );
    assert!(metric(a, "tamga_slow_clients_total{phase=\"headers\"}") >= Some(1.0));
    assert_eq!(metric(a, "tamga_uploads_in_flight"), Some(0.0));
    assert_eq!(
        post(a, "/v1/verify", "image/jpeg", &jpg, "").status,
        200,
        "slots were all given back"
    );
}

#[test]
fn a_killed_servers_upload_folder_goes_when_the_next_starts_a_live_ones_stays() {
    let sb = Sandbox::new();
    // A server killed (SIGKILL, on drop) leaves its folder.
    let killed = Server::start(&sb, "");
    let left: Vec<PathBuf> = upload_folders(&sb);
    assert_eq!(left.len(), 1, "{left:?}");
    std::fs::create_dir(left[0].join("req-left")).unwrap();
    std::fs::write(left[0].join("req-left/file-0.jpg"), b"half an upload").unwrap();
    drop(killed);
    assert!(left[0].exists());

    let live = Server::start(&sb, "");
    assert!(
        !left[0].exists(),
        "the killed server's folder is still there"
    );
    let mine = upload_folders(&sb);
    assert_eq!(mine.len(), 1, "{mine:?}");

    // Another server starting beside a live one leaves its folder alone.
    let _other = Server::start(&sb, "");
    assert_eq!(upload_folders(&sb).len(), 2);
    assert!(mine[0].exists());
    // And the live server still stores uploads there (labelling writes files).
    let png = std::fs::read(sample("sample.png")).unwrap();
    let auth = format!("\r\nAuthorization: Bearer {TOKEN}");
    let r = post(
        &live.addr,
        "/v1/label?ai=generated",
        "image/png",
        &png,
        &auth,
    );
    assert_eq!(r.status, 200, "{}", text(&r.body));
}
