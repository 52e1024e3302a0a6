//! The pace a request body must keep: `body_timeout` for any upload, plus
//! one second per `body_min_bytes_per_sec` bytes received (the rule of
//! Apache's mod_reqtimeout). A large upload on a slow but honest link
//! keeps earning time; a client trickling a byte now and then is cut off
//! after `body_timeout`, so it cannot hold an upload slot for long.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use axum::body::Body;
use futures_util::StreamExt;
use tokio::time::Instant;

use crate::config::ServerConfig;

/// The rule, from the moment the body started to be read.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    start: Instant,
    grace: Duration,
    min_rate: u64,
}

impl Pace {
    /// The configured rule, starting now.
    pub fn starting_now(config: &ServerConfig) -> Self {
        Self {
            start: Instant::now(),
            grace: config.body_timeout,
            min_rate: config.body_min_bytes_per_sec.max(1),
        }
    }

    /// When the body is too slow if no byte beyond `received` has come.
    fn deadline(&self, received: u64) -> Instant {
        let earned = Duration::from_millis(received.saturating_mul(1000) / self.min_rate);
        self.start + self.grace.saturating_add(earned)
    }
}

/// `body`, ending in an error once it falls behind `pace`; the flag is
/// set when that is why it ended, so the reader can answer 408 rather than
/// "malformed".
pub fn paced(body: Body, pace: Pace) -> (Body, Arc<AtomicBool>) {
    let tripped = Arc::new(AtomicBool::new(false));
    let flag = tripped.clone();
    let chunks =
        futures_util::stream::unfold(Some((body.into_data_stream(), 0u64)), move |state| {
            let flag = flag.clone();
            async move {
                let (mut stream, received) = state?;
                match tokio::time::timeout_at(pace.deadline(received), stream.next()).await {
                    Err(_) => {
                        flag.store(true, Ordering::Relaxed);
                        let late = std::io::Error::from(std::io::ErrorKind::TimedOut);
                        Some((Err(late), None))
                    }
                    Ok(None) => None,
                    Ok(Some(Ok(chunk))) => {
                        let received = received.saturating_add(chunk.len() as u64);
                        Some((Ok(chunk), Some((stream, received))))
                    }
                    Ok(Some(Err(e))) => Some((Err(std::io::Error::other(e)), None)),
                }
            }
        });
    (Body::from_stream(chunks), tripped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_received_earns_time_after_the_grace() {
        let pace = Pace {
            start: Instant::now(),
            grace: Duration::from_secs(20),
            min_rate: 500,
        };
        assert_eq!(pace.deadline(0) - pace.start, Duration::from_secs(20));
        assert_eq!(pace.deadline(500) - pace.start, Duration::from_secs(21));
        assert_eq!(
            pace.deadline(250) - pace.start,
            Duration::from_millis(20_500)
        );
        // 200 MB at the minimum rate: 400,020 s, no overflow.
        assert_eq!(
            pace.deadline(200 << 20) - pace.start,
            Duration::from_millis(20_000 + (200u64 << 20) * 1000 / 500)
        );
    }

    #[tokio::test]
    async fn a_trickle_ends_in_an_error_and_the_flag_a_steady_body_does_not() {
        let pace = || Pace {
            start: Instant::now(),
            grace: Duration::from_millis(300),
            min_rate: 1000,
        };
        // A byte every 200 ms earns 1 ms each: cut off after 300 ms, so
        // after one or two bytes however loaded the machine is.
        let trickle = futures_util::stream::unfold(0u8, |i| async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            Some((Ok::<_, std::io::Error>(vec![i]), i.wrapping_add(1)))
        });
        let (body, tripped) = paced(Body::from_stream(trickle), pace());
        let mut stream = body.into_data_stream();
        let mut bytes = 0;
        while let Some(Ok(chunk)) = stream.next().await {
            bytes += chunk.len();
        }
        assert!(bytes <= 2, "{bytes}");
        assert!(tripped.load(Ordering::Relaxed));

        let steady = (0..50).map(|_| Ok::<_, std::io::Error>(vec![0u8; 1000]));
        let (body, tripped) = paced(
            Body::from_stream(futures_util::stream::iter(steady)),
            pace(),
        );
        let got = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        assert_eq!(got.len(), 50_000);
        assert!(!tripped.load(Ordering::Relaxed));
    }
}
