//! Runs a script's steps on both servers at once and compares their answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::Request;
use http_body_util::BodyExt;
use serde_json::{Map, Value, json};

use super::script::{Script, Step};

/// Keys whose string values differ between any two servers and are compared as placeholders.
const VOLATILE: [(&str, &str); 18] = [
    ("uid", "<uid>"),
    ("resourceVersion", "<rv>"),
    ("creationTimestamp", "<time>"),
    ("deletionTimestamp", "<time>"),
    ("time", "<time>"),
    ("lastTransitionTime", "<time>"),
    ("lastUpdateTime", "<time>"),
    ("lastProbeTime", "<time>"),
    ("lastScaleTime", "<time>"),
    ("startTime", "<time>"),
    ("firstTimestamp", "<time>"),
    ("lastTimestamp", "<time>"),
    ("eventTime", "<time>"),
    ("renewTime", "<time>"),
    ("acquireTime", "<time>"),
    ("clusterIP", "<ip>"),
    ("continue", "<continue>"),
    ("ca.crt", "<ca>"),
];

/// A server the steps go to.
pub struct Server {
    pub label: &'static str,
    pub client: kube::Client,
    /// The kubeconfig the client was made from (steps with a `token` use its server and CA).
    kubeconfig: std::path::PathBuf,
    vars: HashMap<String, String>,
    /// Generated names (and pod-template hashes) seen in answers, with their placeholders.
    generated: Vec<(String, String)>,
    watches: HashMap<String, Arc<Mutex<Stream>>>,
}

#[derive(Default)]
struct Stream {
    events: Vec<Value>,
    ended: bool,
    error: Option<String>,
}

