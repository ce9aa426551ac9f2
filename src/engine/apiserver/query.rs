//! Query parameters checked as the real API server checks them, before anything is read or
//! written: `dryRun`, `fieldManager`, `force`, `propagationPolicy`, `orphanDependents`,
//! `limit`, `timeoutSeconds`, `gracePeriodSeconds`, `resourceVersion` and
//! `resourceVersionMatch`, with the real server's codes and messages (`CreateOptions.meta.k8s.io
//! "" is invalid: dryRun: Unsupported value: ["Bogus"]: supported values: "All"`).

use http::Method;
use serde_json::{Value, json};

use super::{ApiError, Query, ResourceRequest};
use crate::engine::objects::Propagation;

/// Checks what the real server checks of a request's query before serving it (a delete's
/// options are checked with its body, by [`delete_options`]).
pub fn check(req: &ResourceRequest) -> Result<(), ApiError> {
    let sub = req.subresource.as_deref();
    if sub.is_none_or(|s| s == "status") {
        super::accept::negotiate(&req.accept)?;
    }
    let q = &req.query;
    let named = req.name.is_some();
    match req.method {
        Method::GET if q.flag("watch") => Ok(()),
        Method::GET if !named => check_list(q).map(drop),
        Method::GET if sub.is_none_or(|s| s == "status") => check_get(q).map(drop),
        Method::POST => check_write(q, "CreateOptions", false),
        Method::PUT => check_write(q, "UpdateOptions", false),
        Method::PATCH => {
            let apply = req.content_type.starts_with("application/apply-patch");
            check_write(q, "PatchOptions", apply)
        }
        Method::DELETE if !named => check_list(q).map(drop),
        _ => Ok(()),
    }
}

/// The longest field manager name the real server accepts, in bytes.
const FIELD_MANAGER_MAX: usize = 128;

/// One field error of an options object, as `field.Error` words it.
pub(super) struct FieldError {
    reason: &'static str,
    field: &'static str,
    detail: String,
}

pub(super) fn unsupported(field: &'static str, value: String, supported: &[&str]) -> FieldError {
    let supported: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
    FieldError {
        reason: "FieldValueNotSupported",
        field,
        detail: format!("Unsupported value: {value}: supported values: {}", supported.join(", ")),
    }
}

pub(super) fn forbidden(field: &'static str, why: &str) -> FieldError {
    FieldError {
        reason: "FieldValueForbidden",
        field,
        detail: format!("Forbidden: {why}"),
    }
}

fn invalid_value(field: &'static str, value: &str, why: &str) -> FieldError {
    FieldError {
        reason: "FieldValueInvalid",
        field,
        detail: format!("Invalid value: {}: {why}", go_quote(value)),
    }
}

/// `<Kind>.meta.k8s.io "" is invalid: …` with one cause per error, as the real server answers.
pub(super) fn options_invalid(kind: &str, errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        return Ok(());
    }
    let each: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.detail)).collect();
    let text = if each.len() == 1 {
        each[0].clone()
    } else {
        format!("[{}]", each.join(", "))
    };
    let causes: Vec<Value> = errors
        .iter()
        .map(|e| json!({"reason": e.reason, "message": e.detail, "field": e.field}))
        .collect();
    Err(
        ApiError::new(422, "Invalid", format!("{kind}.meta.k8s.io \"\" is invalid: {text}"))
            .with_details(json!({"group": "meta.k8s.io", "kind": kind, "causes": causes})),
    )
}

