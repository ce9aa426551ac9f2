//! `kfn runtime prepare`: the init container that writes a function's code into the pod's code
//! volume (replacing Kubeless's `prepare` shell line): it decodes, downloads, checks the
//! checksum, extracts, and copies the dependency file next to the code.

use anyhow::{Context, Result, bail};

pub async fn run() -> Result<()> {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let source = var("KFN_SOURCE");
    let target = match var("KUBELESS_INSTALL_VOLUME") {
        v if v.is_empty() => "/kubeless".to_string(),
        v => v,
    };
    let code = std::fs::read_to_string(&source)
        .with_context(|| format!("cannot read the function's code at {source} (KFN_SOURCE)"))?;
    let raw = crate::source::unpack::code_bytes(&code, &var("KFN_CONTENT_TYPE"), &var("KFN_CHECKSUM"))
        .await
        .map_err(|(reason, message)| anyhow::anyhow!("{reason}: {message}"))?;
    std::fs::create_dir_all(&target)?;
    crate::source::unpack::extract(
        &raw,
        &var("KFN_CONTENT_TYPE"),
        std::path::Path::new(&target),
        &var("MOD_NAME"),
        &var("KFN_SUFFIX"),
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    let deps = var("KFN_DEPS_FILE");
    if !deps.is_empty() && std::path::Path::new(&deps).exists() {
        let name = std::path::Path::new(&deps)
            .file_name()
            .context("a dependency file name")?;
        std::fs::copy(&deps, std::path::Path::new(&target).join(name))
            .with_context(|| format!("cannot copy {deps}"))?;
    }
    if std::fs::read_dir(&target)?.next().is_none() {
        bail!("the function's code unpacked to nothing");
    }
    eprintln!("kfn: the function's code is ready in {target}");
    Ok(())
}
