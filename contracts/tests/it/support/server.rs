//! A tiny hyper server implementing `tests/fixtures/widgets.yaml`, correctly or with chosen
//! bugs, on a port picked by the OS so tests run in parallel.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{ALLOW, CONTENT_TYPE, LOCATION};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub const TOKEN: &str = "test-token";
pub const API_KEY: &str = "test-key";

/// Request bodies above this are refused; the runner never sends one this big.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Deviations from the document, each one a violation the runner must report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bugs {
    /// `getWidget` answers 202, which it does not document.
    pub get_widget_answers_202: bool,
    /// `listWidgets` gives `size` as a string.
    pub list_gives_size_as_string: bool,
    /// `PUT /api/widgets` answers 405 without `Allow`.
    pub put_widgets_405_without_allow: bool,
    /// `createWidget` accepts a body without `size` (and stores the widget).
    pub create_accepts_missing_size: bool,
    /// `deleteWidget` answers 204 but keeps the widget.
    pub delete_keeps_widget: bool,
}

struct Widget {
    name: String,
    size: i64,
    color: Option<String>,
}

struct State {
    bugs: Bugs,
    /// `createWidget` answers 409 for a name that a widget already has (not in the fixture
    /// document, which documents no 409: tests that use it add one).
    unique_names: bool,
    widgets: Mutex<BTreeMap<String, Widget>>,
    next_id: Mutex<u64>,
    /// Stamps every answer, so `served_at` and `uptime_s` differ on every request (the
    /// document marks them `x-volatile`).
    n_requests: Mutex<u64>,
}

/// A running server; stopped when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn start(bugs: Bugs) -> TestServer {
        TestServer::start_with(bugs, false)
    }

    /// A server whose `createWidget` refuses a name that exists with 409.
    pub fn start_with_unique_names(bugs: Bugs) -> TestServer {
        TestServer::start_with(bugs, true)
    }

    fn start_with(bugs: Bugs, unique_names: bool) -> TestServer {
        let mut widgets = BTreeMap::new();
        widgets.insert(
            "w1".to_owned(),
            Widget { name: "sprocket".into(), size: 2, color: Some("red".into()) },
        );
        let state = Arc::new(State {
            bugs,
            unique_names,
            widgets: Mutex::new(widgets),
            next_id: Mutex::new(2),
            n_requests: Mutex::new(0),
        });
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, mut shutdown_rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                loop {
                    tokio::select! {
                        _ = &mut shutdown_rx => break,
                        accepted = listener.accept() => {
                            let Ok((stream, _)) = accepted else { continue };
                            let state = state.clone();
                            tokio::spawn(async move {
                                let service = service_fn(move |request| handle(state.clone(), request));
                                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                            });
                        }
                    }
                }
            });
        });
        let addr = addr_rx.recv().unwrap();
        TestServer { addr, shutdown: Some(shutdown_tx), thread: Some(thread) }
    }

    pub fn url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}", self.addr)).unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type Answer = Response<Full<Bytes>>;

fn json_answer(status: StatusCode, body: &Value) -> Answer {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, "application/json; charset=utf-8".parse().unwrap());
    response
}

fn error(status: StatusCode, message: &str) -> Answer {
    json_answer(status, &json!({ "error": message }))
}

fn method_not_allowed(allow: Option<&str>) -> Answer {
    let mut response = error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    if let Some(allow) = allow {
        response.headers_mut().insert(ALLOW, allow.parse().unwrap());
    }
    response
}

fn widget_json(id: &str, widget: &Widget, stamp: u64, size_as_string: bool) -> Value {
    let size = if size_as_string { json!(widget.size.to_string()) } else { json!(widget.size) };
    json!({ "id": id, "name": widget.name, "size": size, "color": widget.color, "served_at": format!("t{stamp}") })
}

fn authorised(request: &Request<Incoming>) -> bool {
    let bearer = request.headers().get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"));
    let key = request.uri().query().is_some_and(|q| {
        url::form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == "api_key" && v == API_KEY)
    });
    bearer || key
}

