//! Name rules of the API server.

/// A DNS-1123 subdomain: what most object names must be.
pub fn dns1123_subdomain(name: &str) -> Result<(), String> {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.len() > 253 {
        return Err(format!(
            "Invalid value: \"{name}\": must be no more than 253 characters"
        ));
    }
    if name.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(format!(
            "Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        ))
    }
}

/// A path segment: what RBAC objects' names must be (`system:discovery` is one), as
/// Kubernetes checks them (the first rule broken is reported).
pub fn path_segment(name: &str) -> Result<(), String> {
    let why = match name {
        "." => "may not be '.'",
        ".." => "may not be '..'",
        n if n.contains('/') => "may not contain '/'",
        n if n.contains('%') => "may not contain '%'",
        _ => return Ok(()),
    };
    Err(format!("Invalid value: \"{name}\": {why}"))
}

/// A DNS-1123 label: what namespace names must be.
pub fn dns1123_label(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Invalid value: \"{name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_and_labels() {
        for ok in ["a", "hello", "a.b-c", "x1.y2"] {
            assert!(dns1123_subdomain(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Hello", "a_b", "-a", "a.", "a..b", &"a".repeat(254)] {
            assert!(dns1123_subdomain(bad).is_err(), "{bad}");
        }
        assert!(dns1123_label("my-ns").is_ok());
        assert!(dns1123_label("my.ns").is_err());
        assert!(dns1123_label(&"a".repeat(64)).is_err());
    }
}