/// What a server answered to one step.
#[derive(Debug, Clone)]
pub struct Answer {
    pub code: u16,
    pub headers: http::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Server {
    pub fn new(label: &'static str, client: kube::Client, kubeconfig: &std::path::Path, ns: &str) -> Server {
        let mut vars = HashMap::new();
        vars.insert("ns".to_string(), ns.to_string());
        Server {
            label,
            client,
            kubeconfig: kubeconfig.to_path_buf(),
            vars,
            generated: Vec::new(),
            watches: HashMap::new(),
        }
    }

    pub fn fill(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (k, v) in &self.vars {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out
    }

    fn fill_value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.fill(s)),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.fill_value(v)).collect()),
            Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (self.fill(k), self.fill_value(v))).collect()),
            other => other.clone(),
        }
    }

    fn request(&self, step: &Step) -> Result<Request<kube::client::Body>, String> {
        let mut uri = self.fill(&step.path);
        if let Some(at) = uri.find('{')
            && let Some(len) = uri[at..].find('}')
            && uri[at + 1..at + len]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(format!(
                "not sent: {} was not saved by an earlier step",
                &uri[at..=at + len]
            ));
        }
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &step.query {
            let v = match v {
                Value::String(s) => self.fill(s),
                other => other.to_string(),
            };
            pairs.append_pair(k, &v);
        }
        let query = pairs.finish();
        if !query.is_empty() {
            uri = format!("{uri}?{query}");
        }
        let mut req = Request::builder().method(step.method.as_str()).uri(&uri);
        let mut content_type = false;
        for (k, v) in &step.headers {
            content_type |= k.eq_ignore_ascii_case("content-type");
            let v = match v {
                Value::String(s) => self.fill(s),
                other => other.to_string(),
            };
            req = req.header(k.as_str(), v);
        }
        let body: Vec<u8> = if let Some(b) = &step.body {
            if !content_type {
                req = req.header("Content-Type", "application/json");
            }
            serde_json::to_vec(&self.fill_value(b)).unwrap()
        } else if let Some(t) = &step.body_text {
            self.fill(t).into_bytes()
        } else if let Some(h) = &step.body_hex {
            let digits: String = h.chars().filter(|c| !c.is_whitespace()).collect();
            (0..digits.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).map_err(|e| format!("body_hex: {e}")))
                .collect::<Result<_, _>>()?
        } else {
            Vec::new()
        };
        req.body(kube::client::Body::from(body))
            .map_err(|e| format!("bad request {uri}: {e}"))
    }

    /// The client a step is sent with: the server's, or one with only the step's token.
    async fn client_for(&self, step: &Step) -> Result<kube::Client, String> {
        match &step.token {
            None => Ok(self.client.clone()),
            Some(token) => {
                let token = self.fill(token);
                if token.starts_with('{') {
                    return Err(format!("not sent: {token} was not saved by an earlier step"));
                }
                Ok(super::client_as(&self.kubeconfig, Some(&token)).await)
            }
        }
    }

    async fn send(&self, step: &Step) -> Result<Answer, String> {
        let req = self.request(step)?;
        let client = self.client_for(step).await?;
        let resp = tokio::time::timeout(Duration::from_secs(60), client.send(req))
            .await
            .map_err(|_| "no answer within 60 s".to_string())?
            .map_err(|e| format!("request failed: {e}"))?;
        let code = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = tokio::time::timeout(Duration::from_secs(60), resp.into_body().collect_bytes())
            .await
            .map_err(|_| "the body did not end within 60 s".to_string())?
            .map_err(|e| format!("reading the body: {e}"))?;
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = if content_type.contains("yaml") {
            serde_saphyr::from_str::<Value>(&text).unwrap_or(Value::Null)
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Ok(Answer {
            code,
            headers,
            body,
            text,
        })
    }

    async fn open_watch(&mut self, step: &Step, name: &str) -> Result<Answer, String> {
        let req = self.request(step)?;
        let client = self.client_for(step).await?;
        let resp = tokio::time::timeout(Duration::from_secs(60), client.send(req))
            .await
            .map_err(|_| "no answer within 60 s".to_string())?
            .map_err(|e| format!("request failed: {e}"))?;
        let code = resp.status().as_u16();
        let headers = resp.headers().clone();
        if code != 200 {
            let bytes = resp.into_body().collect_bytes().await.unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let body = serde_json::from_str(&text).unwrap_or(Value::Null);
            return Ok(Answer {
                code,
                headers,
                body,
                text,
            });
        }
        let stream = Arc::new(Mutex::new(Stream::default()));
        self.watches.insert(name.to_string(), stream.clone());
        let mut body = resp.into_body();
        tokio::spawn(async move {
            let mut buf: Vec<u8> = Vec::new();
            loop {
                match body.frame().await {
                    Some(Ok(frame)) => {
                        if let Ok(data) = frame.into_data() {
                            buf.extend_from_slice(&data);
                            while let Some(at) = buf.iter().position(|b| *b == b'\n') {
                                let line: Vec<u8> = buf.drain(..=at).collect();
                                if line.iter().all(|b| b.is_ascii_whitespace()) {
                                    continue;
                                }
                                let event = serde_json::from_slice(&line).unwrap_or_else(
                                    |_| json!({"type": "UNPARSED", "line": String::from_utf8_lossy(&line)}),
                                );
                                stream.lock().unwrap().events.push(event);
                            }
                        }
                    }
                    Some(Err(e)) => {
                        let mut s = stream.lock().unwrap();
                        s.error = Some(e.to_string());
                        s.ended = true;
                        return;
                    }
                    None => {
                        stream.lock().unwrap().ended = true;
                        return;
                    }
                }
            }
        });
        Ok(Answer {
            code,
            headers,
            body: Value::Null,
            text: String::new(),
        })
    }

    /// The events of a watch once `until` holds (or the deadline passed: then an error).
    async fn events(&self, step: &Step, name: &str) -> Result<Answer, String> {
        let stream = self
            .watches
            .get(name)
            .ok_or_else(|| format!("no watch {name:?} is open (its opening step failed?)"))?
            .clone();
        let deadline = Instant::now() + Duration::from_secs(step.within.unwrap_or(30));
        loop {
            let (events, ended, error) = {
                let s = stream.lock().unwrap();
                (s.events.clone(), s.ended, s.error.clone())
            };
            let compared: Vec<Value> = events.iter().filter(|e| !periodic_bookmark(e)).cloned().collect();
            let held = match &step.until {
                None => ended,
                Some(cond) => events_hold(cond, &compared, ended),
            };
            if held || (ended && step.until.is_some()) || Instant::now() > deadline {
                let answer = Answer {
                    code: 200,
                    headers: http::HeaderMap::new(),
                    body: Value::Array(compared),
                    text: String::new(),
                };
                if !held {
                    let why = if ended {
                        "the watch ended"
                    } else {
                        "the deadline passed"
                    };
                    return Err(format!(
                        "{why} before {}{}; events: {}",
                        Value::Object(step.until.clone().unwrap_or_default()),
                        error.map(|e| format!(" (stream error: {e})")).unwrap_or_default(),
                        json!(summary_events(&answer.body))
                    ));
                }
                return Ok(answer);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs one step: sends it (again, until its condition holds), saves what it says.
    pub async fn run(&mut self, step: &Step) -> Result<Answer, String> {
        let answer = if let Some(name) = &step.events {
            self.events(step, name).await?
        } else if let Some(name) = &step.watch {
            let answer = self.open_watch(step, name).await?;
            if step.until.is_some() && answer.code == 200 {
                self.events(step, name).await?
            } else {
                answer
            }
        } else if let Some(cond) = &step.until {
            let deadline = Instant::now() + Duration::from_secs(step.within.unwrap_or(30));
            loop {
                let answer = self.send(step).await?;
                self.learn(&answer.body);
                let view = self.normalise(&answer.body);
                let held = cond.iter().all(|(k, want)| {
                    if k == "code" {
                        Some(answer.code as u64) == want.as_u64()
                    } else {
                        select(&view, k) == *want
                    }
                });
                if held {
                    break answer;
                }
                if Instant::now() > deadline {
                    return Err(format!(
                        "{} did not hold within {} s; last answer: {}",
                        Value::Object(cond.clone()),
                        step.within.unwrap_or(30),
                        one_line(&answer)
                    ));
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        } else {
            self.send(step).await?
        };
        self.learn(&answer.body);
        for (var, pointer) in &step.save {
            let pointer = pointer.as_str().unwrap_or_default();
            let value = if let Some(header) = pointer.strip_prefix("header:") {
                answer
                    .headers
                    .get(header)
                    .and_then(|v| v.to_str().ok())
                    .map(|s| Value::String(s.into()))
                    .unwrap_or(Value::Null)
            } else {
                select(&answer.body, pointer)
            };
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            self.vars.insert(var.clone(), text);
        }
        Ok(answer)
    }

    /// Remembers generated names and pod-template hashes so they compare as placeholders.
    fn learn(&mut self, value: &Value) {
        match value {
            Value::Object(o) => {
                if let Some(meta) = o.get("metadata").and_then(Value::as_object) {
                    if let (Some(g), Some(n)) = (
                        meta.get("generateName").and_then(Value::as_str),
                        meta.get("name").and_then(Value::as_str),
                    ) && n.starts_with(g)
                        && n.len() > g.len()
                        && !self.generated.iter().any(|(k, _)| k == n)
                    {
                        self.generated.push((n.to_string(), format!("{g}<gen>")));
                    }
                    if let Some(h) = meta
                        .get("labels")
                        .and_then(|l| l.get("pod-template-hash"))
                        .and_then(Value::as_str)
                    {
                        let h = format!("-{h}");
                        if !self.generated.iter().any(|(k, _)| *k == h) {
                            self.generated.push((h, "-<hash>".into()));
                        }
                        self.generated.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
                    }
                }
                for v in o.values() {
                    self.learn(v);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| self.learn(v)),
            _ => {}
        }
        self.generated.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    }

    /// The answer with what differs between any two servers replaced by placeholders.
    pub fn normalise(&self, value: &Value) -> Value {
        match value {
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| {
                        let placeholder = VOLATILE.iter().find(|(key, _)| key == k).map(|(_, p)| *p);
                        let v = match (placeholder, v) {
                            (Some(p), Value::String(s)) if !s.is_empty() => Value::String(p.into()),
                            (_, _) if k == "clusterIPs" && v.is_array() => json!(["<ip>"]),
                            (_, Value::Number(_)) if k == "nodePort" => json!("<port>"),
                            // The real hash is of Go's printed template: it cannot be matched.
                            (_, Value::String(_)) if k == "pod-template-hash" => json!("<hash>"),
                            _ => self.normalise(v),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.normalise(v)).collect()),
            Value::String(s) => {
                let mut s = s.clone();
                for (name, placeholder) in &self.generated {
                    if s.contains(name.as_str()) {
                        s = s.replace(name.as_str(), placeholder);
                    }
                }
                Value::String(s)
            }
            other => other.clone(),
        }
    }

    /// What is compared of an answer: name → value, after normalising.
    pub fn facets(&self, step: &Step, answer: &Answer) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("code".into(), json!(answer.code));
        let body = self.normalise(&answer.body);
        if step.events.is_some() || (step.watch.is_some() && step.until.is_some() && answer.code == 200) {
            out.insert("events".into(), json!(summary_events(&body)));
        } else if body.is_object() {
            for p in ["/kind", "/apiVersion"] {
                out.insert(p.into(), select(&body, p));
            }
            if body["kind"] == "Status" && body["status"] == "Failure" {
                out.insert("reason".into(), body["reason"].clone());
                for k in ["name", "group", "kind"] {
                    out.insert(format!("details.{k}"), select(&body, &format!("/details/{k}")));
                }
                let mut causes: Vec<Value> = body["details"]["causes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| json!([c["field"], c["reason"]]))
                    .collect();
                causes.sort_by_key(canonical);
                out.insert("details.causes".into(), Value::Array(causes));
            }
        }
        for p in &step.compare {
            let v = if let Some(h) = p.strip_prefix("header:") {
                let mut values: Vec<String> = answer
                    .headers
                    .get_all(h)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .map(|v| {
                        if h.eq_ignore_ascii_case("content-type") {
                            v.split(';').next().unwrap_or("").trim().to_string()
                        } else {
                            v.to_string()
                        }
                    })
                    .collect();
                values.sort();
                json!(values)
            } else {
                select(&body, p)
            };
            out.insert(p.clone(), v);
        }
        out
    }
}

/// BOOKMARKs other than the end of the initial events come when the server likes.
fn periodic_bookmark(event: &Value) -> bool {
    event["type"] == "BOOKMARK" && event["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"] != "true"
}

fn events_hold(cond: &Map<String, Value>, events: &[Value], ended: bool) -> bool {
    if cond.get("ended").and_then(Value::as_bool) == Some(true) && !ended {
        return false;
    }
    if let Some(n) = cond.get("count").and_then(Value::as_u64)
        && (events.len() as u64) < n
    {
        return false;
    }
    let want_type = cond.get("type").and_then(Value::as_str);
    let want_name = cond.get("name").and_then(Value::as_str);
    if want_type.is_none() && want_name.is_none() {
        return true;
    }
    events.iter().any(|e| {
        want_type.is_none_or(|t| e["type"] == t) && want_name.is_none_or(|n| e["object"]["metadata"]["name"] == n)
    })
}

/// Each event as `[type, name]`; the initial-events-end bookmark as `[BOOKMARK, annotation]`;
/// an ERROR as `[ERROR, code, reason]`.
pub fn summary_events(events: &Value) -> Vec<Value> {
    events
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| match e["type"].as_str() {
            Some("BOOKMARK") => json!([
                "BOOKMARK",
                format!(
                    "k8s.io/initial-events-end={}",
                    e["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"]
                )
            ]),
            Some("ERROR") => json!(["ERROR", e["object"]["code"], e["object"]["reason"]]),
            _ => json!([e["type"], e["object"]["metadata"]["name"]]),
        })
        .collect()
}

/// A JSON pointer with `*`, `[key=value]` and a `#keys|#len|#exists|#sorted` suffix; what is
/// not there is `"<absent>"`.
pub fn select(value: &Value, pointer: &str) -> Value {
    let (path, modifier) = match pointer.rsplit_once('#') {
        Some((p, m)) => (p, Some(m)),
        None => (pointer, None),
    };
    let segments: Vec<String> = path
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let found = walk(value, &segments);
    match modifier {
        None => found.unwrap_or_else(|| json!("<absent>")),
        Some("exists") => json!(found.is_some()),
        Some("len") => match found {
            Some(Value::Array(a)) => json!(a.len()),
            Some(Value::Object(o)) => json!(o.len()),
            Some(Value::String(s)) => json!(s.len()),
            _ => json!("<absent>"),
        },
        Some("keys") => match found {
            Some(Value::Object(o)) => {
                let mut keys: Vec<&String> = o.keys().collect();
                keys.sort();
                json!(keys)
            }
            _ => json!("<absent>"),
        },
        Some("sorted") => match found {
            Some(Value::Array(mut a)) => {
                a.sort_by_key(canonical);
                Value::Array(a)
            }
            other => other.unwrap_or_else(|| json!("<absent>")),
        },
        Some(m) => json!(format!("<unknown modifier #{m}>")),
    }
}

/// A value as text with its objects' keys in order, to sort by.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .iter()
                .map(|k| format!("{k:?}:{}", canonical(&o[k.as_str()])))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

fn walk(value: &Value, segments: &[String]) -> Option<Value> {
    let Some((first, rest)) = segments.split_first() else {
        return Some(value.clone());
    };
    if first == "*" {
        let items = value.as_array()?;
        return Some(Value::Array(
            items
                .iter()
                .map(|v| walk(v, rest).unwrap_or_else(|| json!("<absent>")))
                .collect(),
        ));
    }
    if let Some(filter) = first.strip_prefix('[').and_then(|f| f.strip_suffix(']'))
        && let Some((k, want)) = filter.split_once('=')
    {
        let found = value.as_array()?.iter().find(|v| match &v[k] {
            Value::String(s) => s == want,
            Value::Number(n) => want.parse::<f64>().ok() == n.as_f64(),
            Value::Bool(b) => want.parse::<bool>().ok() == Some(*b),
            _ => false,
        })?;
        return walk(found, rest);
    }
    let next = match value {
        Value::Object(o) => o.get(first.as_str())?,
        Value::Array(a) => a.get(first.parse::<usize>().ok()?)?,
        _ => return None,
    };
    walk(next, rest)
}

/// An answer in one line: code, and a body cut to 400 characters.
pub fn one_line(answer: &Answer) -> String {
    let body = if answer.body.is_null() {
        answer.text.clone()
    } else {
        answer.body.to_string()
    };
    let body: String = body.replace('\n', "\\n");
    let cut: String = body.chars().take(400).collect();
    let more = if cut.len() < body.len() { "…" } else { "" };
    format!("{} {cut}{more}", answer.code)
}

/// Runs a whole script on both servers, step by step; returns the failures (one paragraph
/// each) and the deliberate differences seen.
pub async fn run_script(
    name: &str,
    script: &Script,
    real: &mut Server,
    engine: &mut Server,
) -> (Vec<String>, Vec<String>) {
    let mut failures = Vec::new();
    let mut differences = Vec::new();
    for (i, step) in script.steps.iter().enumerate() {
        let at = format!("{name}/{} {:?}", i + 1, step.name);
        if step.real_only {
            match real.run(step).await {
                Ok(a) if a.code == step.code => {}
                Ok(a) => failures.push(format!(
                    "{at}: SCRIPT ERROR: the real API server answers {} (the script says {}): {}",
                    a.code,
                    step.code,
                    one_line(&a)
                )),
                Err(e) => failures.push(format!("{at}: SCRIPT ERROR: on the real API server: {e}")),
            }
            continue;
        }
        let (r, e) = tokio::join!(real.run(step), engine.run(step));
        let r = match r {
            Ok(a) if a.code == step.code => a,
            Ok(a) => {
                failures.push(format!(
                    "{at}: SCRIPT ERROR: the real API server answers {} (the script says {}): {}",
                    a.code,
                    step.code,
                    one_line(&a)
                ));
                continue;
            }
            Err(err) => {
                failures.push(format!("{at}: SCRIPT ERROR: on the real API server: {err}"));
                continue;
            }
        };
        let e = match e {
            Ok(a) => a,
            Err(err) => {
                let text = format!(
                    "{at}:\n  real:   {}\n  engine: {err}",
                    if step.events.is_some() || step.watch.is_some() {
                        json!(summary_events(&real.normalise(&r.body))).to_string()
                    } else {
                        one_line(&r)
                    }
                );
                // A deliberate difference is in the compared fields, never a failed step.
                failures.push(text);
                continue;
            }
        };
        let rf = real.facets(step, &r);
        let ef = engine.facets(step, &e);
        let differing: Vec<String> = rf
            .iter()
            .filter(|(k, v)| ef.get(k.as_str()) != Some(v))
            .map(|(k, v)| {
                format!(
                    "{k}: real {v} / engine {}",
                    ef.get(k.as_str()).cloned().unwrap_or(Value::Null)
                )
            })
            .collect();
        if differing.is_empty() {
            continue;
        }
        let text = format!(
            "{at}: {}\n  real:   {}\n  engine: {}\n  differing: {}",
            step.method,
            one_line(&r),
            one_line(&e),
            differing.join("; ")
        );
        match &step.differs {
            Some(why) => differences.push(format!("{text}\n  differs on purpose: {why}")),
            None => failures.push(text),
        }
    }
    (failures, differences)
}
