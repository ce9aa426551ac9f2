//! The attributes of a request that authorization looks at, derived from its method, path and
//! query as kube-apiserver derives them (its RequestInfo): resource requests under `/api` and
//! `/apis` with a verb, group, version, namespace, resource, subresource and name; every other
//! path is a non-resource request whose verb is the HTTP method in lower case.

use http::Method;

/// What authorization decides on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes {
    pub verb: String,
    pub resource_request: bool,
    /// The (percent-decoded) path, for non-resource requests.
    pub path: String,
    pub group: String,
    pub version: String,
    pub namespace: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
}

impl Attributes {
    /// The attributes of a request. `path` is percent-decoded; `query` the raw query string.
    pub fn of(method: &Method, path: &str, query: Option<&str>) -> Attributes {
        let mut attrs = Attributes {
            verb: method.as_str().to_lowercase(),
            path: path.to_string(),
            ..Attributes::default()
        };
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if parts.len() < 3 || !matches!(parts[0], "api" | "apis") {
            return attrs;
        }
        let mut rest = &parts[1..];
        if parts[0] == "apis" {
            if rest.len() < 3 {
                return attrs;
            }
            attrs.group = rest[0].to_string();
            rest = &rest[1..];
        }
        attrs.resource_request = true;
        attrs.version = rest[0].to_string();
        rest = &rest[1..];
        if matches!(rest[0], "proxy" | "watch") && rest.len() >= 2 {
            attrs.verb = rest[0].to_string();
            rest = &rest[1..];
        } else {
            attrs.verb = match *method {
                Method::POST => "create".to_string(),
                Method::GET | Method::HEAD => "get".to_string(),
                Method::PUT => "update".to_string(),
                Method::PATCH => "patch".to_string(),
                Method::DELETE => "delete".to_string(),
                // As kube-apiserver: any other method is its own verb, in lower case.
                ref other => other.as_str().to_lowercase(),
            };
        }
        if rest[0] == "namespaces" && rest.len() > 1 {
            attrs.namespace = rest[1].to_string();
            if rest.len() > 2 && !matches!(rest[2], "status" | "finalize") {
                rest = &rest[2..];
            }
        }
        if rest.len() >= 3 && attrs.verb != "proxy" {
            attrs.subresource = rest[2].to_string();
        }
        if rest.len() >= 2 {
            attrs.name = rest[1].to_string();
        }
        attrs.resource = rest[0].to_string();
        let params: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
        let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        if attrs.name.is_empty() && attrs.verb == "get" {
            let watch = param("watch").is_some_and(|v| !matches!(v.to_lowercase().as_str(), "false" | "0"));
            attrs.verb = if watch { "watch" } else { "list" }.to_string();
        }
        // A list or watch of one object by its name (`/watch/` paths too) is authorized for
        // that name.
        if attrs.name.is_empty()
            && matches!(attrs.verb.as_str(), "list" | "watch")
            && let Some(selector) = param("fieldSelector")
            && let [term] = selector.split(',').collect::<Vec<_>>().as_slice()
            && let Some(name) = term
                .strip_prefix("metadata.name==")
                .or_else(|| term.strip_prefix("metadata.name="))
            && !name.is_empty()
            && !matches!(name, "." | "..")
            && !name.contains(['/', '%'])
        {
            attrs.name = name.to_string();
        }
        if attrs.name.is_empty() && attrs.verb == "delete" {
            attrs.verb = "deletecollection".to_string();
        }
        attrs
    }

