//! Prometheus metrics: requests by route and status, a latency histogram
//! per route, and the database pool.
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Mutex;

const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct RouteStats {
    /// Requests by (method, status).
    answered: BTreeMap<(&'static str, u16), u64>,
    latency: Histogram,
}

/// Counters per route. One short lock per request; no allocation once a
/// route and status have been seen.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<HashMap<String, RouteStats>>,
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The method as a static name, so counting needs no allocation.
pub fn method_name(m: &axum::http::Method) -> &'static str {
    match *m {
        axum::http::Method::GET => "GET",
        axum::http::Method::POST => "POST",
        axum::http::Method::PUT => "PUT",
        axum::http::Method::PATCH => "PATCH",
        axum::http::Method::DELETE => "DELETE",
        axum::http::Method::HEAD => "HEAD",
        axum::http::Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

impl Metrics {
    pub fn record(&self, method: &'static str, route: &str, status: u16, seconds: f64) {
        let Ok(mut routes) = self.routes.lock() else {
            return;
        };
        let stats = match routes.get_mut(route) {
            Some(s) => s,
            None => routes.entry(route.to_string()).or_default(),
        };
        *stats.answered.entry((method, status)).or_default() += 1;
        let h = &mut stats.latency;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    pub fn render(&self, pool: &app::model::PoolStats, backend: &str) -> String {
        let mut out = String::new();
        let Ok(routes) = self.routes.lock() else {
            return out;
        };
        let mut names: Vec<&String> = routes.keys().collect();
        names.sort();
        out.push_str(
            "# HELP statusdesk_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE statusdesk_http_requests_total counter\n");
        for name in &names {
            let route = escape(name);
            for ((method, status), n) in &routes[*name].answered {
                let _ = writeln!(
                    out,
                    "statusdesk_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str(
            "# HELP statusdesk_http_request_duration_seconds Time to answer a request, by route.\n",
        );
        out.push_str("# TYPE statusdesk_http_request_duration_seconds histogram\n");
        for name in &names {
            let route = escape(name);
            let h = &routes[*name].latency;
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "statusdesk_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "statusdesk_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "statusdesk_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "statusdesk_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        drop(routes);
        let _ = write!(
            out,
            "# HELP statusdesk_db_pool_connections Open database connections.\n\
             # TYPE statusdesk_db_pool_connections gauge\n\
             statusdesk_db_pool_connections{{backend=\"{backend}\"}} {}\n\
             # HELP statusdesk_db_pool_idle Idle database connections.\n\
             # TYPE statusdesk_db_pool_idle gauge\n\
             statusdesk_db_pool_idle{{backend=\"{backend}\"}} {}\n\
             # HELP statusdesk_db_pool_max Largest allowed number of database connections.\n\
             # TYPE statusdesk_db_pool_max gauge\n\
             statusdesk_db_pool_max{{backend=\"{backend}\"}} {}\n",
            pool.size, pool.idle, pool.max
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.record("GET", "/x", 200, 0.003);
        m.record("GET", "/x", 500, 0.3);
        let text = m.render(
            &app::model::PoolStats {
                size: 2,
                idle: 1,
                max: 8,
            },
            "sqlite",
        );
        assert!(text.contains(
            "statusdesk_http_requests_total{method=\"GET\",route=\"/x\",status=\"200\"} 1"
        ));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"0.5\"} 2"));
        assert!(text.contains("le=\"0.001\"} 0"));
        assert!(text.contains("statusdesk_db_pool_max{backend=\"sqlite\"} 8"));
    }
}