async fn handle(state: Arc<State>, request: Request<Incoming>) -> Result<Answer, Infallible> {
    let stamp = {
        let mut n = state.n_requests.lock().unwrap();
        *n += 1;
        *n
    };
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let bugs = state.bugs;
    let Some(route) = path.strip_prefix("/api") else {
        return Ok(error(StatusCode::NOT_FOUND, "no such path"));
    };
    let segments: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    let answer = match segments.as_slice() {
        ["status"] => {
            if method != Method::GET {
                return Ok(method_not_allowed(Some("GET")));
            }
            let body = json!({ "state": "up", "uptime_s": stamp });
            let callback = request.uri().query().and_then(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == "cb")
                    .map(|(_, v)| v.into_owned())
            });
            match callback {
                Some(callback) => {
                    let mut response =
                        Response::new(Full::new(Bytes::from(format!("{callback}({body});"))));
                    response
                        .headers_mut()
                        .insert(CONTENT_TYPE, "application/javascript".parse().unwrap());
                    response
                }
                None => json_answer(StatusCode::OK, &body),
            }
        }
        ["widgets"] => {
            if method == Method::PUT && bugs.put_widgets_405_without_allow {
                return Ok(method_not_allowed(None));
            }
            if method != Method::GET && method != Method::POST {
                return Ok(method_not_allowed(Some("GET, POST")));
            }
            if !authorised(&request) {
                return Ok(error(StatusCode::UNAUTHORIZED, "missing or wrong credentials"));
            }
            if method == Method::GET {
                let widgets = state.widgets.lock().unwrap();
                let list: Vec<Value> = widgets
                    .iter()
                    .map(|(id, w)| widget_json(id, w, stamp, bugs.list_gives_size_as_string))
                    .collect();
                json_answer(StatusCode::OK, &Value::Array(list))
            } else {
                create(&state, request, stamp).await
            }
        }
        ["widgets", id] => {
            let id = (*id).to_owned();
            if method != Method::GET && method != Method::DELETE {
                return Ok(method_not_allowed(Some("GET, DELETE")));
            }
            if !authorised(&request) {
                return Ok(error(StatusCode::UNAUTHORIZED, "missing or wrong credentials"));
            }
            let mut widgets = state.widgets.lock().unwrap();
            match (method, widgets.get(&id)) {
                (_, None) => error(StatusCode::NOT_FOUND, "no such widget"),
                (Method::GET, Some(widget)) => {
                    let status = if bugs.get_widget_answers_202 {
                        StatusCode::ACCEPTED
                    } else {
                        StatusCode::OK
                    };
                    json_answer(status, &widget_json(&id, widget, stamp, false))
                }
                (_, Some(_)) => {
                    if !bugs.delete_keeps_widget {
                        widgets.remove(&id);
                    }
                    let mut response = Response::new(Full::new(Bytes::new()));
                    *response.status_mut() = StatusCode::NO_CONTENT;
                    response
                }
            }
        }
        _ => error(StatusCode::NOT_FOUND, "no such path"),
    };
    Ok(answer)
}

async fn create(state: &State, request: Request<Incoming>, stamp: u64) -> Answer {
    let body = match Limited::new(request.into_body(), MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return error(StatusCode::BAD_REQUEST, "unreadable body"),
    };
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "the body must be a JSON object");
    };
    let name = match fields.get("name") {
        Some(Value::String(name)) if !name.is_empty() => name.clone(),
        _ => return error(StatusCode::BAD_REQUEST, "name must be a non-empty string"),
    };
    let size = match fields.get("size") {
        Some(size) => match size.as_i64() {
            Some(size) if size >= 1 => size,
            _ => return error(StatusCode::BAD_REQUEST, "size must be an integer of at least 1"),
        },
        None if state.bugs.create_accepts_missing_size => 1,
        None => return error(StatusCode::BAD_REQUEST, "size is required"),
    };
    let color = match fields.get("color") {
        None | Some(Value::Null) => None,
        Some(Value::String(color)) => Some(color.clone()),
        Some(_) => return error(StatusCode::BAD_REQUEST, "color must be a string or null"),
    };
    if state.unique_names && state.widgets.lock().unwrap().values().any(|w| w.name == name) {
        return error(StatusCode::CONFLICT, "a widget of that name exists");
    }
    let id = {
        let mut next = state.next_id.lock().unwrap();
        let id = format!("w{next}");
        *next += 1;
        id
    };
    let widget = Widget { name, size, color };
    let body = widget_json(&id, &widget, stamp, false);
    state.widgets.lock().unwrap().insert(id.clone(), widget);
    let mut response = json_answer(StatusCode::CREATED, &body);
    response.headers_mut().insert(LOCATION, format!("/api/widgets/{id}").parse().unwrap());
    response
}
