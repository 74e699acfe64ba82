//! minisign keys and signatures, through the `minisign` crate (by the
//! format's author): a secret key is recognised by its contents, its
//! password taken from `CRATESMITH_MINISIGN_PASSWORD` or asked on the
//! terminal; signatures are prehashed (BLAKE2b-512) with the trusted
//! comment `minisign -S` writes, so `minisign -V` verifies them, and what
//! `minisign -S` signs verifies here.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use minisign::{PublicKey, PublicKeyBox, SecretKey, SecretKeyBox, SignatureBox};

use crate::error::{Error, Result};

/// Where the password of an encrypted secret key comes from when there is
/// no terminal to ask on.
pub const PASSWORD_ENV: &str = "CRATESMITH_MINISIGN_PASSWORD";

/// A minisign secret key, decrypted, and its public key.
#[derive(Clone)]
pub struct Key {
    path: PathBuf,
    sk: SecretKey,
    pk: Option<PublicKey>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key").field("path", &self.path).finish()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
    }
}

impl Eq for Key {}

/// A minisign public key to verify with.
#[derive(Clone)]
pub struct Public {
    label: String,
    pk: PublicKey,
}

impl std::fmt::Debug for Public {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Public")
            .field("label", &self.label)
            .finish()
    }
}

impl PartialEq for Public {
    fn eq(&self, other: &Self) -> bool {
        self.label == other.label
    }
}

impl Eq for Public {}

/// Whether `path` holds a minisign secret key: an `untrusted comment:`
/// line, then the key (`Ed` signatures, scrypt-encrypted or not, BLAKE2b
/// checksum: `RWRTY0Iy…` or `RWQAAEIy…` in base64).
pub fn is_secret_key(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let mut lines = text.lines();
    let comment = lines
        .next()
        .is_some_and(|l| l.starts_with("untrusted comment:"));
    let key = lines
        .next()
        .is_some_and(|l| l.starts_with("RWRTY0Iy") || l.starts_with("RWQAAEIy"));
    comment && key
}

/// Load the secret key at `path`, decrypting it with the password from
/// [`PASSWORD_ENV`], else one asked on the terminal.
///
/// # Errors
/// The file is not a minisign secret key, the password is wrong, or the key
/// is encrypted and there is neither the variable nor a terminal.
pub fn load(path: &Path) -> Result<Key> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let unencrypted = text
        .lines()
        .nth(1)
        .is_some_and(|l| l.starts_with("RWQAAEIy"));
    let sk = if unencrypted {
        // As the file holds it: the crate's own reader rejects the checksum
        // of the unencrypted keys `minisign -G -W` writes.
        let line = text.lines().nth(1).unwrap_or_default();
        let bytes = base64_decode(line.trim()).ok_or_else(|| Error::Usage {
            message: format!("`{}`: the key is not valid base64", path.display()),
            help: "give --key a minisign secret key (minisign -G writes one)".into(),
        })?;
        SecretKey::from_bytes(&bytes)
    } else {
        let password = password(path)?;
        SecretKeyBox::from_string(&text).and_then(|b| b.into_secret_key(Some(password)))
    }
    .map_err(|e| bad_key(path, &e))?;
    let pk = PublicKey::from_secret_key(&sk).ok();
    Ok(Key {
        path: path.to_path_buf(),
        sk,
        pk,
    })
}

/// Standard base64 (with padding), as minisign writes keys.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in bytes {
        acc = (acc << 6) | u32::from(value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

fn password(path: &Path) -> Result<String> {
    if let Ok(p) = std::env::var(PASSWORD_ENV) {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Usage {
            message: format!(
                "the minisign key `{}` is encrypted, and there is no terminal to ask for its password",
                path.display()
            ),
            help: format!("set {PASSWORD_ENV} to its password"),
        });
    }
    rpassword::prompt_password(format!("Password for {}: ", path.display()))
        .map_err(|e| Error::io("read the password for", path, e))
}

fn bad_key(path: &Path, e: &minisign::PError) -> Error {
    Error::Usage {
        message: format!("`{}`: {e}", path.display()),
        help: format!(
            "give --key a minisign secret key (minisign -G writes one) and its password in {PASSWORD_ENV}"
        ),
    }
}

/// The signature of everything `reader` yields, for the file named
/// `name`: the `.minisig` text, with `minisign -S`'s trusted comment.
///
/// # Errors
/// Reading fails, or the key does not match its public key.
pub fn sign(key: &Key, reader: impl Read, name: &str) -> Result<Vec<u8>> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let trusted = format!("timestamp:{now}\tfile:{name}\thashed");
    let signature = minisign::sign(key.pk.as_ref(), &key.sk, reader, Some(&trusted), None)
        .map_err(|e| Error::Conflict {
            message: format!("signing {name} with `{}` failed: {e}", key.path.display()),
            help: "check the key file; nothing was written".into(),
        })?;
    Ok(signature.into_string().into_bytes())
}

/// The minisign public key `arg` names: a public key file (`minisign.pub`)
/// or the key itself (`RW…`).
///
/// # Errors
/// It is neither.
pub fn public_key(arg: &str) -> Result<Public> {
    let path = Path::new(arg);
    let pk = if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        PublicKeyBox::from_string(&text).and_then(PublicKeyBox::into_public_key)
    } else {
        PublicKey::from_base64(arg.trim())
    };
    let pk = pk.map_err(|e| Error::Usage {
        message: format!("`{arg}` is not a minisign public key: {e}"),
        help: "give --public-key a minisign public key file (minisign.pub) or the key itself (RW…)"
            .into(),
    })?;
    Ok(Public {
        label: format!("minisign key {}", key_id(&pk)),
        pk,
    })
}

impl Public {
    /// The key as a `minisign.pub` file's second line holds it (`RW…`).
    pub fn to_base64(&self) -> String {
        self.pk.to_base64()
    }
}

/// The key's ID as minisign prints it (16 hex digits).
fn key_id(pk: &PublicKey) -> String {
    let bytes = pk.keynum();
    let mut id = [0u8; 8];
    id.copy_from_slice(&bytes[..8]);
    format!("{:X}", u64::from_le_bytes(id))
}

/// Check the minisign signature `sig` (a file) over `data`; the key's
/// label.
///
/// # Errors
/// The signature is missing, unreadable, made by another key, or does not
/// match the data.
pub fn verify(
    public: &Public,
    file: &Path,
    sig: &Path,
    data: impl Read + std::io::Seek,
) -> Result<String> {
    let text = std::fs::read_to_string(sig).map_err(|e| Error::io("read", sig, e))?;
    let boxed =
        SignatureBox::from_string(&text).map_err(|e| bad_signature(file, sig, &e.to_string()))?;
    minisign::verify(&public.pk, &boxed, data, true, false, false)
        .map_err(|e| bad_signature(file, sig, &format!("{e} (checked with {})", public.label)))?;
    Ok(public.label.clone())
}

fn bad_signature(file: &Path, sig: &Path, why: &str) -> Error {
    Error::Conflict {
        message: format!(
            "bad signature on `{}` (`{}`): {why}",
            file.display(),
            sig.display()
        ),
        help: "do not trust this file; get it again from the publisher, and check that the public key is theirs".into(),
    }
}
