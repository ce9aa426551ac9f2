//! The resources the local engine serves: the built-in Kubernetes kinds kfn and kubectl use,
//! and every resource defined by a stored CustomResourceDefinition.

use std::sync::Arc;

use serde_json::Value;

/// How a table column's cell is computed from an object.
#[derive(Clone, Debug)]
pub enum Cell {
    Name,
    Age,
    /// A JSONPath of the simple dotted form CRD printer columns use (`.spec.runtime`).
    Path(String),
    /// A built-in computation, by name (see `table::builtin_cell`).
    Builtin(&'static str),
}

#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub kind: String,
    pub format: String,
    pub description: String,
    pub priority: i64,
    pub cell: Cell,
}

impl Column {
    fn new(name: &str, cell: Cell) -> Self {
        let (kind, format) = match &cell {
            Cell::Name => ("string", "name"),
            Cell::Age => ("string", ""),
            _ => ("string", ""),
        };
        Column {
            name: name.to_string(),
            kind: kind.to_string(),
            format: format.to_string(),
            description: String::new(),
            priority: 0,
            cell,
        }
    }
}

/// One served resource at one group/version.
#[derive(Clone, Debug)]
pub struct ResourceDef {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    /// Whether `status` is a subresource (updates of the main resource leave status alone).
    pub status_subresource: bool,
    /// Whether `metadata.generation` is kept (bumped on changes outside metadata and status).
    pub generation: bool,
    /// Subresources other than status (`log`, `proxy`, …), for discovery.
    pub extra_subresources: Vec<&'static str>,
    /// Defined by a CustomResourceDefinition (strategic merge patch is refused).
    pub custom: bool,
    pub columns: Vec<Column>,
}

