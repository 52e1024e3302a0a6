//! Prometheus metrics (`GET /metrics`), kept in the Prometheus project's
//! own client types.

use std::sync::Mutex;

use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerdictLabel {
    verdict: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PhaseLabel {
    phase: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: String,
}

/// The service's metrics.
pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<RouteStatus, Counter>,
    latency: Family<RouteLabel, Histogram>,
    verdicts: Family<VerdictLabel, Counter>,
    busy: Counter,
    in_flight: Gauge,
    uploads: Gauge,
    slow: Family<PhaseLabel, Counter>,
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("tamga");
        let requests = Family::<RouteStatus, Counter>::default();
        let latency = Family::<RouteLabel, Histogram>::new_with_constructor(|| {
            Histogram::new([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0])
        });
        let verdicts = Family::<VerdictLabel, Counter>::default();
        let busy = Counter::default();
        let in_flight = Gauge::default();
        let uploads = Gauge::default();
        let slow = Family::<PhaseLabel, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register(
            "verifications",
            "Files verified, by verdict",
            verdicts.clone(),
        );
        registry.register("busy_rejections", "Requests refused with 429", busy.clone());
        registry.register(
            "in_flight",
            "Verifications and labellings running",
            in_flight.clone(),
        );
        registry.register(
            "uploads_in_flight",
            "Request bodies being received",
            uploads.clone(),
        );
        registry.register(
            "slow_clients",
            "Connections cut off for sending headers (phase=headers) or a body (phase=body) too slowly",
            slow.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            requests,
            latency,
            verdicts,
            busy,
            in_flight,
            uploads,
            slow,
        }
    }

    /// One finished request.
    pub fn request(&self, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RouteStatus {
                route: route.to_string(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabel {
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// One file's verdict (`trusted`, `publish`, `error`, …).
    pub fn verdict(&self, verdict: &str) {
        self.verdicts
            .get_or_create(&VerdictLabel {
                verdict: verdict.to_string(),
            })
            .inc();
    }

    /// A request refused because every slot was taken.
    pub fn busy(&self) {
        self.busy.inc();
    }

    /// Work started (+1) or ended (-1).
    pub fn in_flight(&self, delta: i64) {
        self.in_flight.inc_by(delta);
    }

    /// A body started (+1) or ended (-1) being received.
    pub fn uploads(&self, delta: i64) {
        self.uploads.inc_by(delta);
    }

    /// A client cut off for sending too slowly, while sending `phase`
    /// (`headers` or `body`).
    pub fn slow_client(&self, phase: &'static str) {
        self.slow.get_or_create(&PhaseLabel { phase }).inc();
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &registry);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
