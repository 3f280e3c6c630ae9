//! What keeps the server safe where it runs: only requests naming this
//! server in `Host` (a web page on another site cannot reach it through a
//! DNS name pointed at 127.0.0.1) and from its own origin; a bounded time
//! per request and a bounded number at once (past it, an immediate 503);
//! bounded parameters; and headers that forbid framing, sniffing and any
//! content from elsewhere.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Router};
use tower::ServiceBuilder;

use super::reply::Failure;

/// Most passages one request asks for (`n`).
pub const MAX_N: usize = 100;
/// Longest query, in bytes (`q`).
pub const MAX_QUERY_BYTES: usize = 1000;
/// Longest glossary term, in bytes (`term`).
pub const MAX_TERM_BYTES: usize = 200;
/// Most passages of context on each side (`context`).
pub const MAX_CONTEXT_PARAM: usize = crate::search::MAX_CONTEXT;

/// The Content-Security-Policy of every answer but the page (which allows
/// its own inline script and style, see `page.rs`): nothing at all.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Bounds on requests.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Time one request may take before it is answered 503.
    pub timeout: Duration,
    /// Requests handled at once; more are answered 503 at once.
    pub max_concurrent: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: super::DEFAULT_TIMEOUT,
            max_concurrent: 16,
        }
    }
}

/// The names a request may give in its `Host` header.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    port: u16,
    bound: IpAddr,
    any_address: bool,
    names: Vec<String>,
}

impl AllowedHosts {
    /// For a server bound to `addr`: `localhost`, loopback addresses and the
    /// bound address, any IP address when serving remotely, and `names`; on
    /// the bound port.
    pub fn new(addr: SocketAddr, remote: bool, names: &[String]) -> Self {
        AllowedHosts {
            port: addr.port(),
            bound: addr.ip(),
            any_address: remote,
            names: names.iter().map(|n| n.to_ascii_lowercase()).collect(),
        }
    }

    /// Does a `Host` header value name this server? A DNS name other than
    /// `localhost` and those allowed is refused: that is how a rebinding
    /// page on another site would arrive.
    pub fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host) else {
            return false;
        };
        if port.unwrap_or(80) != self.port {
            return false;
        }
        let name = name.to_ascii_lowercase();
        if name == "localhost" || self.names.contains(&name) {
            return true;
        }
        match name.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.bound || self.any_address,
            Err(_) => false,
        }
    }
}

/// `name` and port of a `Host` value (`[::1]:7878`, `localhost`).
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    let (name, rest) = if let Some(v6) = host.strip_prefix('[') {
        let (name, rest) = v6.split_once(']')?;
        (name, rest)
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, host.get(name.len()..).unwrap_or(port)),
            None => (host, ""),
        }
    };
    if name.is_empty() || (name.contains(':') && !host.starts_with('[')) {
        return None;
    }
    let port = match rest {
        "" => None,
        p => Some(p.strip_prefix(':')?.parse().ok()?),
    };
    Some((name, port))
}

/// Is the request from a page of this server (or from no page at all, as
/// a script's is)? An `Origin` must be this server's; a fetch a browser
/// marks cross-site is refused unless it is the user following a link.
fn same_origin(headers: &HeaderMap, host: &str) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let expected = format!("http://{host}");
        return origin
            .to_str()
            .is_ok_and(|o| o.eq_ignore_ascii_case(&expected));
    }
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let mode = headers.get("sec-fetch-mode").and_then(|v| v.to_str().ok());
    !(site == Some("cross-site") && mode != Some("navigate"))
}

async fn check_origin(
    State(hosts): State<Arc<AllowedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    let Some(host) = host.filter(|h| hosts.allows(h)) else {
        return Failure::new(
            StatusCode::MISDIRECTED_REQUEST,
            "this server answers only requests addressed to it (Host header)",
            format!(
                "open http://localhost:{}/ or http://127.0.0.1:{}/",
                hosts.port, hosts.port
            ),
        )
        .into_response();
    };
    if !same_origin(request.headers(), &host) {
        return Failure::new(
            StatusCode::FORBIDDEN,
            "cross-origin requests are refused",
            "use the page this server serves at /, or call the API from a script",
        )
        .into_response();
    }
    next.run(request).await
}

/// Headers every answer carries.
async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(API_POLICY));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// A request the limits stopped: out of time, or too many at once.
async fn overloaded(e: BoxError) -> Response {
    if e.is::<tower::timeout::error::Elapsed>() {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the request took too long",
            "narrow the query (fewer words or prefixes), or start the server with a longer --timeout",
        )
        .into_response()
    } else if e.is::<tower::load_shed::error::Overloaded>() {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is busy",
            "try again in a moment",
        )
        .into_response()
    } else {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the request failed: {e}"),
            "try again",
        )
        .into_response()
    }
}