impl ResourceDef {
    /// The key objects of this resource are stored under, independent of the version.
    pub fn store_key(&self) -> String {
        format!("{}/{}", self.group, self.plural)
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `configmaps` or `functions.kubeless.io`, as error messages name a resource.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

struct Builtin {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
    status: bool,
    generation: bool,
    extra: &'static [&'static str],
    columns: &'static [(&'static str, &'static str)],
}

/// The columns of Events, core and events.k8s.io/v1 alike.
const EVENT_COLUMNS: &[(&str, &str)] = &[
    ("Last Seen", "event.lastseen"),
    ("Type", "event.type"),
    ("Reason", "event.reason"),
    ("Object", "event.object"),
    ("Message", "event.message"),
];

/// Built-in kinds. Columns name a `table::builtin_cell` computation, or `name`/`age`.
const BUILTINS: &[Builtin] = &[
    Builtin {
        group: "",
        version: "v1",
        kind: "Namespace",
        plural: "namespaces",
        namespaced: false,
        short: &["ns"],
        status: true,
        generation: false,
        extra: &["finalize"],
        columns: &[("Name", "name"), ("Status", "namespace.status"), ("Age", "age")],
    },
    Builtin {
        group: "",
        version: "v1",
        kind: "ConfigMap",
        plural: "configmaps",
        namespaced: true,
        short: &["cm"],
        status: false,
        generation: false,
        extra: &[],
        columns: &[("Name", "name"), ("Data", "count.data"), ("Age", "age")],
    },
    Builtin {
        group: "",
        version: "v1",
        kind: "Secret",
        plural: "secrets",
        namespaced: true,
        short: &[],
        status: false,
        generation: false,
        extra: &[],
        columns: &[
            ("Name", "name"),
            ("Type", "secret.type"),
            ("Data", "count.data"),
            ("Age", "age"),
        ],
    },
    Builtin {
        group: "",
        version: "v1",
        kind: "Service",
        plural: "services",
        namespaced: true,
        short: &["svc"],
        status: true,
        generation: false,
        extra: &["proxy"],
        columns: &[
            ("Name", "name"),
            ("Type", "service.type"),
            ("Cluster-IP", "service.clusterip"),
            ("External-IP", "service.externalip"),
            ("Port(s)", "service.ports"),
            ("Age", "age"),
        ],
    },
    Builtin {
        group: "",
        version: "v1",
        kind: "Pod",
        plural: "pods",
        namespaced: true,
        short: &["po"],
        status: true,
        generation: false,
        extra: &["log"],
        columns: &[
            ("Name", "name"),
            ("Ready", "pod.ready"),
            ("Status", "pod.status"),
            ("Restarts", "pod.restarts"),
            ("Age", "age"),
        ],
    },
    Builtin {
        group: "",
        version: "v1",
        kind: "Event",
        plural: "events",
        namespaced: true,
        short: &["ev"],
        status: false,
        generation: false,
        extra: &[],
        columns: EVENT_COLUMNS,
    },
    Builtin {
        group: "",
        version: "v1",
        kind: "ServiceAccount",
        plural: "serviceaccounts",
        namespaced: true,
        short: &["sa"],
        status: false,
        generation: false,
        extra: &["token"],
        columns: &[("Name", "name"), ("Age", "age")],
    },
    Builtin {
        group: "",
        version: "v1",
        kind: "ResourceQuota",
        plural: "resourcequotas",
        namespaced: true,
        short: &["quota"],
        status: true,
        generation: false,
        extra: &[],
        columns: &[
            ("Name", "name"),
            ("Request", "quota.request"),
            ("Limit", "quota.limit"),
            ("Age", "age"),
        ],
    },
    Builtin {
        group: "",
        version: "v1",
        kind: "LimitRange",
        plural: "limitranges",
        namespaced: true,
        short: &["limits"],
        status: false,
        generation: false,
        extra: &[],
        columns: &[("Name", "name"), ("Created At", "crd.created")],
    },
    Builtin {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "ClusterRole",
        plural: "clusterroles",
        namespaced: false,
        short: &[],
        status: false,
        generation: false,
        extra: &[],
        columns: &[("Name", "name"), ("Created At", "crd.created")],
    },
    Builtin {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "ClusterRoleBinding",
        plural: "clusterrolebindings",
        namespaced: false,
        short: &[],
        status: false,
        generation: false,
        extra: &[],
        columns: &[("Name", "name"), ("Age", "age")],
    },
    Builtin {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "Role",
        plural: "roles",
        namespaced: true,
        short: &[],
        status: false,
        generation: false,
        extra: &[],
        columns: &[("Name", "name"), ("Created At", "crd.created")],
    },
    Builtin {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "RoleBinding",
        plural: "rolebindings",
        namespaced: true,
        short: &[],
        status: false,
        generation: false,
        extra: &[],
        columns: &[("Name", "name"), ("Age", "age")],
    },
    Builtin {
        group: "apps",
        version: "v1",
        kind: "Deployment",
        plural: "deployments",
        namespaced: true,
        short: &["deploy"],
        status: true,
        generation: true,
        extra: &["scale"],
        columns: &[
            ("Name", "name"),
            ("Ready", "deployment.ready"),
            ("Up-to-date", "deployment.updated"),
            ("Available", "deployment.available"),
            ("Age", "age"),
            ("Containers", "wide:workload.containers"),
            ("Images", "wide:workload.images"),
            ("Selector", "wide:workload.selector"),
        ],
    },
    Builtin {
        group: "apps",
        version: "v1",
        kind: "ReplicaSet",
        plural: "replicasets",
        namespaced: true,
        short: &["rs"],
        status: true,
        generation: true,
        extra: &["scale"],
        columns: &[
            ("Name", "name"),
            ("Desired", "replicaset.desired"),
            ("Current", "replicaset.current"),
            ("Ready", "replicaset.ready"),
            ("Age", "age"),
            ("Containers", "wide:workload.containers"),
            ("Images", "wide:workload.images"),
            ("Selector", "wide:workload.selector"),
        ],
    },
    Builtin {
        group: "autoscaling",
        version: "v2",
        kind: "HorizontalPodAutoscaler",
        plural: "horizontalpodautoscalers",
        namespaced: true,
        short: &["hpa"],
        status: true,
        generation: true,
        extra: &[],
        columns: &[
            ("Name", "name"),
            ("Reference", "hpa.reference"),
            ("MinPods", "hpa.min"),
            ("MaxPods", "hpa.max"),
            ("Replicas", "hpa.replicas"),
            ("Age", "age"),
        ],
    },
    Builtin {
        group: "batch",
        version: "v1",
        kind: "CronJob",
        plural: "cronjobs",
        namespaced: true,
        short: &["cj"],
        status: true,
        generation: true,
        extra: &[],
        columns: &[
            ("Name", "name"),
            ("Schedule", "cronjob.schedule"),
            ("Suspend", "cronjob.suspend"),
            ("Active", "cronjob.active"),
            ("Last Schedule", "cronjob.last"),
            ("Age", "age"),
        ],
    },
    Builtin {
        group: "networking.k8s.io",
        version: "v1",
        kind: "Ingress",
        plural: "ingresses",
        namespaced: true,
        short: &["ing"],
        status: true,
        generation: true,
        extra: &[],
        columns: &[
            ("Name", "name"),
            ("Class", "ingress.class"),
            ("Hosts", "ingress.hosts"),
            ("Address", "ingress.address"),
            ("Ports", "ingress.ports"),
            ("Age", "age"),
        ],
    },
    Builtin {
        group: "coordination.k8s.io",
        version: "v1",
        kind: "Lease",
        plural: "leases",
        namespaced: true,
        short: &[],
        status: false,
        generation: false,
        extra: &[],
        columns: &[("Name", "name"), ("Holder", "lease.holder"), ("Age", "age")],
    },
    Builtin {
        group: "apiextensions.k8s.io",
        version: "v1",
        kind: "CustomResourceDefinition",
        plural: "customresourcedefinitions",
        namespaced: false,
        short: &["crd", "crds"],
        status: true,
        generation: true,
        extra: &[],
        columns: &[("Name", "name"), ("Created At", "crd.created")],
    },
    // A view of the core Events (see `apiserver::events_view`): nothing is stored under it.
    Builtin {
        group: "events.k8s.io",
        version: "v1",
        kind: "Event",
        plural: "events",
        namespaced: true,
        short: &["ev"],
        status: false,
        generation: false,
        extra: &[],
        columns: EVENT_COLUMNS,
    },
];

fn builtin_defs() -> Vec<ResourceDef> {
    BUILTINS
        .iter()
        .map(|b| ResourceDef {
            group: b.group.into(),
            version: b.version.into(),
            kind: b.kind.into(),
            plural: b.plural.into(),
            singular: b.kind.to_lowercase(),
            namespaced: b.namespaced,
            short_names: b.short.iter().map(|s| s.to_string()).collect(),
            categories: if [
                "pods",
                "services",
                "deployments",
                "replicasets",
                "horizontalpodautoscalers",
                "cronjobs",
            ]
            .contains(&b.plural)
            {
                vec!["all".into()]
            } else {
                vec![]
            },
            status_subresource: b.status,
            generation: b.generation,
            extra_subresources: b.extra.to_vec(),
            custom: false,
            columns: b
                .columns
                .iter()
                .map(|(title, cell)| {
                    // `wide:` columns are kubectl's `-o wide` ones (priority 1).
                    let (cell, priority) = match cell.strip_prefix("wide:") {
                        Some(c) => (c, 1),
                        None => (*cell, 0),
                    };
                    let cell = match cell {
                        "name" => Cell::Name,
                        "age" => Cell::Age,
                        other => Cell::Builtin(other),
                    };
                    let mut col = Column::new(title, cell);
                    col.priority = priority;
                    if *title == "Name" {
                        col.format = "name".into();
                    }
                    col
                })
                .collect(),
        })
        .collect()
}

/// The resources one CustomResourceDefinition defines, one per served version.
pub fn from_crd(crd: &Value) -> Vec<ResourceDef> {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let list = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
            .unwrap_or_default()
    };
    let plural = text(&names["plural"]);
    let kind = text(&names["kind"]);
    if plural.is_empty() || kind.is_empty() {
        return vec![];
    }
    let singular = match text(&names["singular"]) {
        s if s.is_empty() => kind.to_lowercase(),
        s => s,
    };
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    versions
        .iter()
        .filter(|v| v["served"].as_bool().unwrap_or(true))
        .map(|v| {
            let mut columns = vec![Column::new("Name", Cell::Name)];
            for c in v["additionalPrinterColumns"].as_array().into_iter().flatten() {
                let mut col = Column::new(c["name"].as_str().unwrap_or_default(), Cell::Path(text(&c["jsonPath"])));
                col.kind = c["type"].as_str().unwrap_or("string").to_string();
                col.format = text(&c["format"]);
                col.description = text(&c["description"]);
                col.priority = c["priority"].as_i64().unwrap_or(0);
                columns.push(col);
            }
            // The real server adds Age only to a version that defines no columns of its own.
            if columns.len() == 1 {
                columns.push(Column::new("Age", Cell::Age));
            }
            ResourceDef {
                group: text(&spec["group"]),
                version: text(&v["name"]),
                kind: kind.clone(),
                plural: plural.clone(),
                singular: singular.clone(),
                namespaced: spec["scope"].as_str() != Some("Cluster"),
                short_names: list(&names["shortNames"]),
                categories: list(&names["categories"]),
                status_subresource: v.pointer("/subresources/status").is_some(),
                generation: true,
                extra_subresources: if v.pointer("/subresources/scale").is_some() {
                    vec!["scale"]
                } else {
                    vec![]
                },
                custom: true,
                columns,
            }
        })
        .collect()
}