/// A string quoted as Go's `%q` does.
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x80 && c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if !is_print(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint`, near enough: no control characters, and no space but U+0020.
fn is_print(c: char) -> bool {
    !c.is_control() && (c == ' ' || !c.is_whitespace())
}

/// A whole number parameter, or the real server's 400 (`strconv.ParseInt: parsing "x": invalid syntax`).
pub(super) fn int_param(query: &Query, name: &str) -> Result<Option<i64>, ApiError> {
    let Some(raw) = query.get(name) else {
        return Ok(None);
    };
    raw.parse::<i64>().map(Some).map_err(|e| {
        let why = match e.kind() {
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => "value out of range",
            _ => "invalid syntax",
        };
        ApiError::bad_request(format!("strconv.ParseInt: parsing {}: {why}", go_quote(raw)))
    })
}

fn dry_run_errors(values: &[&str]) -> Vec<FieldError> {
    if values.iter().all(|v| *v == "All") {
        return Vec::new();
    }
    let list: Vec<String> = values.iter().map(|v| go_quote(v)).collect();
    vec![unsupported("dryRun", format!("[{}]", list.join(",")), &["All"])]
}

fn field_manager_errors(manager: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if manager.len() > FIELD_MANAGER_MAX {
        errors.push(FieldError {
            reason: "FieldValueTooLong",
            field: "fieldManager",
            detail: format!("Too long: may not be more than {FIELD_MANAGER_MAX} bytes"),
        });
    }
    for (i, c) in manager.char_indices() {
        if !is_print(c) {
            errors.push(invalid_value(
                "fieldManager",
                manager,
                &format!("invalid character U+{:04X} (at position {i})", c as u32),
            ));
        }
    }
    errors
}

/// Checks the options of a create (POST), update (PUT) or patch (PATCH; `apply` for
/// server-side apply).
pub fn check_write(query: &Query, kind: &str, apply: bool) -> Result<(), ApiError> {
    let manager = query.get("fieldManager").unwrap_or_default();
    let mut errors = Vec::new();
    if kind == "PatchOptions" {
        if !apply && query.get("force").is_some() {
            errors.push(forbidden("force", "may not be specified for non-apply patch"));
        }
        if apply && manager.is_empty() {
            errors.push(FieldError {
                reason: "FieldValueRequired",
                field: "fieldManager",
                detail: "Required value: is required for apply patch".into(),
            });
        }
    }
    errors.extend(field_manager_errors(manager));
    errors.extend(dry_run_errors(&query.all("dryRun")));
    options_invalid(kind, errors)
}

/// The options of a delete: from its body when it has one, else from the query, as on the
/// real server.
pub struct DeleteOptions {
    pub dry_run: bool,
    pub preconditions: Value,
    /// The propagation asked for (`propagationPolicy`, or the older `orphanDependents`);
    /// `None` leaves it to the object's finalizers.
    pub propagation: Option<Propagation>,
}

pub fn delete_options(query: &Query, body: Option<&Value>) -> Result<DeleteOptions, ApiError> {
    let (dry, propagation, orphan) = match body {
        Some(b) => {
            let dry: Vec<String> = b["dryRun"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect();
            (
                dry,
                b["propagationPolicy"].as_str().map(str::to_string),
                b["orphanDependents"].as_bool(),
            )
        }
        None => {
            int_param(query, "gracePeriodSeconds")?;
            let orphan = match query.get("orphanDependents") {
                None => None,
                Some(v) => Some(parse_bool(v)?),
            };
            (
                query.all("dryRun").into_iter().map(str::to_string).collect(),
                query.get("propagationPolicy").map(str::to_string),
                orphan,
            )
        }
    };
    let mut errors = Vec::new();
    if let (Some(_), Some(p)) = (orphan, &propagation) {
        errors.push(invalid_value(
            "propagationPolicy",
            p,
            "orphanDependents and deletionPropagation cannot be both set",
        ));
    }
    if let Some(p) = &propagation
        && !["Foreground", "Background", "Orphan"].contains(&p.as_str())
    {
        errors.push(unsupported(
            "propagationPolicy",
            go_quote(p),
            &["Foreground", "Background", "Orphan", "nil"],
        ));
    }
    let dry_refs: Vec<&str> = dry.iter().map(String::as_str).collect();
    errors.extend(dry_run_errors(&dry_refs));
    options_invalid("DeleteOptions", errors)?;
    let propagation = match (propagation.as_deref(), orphan) {
        (Some("Orphan"), _) | (None, Some(true)) => Some(Propagation::Orphan),
        (Some("Foreground"), _) => Some(Propagation::Foreground),
        (Some(_), _) | (None, Some(false)) => Some(Propagation::Background),
        (None, None) => None,
    };
    Ok(DeleteOptions {
        dry_run: !dry.is_empty(),
        preconditions: body.map(|b| b["preconditions"].clone()).unwrap_or(Value::Null),
        propagation,
    })
}

/// A boolean as Go's `strconv.ParseBool` reads it.
pub(super) fn go_bool(raw: &str) -> Option<bool> {
    match raw {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

fn parse_bool(raw: &str) -> Result<bool, ApiError> {
    go_bool(raw)
        .ok_or_else(|| ApiError::bad_request(format!("strconv.ParseBool: parsing {}: invalid syntax", go_quote(raw))))
}

/// What a list asks for by `resourceVersion` and `resourceVersionMatch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListVersion {
    /// The newest data (no resourceVersion).
    Latest,
    /// Any version (`resourceVersion=0`): the real server answers from its cache, whole,
    /// whatever the limit.
    Any,
    /// Data at least as new as this version: newer than the store's is the real 504.
    NotOlderThan(u64),
    /// The store exactly as it was at this version.
    Exact(u64),
}

/// Parses a resourceVersion parameter, with the real server's 400 for one that is not a number.
fn parse_rv(raw: &str) -> Result<u64, ApiError> {
    raw.parse::<u64>().map_err(|_| {
        ApiError::bad_request(format!(
            "invalid resource version: resourceVersion: Invalid value: {}: strconv.ParseUint: parsing {}: invalid syntax",
            go_quote(raw),
            go_quote(raw)
        ))
    })
}

/// Checks a list's (or delete collection's) options and says which version of the store it reads.
pub fn check_list(query: &Query) -> Result<ListVersion, ApiError> {
    let rv = query.get("resourceVersion").unwrap_or_default();
    let continued = query.get("continue").is_some_and(|c| !c.is_empty());
    let mut errors = Vec::new();
    if let Some(m) = query.get("resourceVersionMatch").filter(|m| !m.is_empty()) {
        if rv.is_empty() {
            errors.push(forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden unless resourceVersion is provided",
            ));
        }
        if continued {
            errors.push(forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden when continue is provided",
            ));
        }
        if m != "Exact" && m != "NotOlderThan" {
            errors.push(unsupported(
                "resourceVersionMatch",
                go_quote(m),
                &["Exact", "NotOlderThan", ""],
            ));
        }
        if m == "Exact" && rv == "0" {
            errors.push(forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
            ));
        }
    }
    if query.get("sendInitialEvents").is_some() && !query.flag("watch") {
        errors.push(forbidden(
            "sendInitialEvents",
            "sendInitialEvents is forbidden for list",
        ));
    }
    options_invalid("ListOptions", errors)?;
    int_param(query, "timeoutSeconds")?;
    query.limit()?;
    if rv.is_empty() {
        return Ok(ListVersion::Latest);
    }
    let n = parse_rv(rv)?;
    if continued && n != 0 {
        return Err(ApiError::bad_request(
            "specifying resource version is not allowed when using continue",
        ));
    }
    let exact = match query.get("resourceVersionMatch").unwrap_or_default() {
        "Exact" => true,
        "NotOlderThan" => false,
        // Without a match, a version other than 0 with a limit reads exactly that version.
        _ => query.limit()?.is_some(),
    };
    Ok(match n {
        0 => ListVersion::Any,
        n if exact => ListVersion::Exact(n),
        n => ListVersion::NotOlderThan(n),
    })
}

