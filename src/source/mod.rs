//! Function code and dependencies as a Function object carries them: `--from-file` and
//! `--dependencies` read from a file, an archive, a directory or an http(s) URL.

pub mod unpack;

use std::io::{Cursor, Read, Write};
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The most code plus dependencies a Function object may carry: objects are stored whole by
/// the API server (etcd refuses objects above about 1.5 MiB), and the rest of the object
/// needs room too.
pub const MAX_CONTENT: usize = 1024 * 1024;

/// What `--from-file` turns into: the Function's `function`, `function-content-type` and
/// `checksum` fields, and the raw bytes (to look inside archives).
#[derive(Clone, Debug, PartialEq)]
pub struct Content {
    pub function: String,
    pub content_type: String,
    pub checksum: String,
    pub raw: Vec<u8>,
}

/// How an archive is packed, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packing {
    Plain,
    Zip,
    TarGz,
    TarBz2,
    TarXz,
}

impl Packing {
    /// Decides from a file name or URL path, as Kubeless does.
    pub fn of(name: &str) -> Packing {
        let name = name.to_ascii_lowercase();
        let ends = |suffixes: &[&str]| suffixes.iter().any(|s| name.ends_with(s));
        if name.ends_with(".zip") {
            Packing::Zip
        } else if ends(&[".tar.gz", ".tgz", ".taz"]) {
            Packing::TarGz
        } else if ends(&[".tar.bz2", ".tb2", ".tbz", ".tbz2", ".tz2"]) {
            Packing::TarBz2
        } else if name.ends_with(".tar.xz") {
            Packing::TarXz
        } else {
            Packing::Plain
        }
    }

    /// The content-type suffix: `+zip`, `+compressedtar` or nothing.
    pub fn suffix(self) -> &'static str {
        match self {
            Packing::Plain => "",
            Packing::Zip => "+zip",
            Packing::TarGz | Packing::TarBz2 | Packing::TarXz => "+compressedtar",
        }
    }
}

/// The SHA-256 of some bytes in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256:<hex>` of some bytes.
pub fn checksum(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}

fn is_url(arg: &str) -> bool {
    arg.starts_with("http://") || arg.starts_with("https://")
}

/// Downloads a URL, failing on anything but a 2xx answer.
pub async fn fetch(url: &str, flag: &str) -> Result<Vec<u8>> {
    let client = reqwest::Client::builder()
        .build()
        .context("cannot build an HTTP client")?;
    let resp = client
        .get(url)
        .send()
        .await
        .with_context(|| format!("{flag}: cannot download {url}"))?;
    let status = resp.status();
    if !status.is_success() {
        bail!("{flag}: {url} answered {status}; expected a 2xx answer with the file");
    }
    Ok(resp
        .bytes()
        .await
        .with_context(|| format!("{flag}: cannot download {url}"))?
        .to_vec())
}

/// Reads `--from-file`: a file (text, or base64 when not UTF-8), an archive, a directory
/// (packed as zip) or an http(s) URL (kept as a URL, downloaded once for the checksum).
pub async fn read(arg: &str, flag: &str) -> Result<Content> {
    if is_url(arg) {
        let raw = fetch(arg, flag).await?;
        let path = arg.split(['?', '#']).next().unwrap_or(arg);
        return Ok(Content {
            function: arg.to_string(),
            content_type: format!("url{}", Packing::of(path).suffix()),
            checksum: checksum(&raw),
            raw,
        });
    }
    let path = Path::new(arg);
    let meta = std::fs::metadata(path).with_context(|| format!("{flag}: cannot read {arg}"))?;
    if meta.is_dir() {
        let raw = zip_directory(path).with_context(|| format!("{flag}: cannot pack the directory {arg}"))?;
        return Ok(Content {
            function: base64::engine::general_purpose::STANDARD.encode(&raw),
            content_type: "base64+zip".into(),
            checksum: checksum(&raw),
            raw,
        });
    }
    let raw = std::fs::read(path).with_context(|| format!("{flag}: cannot read {arg}"))?;
    let suffix = Packing::of(arg).suffix();
    Ok(match std::str::from_utf8(&raw) {
        Ok(text) => Content {
            function: text.to_string(),
            content_type: format!("text{suffix}"),
            checksum: checksum(&raw),
            raw,
        },
        Err(_) => Content {
            function: base64::engine::general_purpose::STANDARD.encode(&raw),
            content_type: format!("base64{suffix}"),
            checksum: checksum(&raw),
            raw,
        },
    })
}