/// Every resource served right now: the built-ins and those of the given CRDs.
#[derive(Clone, Debug)]
pub struct Registry {
    defs: Vec<Arc<ResourceDef>>,
}

impl Registry {
    pub fn build<'a>(crds: impl IntoIterator<Item = &'a Value>) -> Registry {
        let mut defs: Vec<Arc<ResourceDef>> = builtin_defs().into_iter().map(Arc::new).collect();
        for crd in crds {
            for def in from_crd(crd) {
                // A CRD may not shadow a built-in resource.
                if !defs
                    .iter()
                    .any(|d| d.group == def.group && d.plural == def.plural && d.version == def.version)
                {
                    defs.push(Arc::new(def));
                }
            }
        }
        Registry { defs }
    }

    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<Arc<ResourceDef>> {
        self.defs
            .iter()
            .find(|d| d.group == group && d.version == version && d.plural == plural)
            .cloned()
    }

    pub fn all(&self) -> &[Arc<ResourceDef>] {
        &self.defs
    }

    /// Groups with their versions, in first-seen order (core group excluded).
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for d in self.defs.iter().filter(|d| !d.group.is_empty()) {
            match groups.iter_mut().find(|(g, _)| *g == d.group) {
                Some((_, versions)) if !versions.contains(&d.version) => versions.push(d.version.clone()),
                Some(_) => {}
                None => groups.push((d.group.clone(), vec![d.version.clone()])),
            }
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_crd_defines_one_resource_per_served_version() {
        let crd = json!({
            "spec": {"group": "example.com", "scope": "Cluster",
                "names": {"kind": "Widget", "plural": "widgets", "shortNames": ["wd"]},
                "versions": [
                    {"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                     "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]},
                    {"name": "v0", "served": false, "storage": false}]}
        });
        let registry = Registry::build([&crd]);
        let def = registry.find("example.com", "v1", "widgets").expect("served");
        assert!(!def.namespaced && def.status_subresource && def.custom);
        assert_eq!(def.singular, "widget");
        let names: Vec<_> = def.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Name", "Size"]);
        assert!(registry.find("example.com", "v0", "widgets").is_none());
        assert!(
            registry
                .groups()
                .iter()
                .any(|(g, v)| g == "example.com" && v == &["v1"])
        );
    }
}
