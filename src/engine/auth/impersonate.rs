//! Impersonation (`kubectl --as`, `--as-group`, `--as-uid`): the `Impersonate-*` headers turn
//! the request into one of another user, when the caller may `impersonate` that user, its
//! groups, uid and extras, as kube-apiserver allows it. Refused, the answer is the one of
//! kube-apiserver's constrained impersonation (it is tried first there): the caller cannot
//! `impersonate-on:<mode>:<verb>` the request's resource.

use http::HeaderMap;

use super::{AUTHENTICATED, Attributes, Auth, User};
use crate::engine::objects::{ApiError, Objects};

const USER: &str = "impersonate-user";
const GROUP: &str = "impersonate-group";
const UID: &str = "impersonate-uid";
const EXTRA: &str = "impersonate-extra-";

impl Auth {
    /// The user a request acts as: the caller, or the one its `Impersonate-*` headers name.
    pub fn impersonate(
        &self,
        objects: &Objects,
        caller: User,
        headers: &HeaderMap,
        request: &Attributes,
    ) -> Result<User, ApiError> {
        // Most requests impersonate no one: one look at the header names.
        if !headers.keys().any(|h| h.as_str().starts_with("impersonate-")) {
            return Ok(caller);
        }
        let values = |name: &str| -> Vec<String> {
            headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::to_string)
                .collect()
        };
        let name = values(USER).into_iter().next();
        let groups = values(GROUP);
        let uid = values(UID).into_iter().next();
        let mut extra = std::collections::BTreeMap::<String, Vec<String>>::new();
        for (header, value) in headers {
            if let Some(key) = header.as_str().strip_prefix(EXTRA)
                && let Ok(value) = value.to_str()
            {
                let key: String = form_urlencoded::parse(format!("k={key}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                extra.entry(key).or_default().push(value.to_string());
            }
        }
        let Some(name) = name else {
            if groups.is_empty() && uid.is_none() && extra.is_empty() {
                return Ok(caller);
            }
            return Err(ApiError::internal(
                "Internal error occurred: requested impersonation of groups, a uid or extras without impersonating a user",
            ));
        };
        let service_account = name.starts_with("system:serviceaccount:");
        let check = |attrs: Attributes| {
            self.allowed(objects, &caller, &attrs).map_err(|_| {
                let mode = if service_account { "serviceaccount" } else { "user-info" };
                let constrained = Attributes {
                    verb: format!("impersonate-on:{mode}:{}", request.verb),
                    ..request.clone()
                };
                super::forbidden(&caller, &constrained, "")
            })
        };
        let impersonate = |group: &str, resource: &str, namespace: &str, name: &str| Attributes {
            verb: "impersonate".into(),
            resource_request: true,
            group: group.into(),
            resource: resource.split('/').next().unwrap_or_default().into(),
            subresource: resource.split_once('/').map(|(_, s)| s).unwrap_or_default().into(),
            namespace: namespace.into(),
            name: name.into(),
            ..Attributes::default()
        };
        let mut user = match name
            .strip_prefix("system:serviceaccount:")
            .and_then(|rest| rest.split_once(':'))
        {
            Some((ns, sa)) => {
                check(impersonate("", "serviceaccounts", ns, sa))?;
                let mut user = User::service_account(ns, sa, "");
                user.groups.retain(|g| g != AUTHENTICATED);
                user
            }
            None => {
                check(impersonate("", "users", "", &name))?;
                User {
                    name: name.clone(),
                    ..User::default()
                }
            }
        };
        for group in groups {
            check(impersonate("", "groups", "", &group))?;
            if !user.groups.contains(&group) {
                user.groups.push(group);
            }
        }
        if let Some(uid) = uid {
            check(impersonate("authentication.k8s.io", "uids", "", &uid))?;
            user.uid = uid;
        }
        for (key, values) in extra {
            for value in &values {
                check(impersonate(
                    "authentication.k8s.io",
                    &format!("userextras/{key}"),
                    "",
                    value,
                ))?;
            }
            user.extra.insert(key, values);
        }
        // As on a real server: every impersonated user but system:anonymous is authenticated.
        if user.name != "system:anonymous" && !user.groups.iter().any(|g| g == AUTHENTICATED) {
            user.groups.push(AUTHENTICATED.to_string());
        }
        Ok(user)
    }
}