/// Reads `--dependencies`: the same sources, but only the content is kept (text as is, a URL's
/// downloaded body, binary as base64).
pub async fn read_dependencies(arg: &str, flag: &str) -> Result<String> {
    let raw = if is_url(arg) {
        fetch(arg, flag).await?
    } else {
        std::fs::read(arg).with_context(|| format!("{flag}: cannot read {arg}"))?
    };
    Ok(match String::from_utf8(raw) {
        Ok(text) => text,
        Err(e) => base64::engine::general_purpose::STANDARD.encode(e.as_bytes()),
    })
}

/// Packs a directory as a zip, with sorted entries and fixed timestamps so the same files
/// always give the same checksum.
pub fn zip_directory(dir: &Path) -> Result<Vec<u8>> {
    let mut files = Vec::new();
    collect_files(dir, dir, &mut files)?;
    files.sort();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for rel in files {
        zip.start_file(rel.as_str(), options)?;
        zip.write_all(&std::fs::read(dir.join(&rel))?)?;
    }
    Ok(zip.finish()?.into_inner())
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if [".git", "__pycache__"].contains(&name.as_str()) {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect_files(root, &path, out)?;
        } else {
            let rel = path
                .strip_prefix(root)?
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>();
            out.push(rel.join("/"));
        }
    }
    Ok(())
}

/// File names inside an archive (`./` prefixes removed).
pub fn archive_entries(raw: &[u8], packing: Packing) -> Result<Vec<String>> {
    let tar_names = |reader: Box<dyn Read + '_>| -> Result<Vec<String>> {
        let mut archive = tar::Archive::new(reader);
        let mut names = Vec::new();
        for entry in archive.entries()? {
            names.push(entry?.path()?.to_string_lossy().into_owned());
        }
        Ok(names)
    };
    let names = match packing {
        Packing::Plain => return Ok(vec![]),
        Packing::Zip => {
            let archive = zip::ZipArchive::new(Cursor::new(raw))?;
            archive
                .file_names()
                .map(|n| n.map(|n| n.into_owned()))
                .collect::<Result<Vec<_>, _>>()?
        }
        Packing::TarGz => tar_names(Box::new(flate2::read::GzDecoder::new(raw)))?,
        Packing::TarBz2 => tar_names(Box::new(bzip2::read::BzDecoder::new(raw)))?,
        Packing::TarXz => tar_names(Box::new(lzma_rust2::XzReader::new(raw, false)))?,
    };
    Ok(names
        .into_iter()
        .map(|n| n.trim_start_matches("./").to_string())
        .filter(|n| !n.is_empty())
        .collect())
}

