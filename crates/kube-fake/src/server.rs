//! The HTTPS server: a thread of its own running a current-thread tokio runtime.
//!
//! Tests and the demo are synchronous and may run their own runtimes for the kube client, so the
//! fake cannot borrow the caller's. Everything that can fail (binding, building the runtime,
//! registering the listener) happens in [`Server::start`], on the caller's thread, so failures come
//! back as `io::Error` instead of dying in the background. Dropping the [`Server`] stops the accept
//! loop and drops the runtime, which closes every open connection.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue, USER_AGENT, WARNING};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::ServerConfig;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

use crate::routes;
use crate::state::{Shared, lock};
use crate::status::Reply;

/// A running server; dropping it shuts the server down.
#[derive(Debug)]
pub(crate) struct Server {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `shared` over TLS on `listener` (already bound) from a new thread.
    pub(crate) fn start(
        listener: std::net::TcpListener,
        tls: Arc<ServerConfig>,
        shared: Shared,
    ) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build()?;
        let listener = {
            let _guard = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let acceptor = TlsAcceptor::from(tls);
        let (tx, rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name(format!("kube-fake-{}", addr.port())).spawn(
            move || {
                runtime.block_on(async move {
                    tokio::spawn(accept_loop(listener, acceptor, shared));
                    // Either a shutdown signal or the sender's drop ends the server.
                    let _ = rx.await;
                });
            },
        )?;
        Ok(Server { addr, shutdown: Some(tx), thread: Some(thread) })
    }

    /// The address the server listens on.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the server thread has already been reported there; nothing to add.
            let _ = thread.join();
        }
    }
}

async fn accept_loop(listener: TcpListener, acceptor: TlsAcceptor, shared: Shared) {
    loop {
        let tcp = match listener.accept().await {
            Ok((tcp, _)) => tcp,
            // Out of file descriptors and the like: back off rather than spin.
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        // Without this, Nagle's algorithm and delayed ACKs add ~40 ms to small responses.
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(tcp).await else {
                return;
            };
            let service = service_fn(move |req| handle(shared.clone(), req));
            let _ = http1::Builder::new()
                .header_read_timeout(None)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(
    shared: Shared,
    req: hyper::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    let incoming = routes::Incoming {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        content_type: parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        user_agent: parts.headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
        body,
        by_charm: true,
    };
    let (reply, delay) = routes::serve(&mut lock(&shared), &incoming);
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    Ok(response(&reply))
}

fn response(reply: &Reply) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(&reply.body).unwrap_or_default();
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = resp.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for w in &reply.warnings {
        if let Ok(v) = HeaderValue::from_str(&format!("299 - \"{w}\"")) {
            headers.append(WARNING, v);
        }
    }
    resp
}
