//! Checking a password against an htpasswd file's entry: bcrypt (`$2y$`, `$2a$`, `$2b$`),
//! Apache MD5 (`$apr1$`) and SHA-1 (`{SHA}`).

use base64::Engine;
use md5::{Digest, Md5};
use sha1::Sha1;

const ITOA64: &[u8] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn to64(out: &mut String, mut v: u32, n: usize) {
    for _ in 0..n {
        out.push(ITOA64[(v & 0x3f) as usize] as char);
        v >>= 6;
    }
}

/// The Apache MD5 crypt of a password with a salt: `$apr1$<salt>$<hash>`.
pub fn apr1(password: &str, salt: &str) -> String {
    let (pw, salt) = (password.as_bytes(), &salt.as_bytes()[..salt.len().min(8)]);
    let magic = b"$apr1$";
    let alt = Md5::new()
        .chain_update(pw)
        .chain_update(salt)
        .chain_update(pw)
        .finalize();
    let mut ctx = Md5::new().chain_update(pw).chain_update(magic).chain_update(salt);
    let mut left = pw.len();
    while left > 0 {
        ctx.update(&alt[..left.min(16)]);
        left = left.saturating_sub(16);
    }
    let mut i = pw.len();
    while i > 0 {
        if i & 1 == 1 {
            ctx.update([0u8]);
        } else {
            ctx.update(&pw[..1]);
        }
        i >>= 1;
    }
    let mut fin = ctx.finalize();
    for round in 0..1000 {
        let mut c = Md5::new();
        if round & 1 == 1 {
            c.update(pw);
        } else {
            c.update(fin);
        }
        if round % 3 != 0 {
            c.update(salt);
        }
        if round % 7 != 0 {
            c.update(pw);
        }
        if round & 1 == 1 {
            c.update(fin);
        } else {
            c.update(pw);
        }
        fin = c.finalize();
    }
    let f: Vec<u32> = fin.iter().map(|b| u32::from(*b)).collect();
    let mut out = format!("$apr1${}$", String::from_utf8_lossy(salt));
    for (a, b, c) in [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)] {
        to64(&mut out, (f[a] << 16) | (f[b] << 8) | f[c], 4);
    }
    to64(&mut out, f[11], 2);
    out
}

/// Whether `password` matches an htpasswd hash.
pub fn verify(password: &str, hash: &str) -> bool {
    if let Some(rest) = hash.strip_prefix("$apr1$") {
        let salt = rest.split('$').next().unwrap_or_default();
        return apr1(password, salt) == hash;
    }
    if hash.starts_with("$2") {
        return bcrypt::verify(password, hash).unwrap_or(false);
    }
    if let Some(b64) = hash.strip_prefix("{SHA}") {
        let digest = Sha1::digest(password.as_bytes());
        return base64::engine::general_purpose::STANDARD.encode(digest) == b64;
    }
    false
}

/// Whether `user:password` is allowed by an htpasswd file.
pub fn allows(htpasswd: &str, user: &str, password: &str) -> bool {
    htpasswd
        .lines()
        .filter_map(|l| l.trim().split_once(':'))
        .any(|(u, hash)| u == user && verify(password, hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apache_md5_sha1_and_bcrypt_entries() {
        // `openssl passwd -apr1 -salt saltsalt bar`
        assert_eq!(apr1("bar", "saltsalt"), "$apr1$saltsalt$HZb7DO9JU4769Nu3n58bv.");
        let file = format!(
            "foo:$apr1$saltsalt$HZb7DO9JU4769Nu3n58bv.\nsha:{{SHA}}Ys23Ag/5IOWqZCw9QGaVDdHwH00=\nbc:{}\n",
            bcrypt::hash("bar", 4).unwrap()
        );
        for user in ["foo", "sha", "bc"] {
            assert!(allows(&file, user, "bar"), "{user}");
            assert!(!allows(&file, user, "wrong"), "{user}");
        }
        assert!(!allows(&file, "nobody", "bar"));
    }
}