/// Checks a get's `resourceVersion`: the version it must be at least as new as.
pub fn check_get(query: &Query) -> Result<Option<u64>, ApiError> {
    match query.get("resourceVersion").filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(raw) => raw.parse::<u64>().map(Some).map_err(|_| {
            // The real server answers this one with a 500 and no reason.
            ApiError::new(
                500,
                "",
                format!(
                    "resourceVersion: Invalid value: {}: strconv.ParseUint: parsing {}: invalid syntax",
                    go_quote(raw),
                    go_quote(raw)
                ),
            )
        }),
    }
}

/// The real server's 504 for a resourceVersion newer than the store's.
pub fn too_large(requested: u64, current: u64) -> ApiError {
    ApiError::new(
        504,
        "Timeout",
        format!("Timeout: Too large resource version: {requested}, current: {current}"),
    )
    .with_details(json!({
        "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
        "retryAfterSeconds": 1,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(raw: &str) -> Query {
        Query::parse(Some(raw))
    }

    #[test]
    fn go_quoting_escapes_as_go_does() {
        assert_eq!(go_quote("a\nb"), r#""a\nb""#);
        assert_eq!(go_quote("x\"y"), r#""x\"y""#);
        assert_eq!(go_quote("\u{1}"), r#""\x01""#);
    }

    #[test]
    fn dry_run_accepts_only_all() {
        assert!(check_write(&q("dryRun=All"), "CreateOptions", false).is_ok());
        let e = check_write(&q("dryRun=Bogus"), "CreateOptions", false).unwrap_err();
        assert_eq!(e.code, 422);
        assert_eq!(
            e.message,
            r#"CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Bogus"]: supported values: "All""#
        );
    }

    #[test]
    fn resource_version_match_rules_are_the_real_ones() {
        let e = check_list(&q("resourceVersionMatch=Exact")).unwrap_err();
        assert!(
            e.message
                .ends_with("resourceVersionMatch is forbidden unless resourceVersion is provided")
        );
        assert_eq!(
            check_list(&q("resourceVersion=5&resourceVersionMatch=Exact")).unwrap(),
            ListVersion::Exact(5)
        );
        assert_eq!(
            check_list(&q("resourceVersion=5")).unwrap(),
            ListVersion::NotOlderThan(5)
        );
        assert_eq!(
            check_list(&q("resourceVersion=5&limit=2")).unwrap(),
            ListVersion::Exact(5)
        );
        assert_eq!(check_list(&q("resourceVersion=0")).unwrap(), ListVersion::Any);
        let e = check_list(&q("resourceVersion=0&resourceVersionMatch=Exact")).unwrap_err();
        assert!(
            e.message
                .contains(r#"resourceVersionMatch "exact" is forbidden for resourceVersion "0""#)
        );
    }
}
