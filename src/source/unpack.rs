//! Turning a Function's code back into files: decoding base64, downloading a URL, checking the
//! checksum, extracting archives. Used by the local engine and by `kfn runtime prepare` in pods.

use std::io::{Cursor, Read};
use std::path::Path;

use super::sha256_hex as hex;
use base64::Engine;

/// The code's bytes: the text, the decoded base64, or the URL's body; checked against the
/// checksum when there is one. The error is a (reason, message) pair for a Pod's status.
pub async fn code_bytes(code: &str, content_type: &str, checksum: &str) -> Result<Vec<u8>, (&'static str, String)> {
    let raw = if content_type.starts_with("base64") {
        base64::engine::general_purpose::STANDARD
            .decode(code.trim())
            .map_err(|e| {
                (
                    "SourceUnavailable",
                    format!("the function's base64 code does not decode: {e}"),
                )
            })?
    } else if content_type.starts_with("url") {
        super::fetch(code.trim(), "the function's URL")
            .await
            .map_err(|e| ("SourceUnavailable", format!("{e:#}")))?
    } else {
        code.as_bytes().to_vec()
    };
    if let Some(want) = checksum.strip_prefix("sha256:").filter(|c| !c.is_empty()) {
        let have = hex(&raw);
        if have != want {
            return Err((
                "ChecksumMismatch",
                format!("the code's sha256 is {have}, the Function says {want}"),
            ));
        }
    }
    Ok(raw)
}

/// Writes the code into `dir` (through a temporary directory, so a half-written one is never
/// used): a plain file as `<module><suffix>`, archives extracted.
pub fn unpack(raw: &[u8], content_type: &str, dir: &Path, module: &str, suffix: &str) -> Result<(), String> {
    let tmp = dir.with_extension("tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    extract(raw, content_type, &tmp, module, suffix)?;
    std::fs::write(tmp.join(".kfn-ready"), b"").map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::rename(&tmp, dir).map_err(|e| e.to_string())
}

/// Writes the code into an existing directory.
pub fn extract(raw: &[u8], content_type: &str, dir: &Path, module: &str, suffix: &str) -> Result<(), String> {
    if content_type.contains("zip") {
        zip::ZipArchive::new(Cursor::new(raw))
            .and_then(|mut z| z.extract(dir))
            .map_err(|e| format!("the function's zip cannot be unpacked: {e}"))?;
    } else if content_type.contains("compressedtar") {
        let reader: Box<dyn Read> = match raw {
            [0x1f, 0x8b, ..] => Box::new(flate2::read::GzDecoder::new(raw)),
            [b'B', b'Z', b'h', ..] => Box::new(bzip2::read::BzDecoder::new(raw)),
            [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Box::new(lzma_rust2::XzReader::new(raw, false)),
            _ => Box::new(raw),
        };
        tar::Archive::new(reader)
            .unpack(dir)
            .map_err(|e| format!("the function's tar cannot be unpacked: {e}"))?;
    } else {
        std::fs::write(dir.join(format!("{module}{suffix}")), raw).map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_code_is_written_as_the_module_and_archives_are_extracted() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("code");
        unpack(b"x = 1\n", "text", &target, "hello", ".py").unwrap();
        assert_eq!(std::fs::read_to_string(target.join("hello.py")).unwrap(), "x = 1\n");
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("index.js", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, b"module.exports = 1").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let target = dir.path().join("zipped");
        unpack(&bytes, "base64+zip", &target, "index", ".js").unwrap();
        assert!(target.join("index.js").exists());
    }

    #[tokio::test]
    async fn a_wrong_checksum_is_refused() {
        let (reason, _) = code_bytes("x", "text", "sha256:00").await.unwrap_err();
        assert_eq!(reason, "ChecksumMismatch");
    }
}