/// `routes` behind every guard.
pub fn guard(routes: Router, limits: Limits, hosts: AllowedHosts) -> Router {
    let limited = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(overloaded))
        .load_shed()
        .concurrency_limit(limits.max_concurrent.max(1))
        .timeout(limits.timeout)
        .service(routes);
    Router::new()
        .fallback_service(limited)
        .layer(middleware::from_fn_with_state(
            Arc::new(hosts),
            check_origin,
        ))
        .layer(middleware::map_response(security_headers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tokio::sync::Notify;
    use tower::ServiceExt;

    fn hosts() -> AllowedHosts {
        AllowedHosts::new("127.0.0.1:7878".parse().unwrap(), false, &[])
    }

    #[test]
    fn host_names_this_server_or_nothing() {
        let h = hosts();
        for ok in [
            "localhost:7878",
            "LOCALHOST:7878",
            "127.0.0.1:7878",
            "[::1]:7878",
            "127.0.0.2:7878",
        ] {
            assert!(h.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example:7878",
            "localhost:80",
            "localhost",
            "127.0.0.1:7879",
            "192.168.1.5:7878",
            "localhost.evil.example:7878",
            "::1:7878",
            "",
            ":7878",
            "[::1",
            "localhost:x",
        ] {
            assert!(!h.allows(bad), "{bad}");
        }
        let remote = AllowedHosts::new("0.0.0.0:80".parse().unwrap(), true, &["box.lan".into()]);
        assert!(remote.allows("192.168.1.5"));
        assert!(remote.allows("box.lan"));
        assert!(!remote.allows("evil.example"));
    }

    fn request(uri: &str, headers: &[(&str, &str)]) -> Request {
        let mut r = Request::builder().uri(uri);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn a_request_past_its_time_is_answered_503() {
        let routes = Router::new().route(
            "/slow",
            get(|| async { std::future::pending::<&str>().await }),
        );
        let limits = Limits {
            timeout: Duration::from_millis(50),
            max_concurrent: 4,
        };
        let app = guard(routes, limits, hosts());
        let r = app
            .oneshot(request("/slow", &[("host", "localhost:7878")]))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[tokio::test]
    async fn requests_past_the_concurrency_limit_are_answered_503_at_once() {
        let started = Arc::new(Notify::new());
        let release = Arc::new(Notify::new());
        let (s, r) = (started.clone(), release.clone());
        let routes = Router::new().route(
            "/hold",
            get(move || {
                let (s, r) = (s.clone(), r.clone());
                async move {
                    s.notify_one();
                    r.notified().await;
                    "done"
                }
            }),
        );
        let limits = Limits {
            timeout: Duration::from_secs(600),
            max_concurrent: 1,
        };
        let app = guard(routes, limits, hosts());
        let first = tokio::spawn(
            app.clone()
                .oneshot(request("/hold", &[("host", "localhost:7878")])),
        );
        started.notified().await;
        let second = app
            .clone()
            .oneshot(request("/hold", &[("host", "localhost:7878")]))
            .await
            .unwrap();
        assert_eq!(second.status(), StatusCode::SERVICE_UNAVAILABLE);
        release.notify_one();
        assert_eq!(first.await.unwrap().unwrap().status(), StatusCode::OK);
        // The slot is free again.
        let routes = Router::new().route("/", get(|| async { "ok" }));
        let app = guard(routes, Limits::default(), hosts());
        let third = app
            .oneshot(request("/", &[("host", "localhost:7878")]))
            .await
            .unwrap();
        assert_eq!(third.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn other_hosts_and_origins_are_refused() {
        let app = guard(
            Router::new().route("/", get(|| async { "ok" })),
            Limits::default(),
            hosts(),
        );
        let status = |headers: &'static [(&'static str, &'static str)]| {
            let app = app.clone();
            async move { app.oneshot(request("/", headers)).await.unwrap().status() }
        };
        assert_eq!(status(&[("host", "localhost:7878")]).await, StatusCode::OK);
        assert_eq!(
            status(&[("host", "rebind.example:7878")]).await,
            StatusCode::MISDIRECTED_REQUEST
        );
        assert_eq!(status(&[]).await, StatusCode::MISDIRECTED_REQUEST);
        assert_eq!(
            status(&[
                ("host", "localhost:7878"),
                ("origin", "http://localhost:7878")
            ])
            .await,
            StatusCode::OK
        );
        assert_eq!(
            status(&[
                ("host", "localhost:7878"),
                ("origin", "http://evil.example")
            ])
            .await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            status(&[("host", "localhost:7878"), ("origin", "null")]).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            status(&[
                ("host", "localhost:7878"),
                ("sec-fetch-site", "cross-site"),
                ("sec-fetch-mode", "no-cors")
            ])
            .await,
            StatusCode::FORBIDDEN
        );
    }
}