/// Checks that an archive or directory source holds the handler's module: `<module><suffix>`
/// or a `<module>/` package at its top.
pub fn check_module(content: &Content, packing: Packing, module: &str, suffix: &str, flag: &str) -> Result<()> {
    if packing == Packing::Plain {
        return Ok(());
    }
    let entries =
        archive_entries(&content.raw, packing).map_err(|e| anyhow!("{flag}: the archive cannot be read: {e}"))?;
    let file = format!("{module}{suffix}");
    let package = format!("{module}/");
    if entries.iter().any(|e| *e == file || e.starts_with(&package)) {
        return Ok(());
    }
    let mut top: Vec<&str> = entries
        .iter()
        .filter(|e| !e.contains('/') || e.ends_with('/'))
        .map(String::as_str)
        .collect();
    top.truncate(10);
    bail!(
        "{flag}: the handler's module {file} is not at the top of the source (found: {}); the handler is <module>.<function>",
        if top.is_empty() {
            "nothing".to_string()
        } else {
            top.join(", ")
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_follows_the_name() {
        assert_eq!(Packing::of("f.zip").suffix(), "+zip");
        for name in [
            "a.tar.gz",
            "a.tgz",
            "a.taz",
            "a.tar.bz2",
            "a.tb2",
            "a.tbz",
            "a.tbz2",
            "a.tz2",
            "a.tar.xz",
        ] {
            assert_eq!(Packing::of(name).suffix(), "+compressedtar", "{name}");
        }
        assert_eq!(Packing::of("hello.py").suffix(), "");
    }

    #[test]
    fn checksum_of_a_known_text() {
        let text = "def hello(event, context):\n  print(event)\n  return event['data']\n";
        assert_eq!(
            checksum(text.as_bytes()),
            "sha256:93422936bb9bc7bf622c868c65f203f2e367ec5ea6bec624b8856f9015e07965"
        );
        assert_eq!(
            checksum(b"function"),
            "sha256:78f9ac018e554365069108352dacabb7fbd15246edf19400677e3b54fe24e126"
        );
    }

    #[tokio::test]
    async fn files_become_text_or_base64_with_their_content_type() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("hello.py");
        std::fs::write(&text, "def hello(e, c):\n    return 'hi'\n").unwrap();
        let c = read(text.to_str().unwrap(), "--from-file").await.unwrap();
        assert_eq!(
            (c.content_type.as_str(), c.function.as_str()),
            ("text", "def hello(e, c):\n    return 'hi'\n")
        );

        let binary = dir.path().join("blob.bin");
        std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
        let c = read(binary.to_str().unwrap(), "--from-file").await.unwrap();
        assert_eq!((c.content_type.as_str(), c.function.as_str()), ("base64", "//4A"));
        assert_eq!(c.checksum, checksum(&[0xff, 0xfe, 0x00]));

        let pkg = dir.path().join("pkg");
        std::fs::create_dir_all(pkg.join("lib")).unwrap();
        std::fs::write(pkg.join("index.js"), "module.exports = {}").unwrap();
        std::fs::write(pkg.join("lib/util.js"), "").unwrap();
        let c = read(pkg.to_str().unwrap(), "--from-file").await.unwrap();
        assert_eq!(c.content_type, "base64+zip");
        let again = read(pkg.to_str().unwrap(), "--from-file").await.unwrap();
        assert_eq!(c.checksum, again.checksum, "packing a directory is deterministic");
        assert_eq!(
            archive_entries(&c.raw, Packing::Zip).unwrap(),
            ["index.js", "lib/util.js"]
        );
        assert!(check_module(&c, Packing::Zip, "index", ".js", "--from-file").is_ok());
        let err = check_module(&c, Packing::Zip, "handler", ".js", "--from-file")
            .unwrap_err()
            .to_string();
        assert!(err.contains("handler.js") && err.contains("index.js"), "{err}");

        let missing = read(dir.path().join("nope.py").to_str().unwrap(), "--from-file")
            .await
            .unwrap_err();
        assert!(
            format!("{missing:#}").starts_with("--from-file: cannot read"),
            "{missing:#}"
        );
    }

    #[test]
    fn compressed_tars_are_listed() {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(2);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, "./main.py", &b"x\n"[..]).unwrap();
        let tar_bytes = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&tar_bytes).unwrap();
        assert_eq!(
            archive_entries(&gz.finish().unwrap(), Packing::TarGz).unwrap(),
            ["main.py"]
        );
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        bz.write_all(&tar_bytes).unwrap();
        assert_eq!(
            archive_entries(&bz.finish().unwrap(), Packing::TarBz2).unwrap(),
            ["main.py"]
        );
    }
}