    /// `functions` or `pods/log`, as rules and messages name the resource.
    pub fn combined_resource(&self) -> String {
        match self.subresource.is_empty() {
            true => self.resource.clone(),
            false => format!("{}/{}", self.resource, self.subresource),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(method: Method, path: &str, query: &str) -> Attributes {
        Attributes::of(&method, path, Some(query))
    }

    #[test]
    fn verbs_follow_the_method_and_the_name() {
        let a = of(Method::GET, "/apis/kubeless.io/v1beta1/namespaces/b/functions", "");
        assert_eq!(
            (
                a.verb.as_str(),
                a.group.as_str(),
                a.namespace.as_str(),
                a.resource.as_str()
            ),
            ("list", "kubeless.io", "b", "functions")
        );
        assert_eq!(
            of(
                Method::GET,
                "/apis/kubeless.io/v1beta1/namespaces/b/functions",
                "watch=1"
            )
            .verb,
            "watch"
        );
        assert_eq!(
            of(
                Method::GET,
                "/apis/kubeless.io/v1beta1/namespaces/b/functions",
                "watch=false"
            )
            .verb,
            "list"
        );
        let one = of(Method::GET, "/apis/kubeless.io/v1beta1/namespaces/b/functions/f", "");
        assert_eq!((one.verb.as_str(), one.name.as_str()), ("get", "f"));
        assert_eq!(
            of(Method::DELETE, "/api/v1/namespaces/b/pods", "").verb,
            "deletecollection"
        );
        assert_eq!(of(Method::DELETE, "/api/v1/namespaces/b/pods/p", "").verb, "delete");
        assert_eq!(of(Method::POST, "/api/v1/namespaces/b/pods", "").verb, "create");
        assert_eq!(of(Method::PUT, "/api/v1/namespaces/b/pods/p", "").verb, "update");
        assert_eq!(of(Method::PATCH, "/api/v1/namespaces/b/pods/p", "").verb, "patch");
        let watched = of(
            Method::GET,
            "/api/v1/namespaces/b/pods",
            "watch=true&fieldSelector=metadata.name%3Dp",
        );
        assert_eq!((watched.verb.as_str(), watched.name.as_str()), ("watch", "p"));
        // The old `/watch/` paths narrow to a name alike.
        let legacy = of(
            Method::GET,
            "/api/v1/watch/namespaces/b/pods",
            "fieldSelector=metadata.name%3Dp",
        );
        assert_eq!(
            (legacy.verb.as_str(), legacy.namespace.as_str(), legacy.name.as_str()),
            ("watch", "b", "p")
        );
        // Another method is its own verb, which only a `*` rule grants.
        assert_eq!(of(Method::OPTIONS, "/api/v1/namespaces/b/pods", "").verb, "options");
    }

    #[test]
    fn subresources_and_namespaces() {
        let log = of(Method::GET, "/api/v1/namespaces/b/pods/p/log", "");
        assert_eq!(
            (log.verb.as_str(), log.combined_resource(), log.name.as_str()),
            ("get", "pods/log".to_string(), "p")
        );
        let proxy = of(Method::POST, "/api/v1/namespaces/b/services/f:8080/proxy/x/y", "");
        assert_eq!(
            (proxy.verb.as_str(), proxy.combined_resource(), proxy.name.as_str()),
            ("create", "services/proxy".to_string(), "f:8080")
        );
        let ns = of(Method::GET, "/api/v1/namespaces/b", "");
        assert_eq!(
            (ns.resource.as_str(), ns.name.as_str(), ns.namespace.as_str()),
            ("namespaces", "b", "b")
        );
        let status = of(Method::PUT, "/api/v1/namespaces/b/status", "");
        assert_eq!(
            (status.combined_resource(), status.name.as_str()),
            ("namespaces/status".to_string(), "b")
        );
        let all = of(Method::GET, "/apis/kubeless.io/v1beta1/functions", "");
        assert_eq!((all.namespace.as_str(), all.verb.as_str()), ("", "list"));
        let token = of(
            Method::POST,
            "/api/v1/namespaces/a/serviceaccounts/kfn-developer/token",
            "",
        );
        assert_eq!(
            (token.verb.as_str(), token.combined_resource()),
            ("create", "serviceaccounts/token".to_string())
        );
    }

    #[test]
    fn discovery_paths_are_not_resources() {
        for path in [
            "/api",
            "/api/v1",
            "/apis",
            "/apis/apps",
            "/apis/apps/v1",
            "/version",
            "/openapi/v2",
        ] {
            let a = of(Method::GET, path, "");
            assert!(!a.resource_request, "{path}");
            assert_eq!(a.verb, "get");
        }
        assert_eq!(of(Method::POST, "/foo", "").verb, "post");
    }
}
