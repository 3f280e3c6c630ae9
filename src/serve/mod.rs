//! `serve`: a resident engine over HTTP, for a browser tab and for scripts.
//!
//! `api.rs` answers the JSON API with the same library calls and the same
//! JSON writer as the command line; `page.rs` is the embedded search page;
//! `connections.rs` accepts connections and bounds how long each may sit
//! idle and how long a shutdown waits; `guards.rs` keeps the server safe
//! where it runs (loopback by default, the `Host` and `Origin` checks
//! against DNS rebinding, limits on time and concurrency, security
//! headers); `reply.rs` shapes every answer and error. The server only
//! reads the index: no request indexes or reads a file.

mod api;
mod connections;
mod guards;
mod page;
mod reply;

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;

use crate::error::{Error, Result};
use crate::search::{LiveEngine, SearchOptions};
pub use guards::{Limits, MAX_N, MAX_QUERY_BYTES};

/// The default port.
pub const DEFAULT_PORT: u16 = 7878;

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to bind (loopback unless `allow_remote`).
    pub bind: IpAddr,
    /// Port (0 picks a free one).
    pub port: u16,
    /// Whether a non-loopback `bind` is allowed.
    pub allow_remote: bool,
    /// Host names, beyond `localhost` and IP addresses, that requests may
    /// name in their `Host` header.
    pub allowed_hosts: Vec<String>,
    /// Bounds on each request and on how many run at once.
    pub limits: Limits,
    /// Glossaries (the filters and limit come with each request).
    pub search: SearchOptions,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            allow_remote: false,
            allowed_hosts: Vec::new(),
            limits: Limits::default(),
            search: SearchOptions::default(),
        }
    }
}

/// A server bound to its address, ready to run.
pub struct Server {
    listener: tokio::net::TcpListener,
    app: Router,
    addr: SocketAddr,
    timeout: Duration,
}

impl Server {
    /// Binds the address of `opts` for `engine`. A non-loopback address is
    /// refused unless `opts.allow_remote`.
    pub async fn bind(engine: Arc<LiveEngine>, opts: &ServeOptions) -> Result<Self> {
        if !opts.bind.is_loopback() && !opts.allow_remote {
            return Err(Error::Usage(format!(
                "{} is not a loopback address: anyone who can reach it could read the index; \
                 add --allow-remote to serve it there anyway",
                opts.bind
            )));
        }
        let wanted = SocketAddr::new(opts.bind, opts.port);
        let listener = tokio::net::TcpListener::bind(wanted)
            .await
            .map_err(|source| Error::Listen {
                addr: wanted.to_string(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Listen {
            addr: wanted.to_string(),
            source,
        })?;
        let hosts = guards::AllowedHosts::new(addr, opts.allow_remote, &opts.allowed_hosts);
        let app = app(engine, opts.limits.clone(), hosts, opts.search.clone());
        Ok(Server {
            listener,
            app,
            addr,
            timeout: opts.limits.timeout,
        })
    }

    /// The address bound (with the port chosen, if 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` completes, then gives the requests under
    /// way up to [`SHUTDOWN_GRACE`] (or the request time limit, if shorter)
    /// to finish.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let grace = SHUTDOWN_GRACE.min(self.timeout);
        connections::serve(self.listener, self.app, shutdown, self.timeout, grace).await;
    }
}

/// The whole application: routes behind the guards.
fn app(
    engine: Arc<LiveEngine>,
    limits: Limits,
    hosts: guards::AllowedHosts,
    search: SearchOptions,
) -> Router {
    let state = api::State {
        engine,
        search,
        timeout: limits.timeout,
    };
    let routes = api::routes(state).merge(page::routes());
    guards::guard(routes, limits, hosts)
}

/// Longest a shutdown waits for the requests under way.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The request timeout used when none is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
