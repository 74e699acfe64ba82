//! Signed SUMS files: `--sign` signs the file `-o` wrote, with an SSH key
//! (`ssh-keygen -Y sign -n file`; `SHA256SUMS.sig`), with GPG (`gpg
//! --detach-sign --armor`; `SHA256SUMS.asc`) or with a minisign key
//! (`SHA256SUMS.minisig`, see [`super::minisign`]), the key from `--key`
//! or git's signing configuration; `--verify-signature` checks the
//! signature over the very bytes `--check` then reads, against an
//! allowed-signers file (SSH), a keyring (GPG) or a minisign public key,
//! before any digest is trusted.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// How to sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signer {
    /// An SSH private key file.
    Ssh(PathBuf),
    /// GPG, with this key (`--local-user`) or the default one.
    Gpg(Option<String>),
    /// A minisign secret key, decrypted.
    Minisign(Box<super::minisign::Key>),
}

/// The kinds `--sign-format` names.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignFormat {
    /// `ssh-keygen -Y sign`.
    Ssh,
    /// `gpg --detach-sign --armor`.
    Gpg,
    /// minisign (a `minisign -G` secret key file).
    Minisign,
}

/// What signatures are checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trust {
    /// An SSH allowed-signers file.
    AllowedSigners(PathBuf),
    /// A GPG keyring or exported public keys.
    Keyring(PathBuf),
    /// A minisign public key.
    Minisign(super::minisign::Public),
}

/// The signer `--key` and `--sign-format` describe, else git's
/// configuration (`gpg.format`, `user.signingkey`) in `dir`.
///
/// # Errors
/// SSH without a key file.
pub fn signer(key: Option<&str>, format: Option<SignFormat>, dir: &Path) -> Result<Signer> {
    let git = git_config(dir);
    let get = |k: &str| git.as_ref().and_then(|c| c.get_string(k).ok());
    let format = format.unwrap_or_else(|| {
        let by_git = get("gpg.format").is_some_and(|f| f == "ssh");
        let is_file = key.is_some_and(|k| Path::new(k).is_file());
        if key.is_some_and(|k| super::minisign::is_secret_key(Path::new(k))) {
            SignFormat::Minisign
        } else if by_git || is_file {
            SignFormat::Ssh
        } else {
            SignFormat::Gpg
        }
    });
    let key = key.map(String::from).or_else(|| get("user.signingkey"));
    match format {
        SignFormat::Gpg => Ok(Signer::Gpg(key)),
        SignFormat::Minisign => match key {
            Some(k) => {
                super::minisign::load(&expand_home(&k)).map(|k| Signer::Minisign(Box::new(k)))
            }
            None => Err(usage("no minisign key to sign with")),
        },
        SignFormat::Ssh => {
            let Some(key) = key else {
                return Err(usage("no SSH key to sign with"));
            };
            let path = expand_home(key.strip_prefix("key::").map_or(&key, |_| ""));
            if !path.is_file() {
                return Err(usage(&format!(
                    "`{key}` is not a key file (an ssh-agent key given as `key::…` is not supported)"
                )));
            }
            Ok(Signer::Ssh(path))
        }
    }
}

fn usage(message: &str) -> Error {
    Error::Usage {
        message: message.into(),
        help: "give the key with --key (a private key file for SSH, a key ID for GPG, a secret key file for minisign), or set git's user.signingkey and gpg.format".into(),
    }
}

fn git_config(dir: &Path) -> Option<git2::Config> {
    match git2::Repository::discover(dir) {
        Ok(repo) => repo.config().ok(),
        Err(_) => git2::Config::open_default().ok(),
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// The signature file of `sums`: `.sig` (SSH), `.asc` (GPG) or
/// `.minisig` (minisign, as `minisign -S` names it).
pub fn signature_path(sums: &Path, ext: &str) -> PathBuf {
    let mut name = sums.as_os_str().to_owned();
    name.push(ext);
    PathBuf::from(name)
}

impl Signer {
    /// The signature file's extension.
    pub fn extension(&self) -> &'static str {
        match self {
            Signer::Ssh(_) => ".sig",
            Signer::Gpg(_) => ".asc",
            Signer::Minisign(_) => ".minisig",
        }
    }
}

impl Trust {
    /// The extension of the signature files it checks.
    pub fn extension(&self) -> &'static str {
        match self {
            Trust::AllowedSigners(_) => ".sig",
            Trust::Keyring(_) => ".asc",
            Trust::Minisign(_) => ".minisig",
        }
    }
}

/// The signature of the SUMS file `sums` whose content will be `data`,
/// and where it goes; nothing is written, so that the SUMS file and its
/// signature are written together, or neither when signing fails.
///
/// # Errors
/// The signing program fails or is missing, or has no key to sign with.
pub fn sign(signer: &Signer, sums: &Path, data: &[u8]) -> Result<(PathBuf, Vec<u8>)> {
    let path = signature_path(sums, signer.extension());
    let mut cmd = match signer {
        Signer::Minisign(key) => {
            let name = sums
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            return Ok((path, super::minisign::sign(key, data, &name)?));
        }
        Signer::Ssh(key) => {
            let mut c = Command::new("ssh-keygen");
            c.args(["-q", "-Y", "sign", "-n", "file", "-f"]).arg(key);
            c
        }
        Signer::Gpg(key) => {
            let mut c = Command::new("gpg");
            c.args([
                "--batch",
                "--yes",
                "--detach-sign",
                "--armor",
                "--output",
                "-",
            ]);
            if let Some(k) = key {
                c.args(["--local-user", k]);
            }
            c
        }
    };
    let out = run(&mut cmd, data)?;
    if !out.status.success() || out.stdout.is_empty() {
        let mut e = failed(&cmd, &out, "signing failed; nothing was written");
        if let Error::Command { help, .. } = &mut e {
            *help = Some(
                "name the key with --key (an SSH private key file, or a GPG key ID such as \
                 you@example.com) or set git's user.signingkey (and gpg.format = ssh for SSH)"
                    .into(),
            );
        }
        return Err(e);
    }
    Ok((path, out.stdout))
}

/// Check the signature beside `sums` over `data` (its bytes as read);
/// who signed it.
///
/// # Errors
/// A missing or bad signature, an unknown signer, a missing program.
pub fn verify(trust: &Trust, sums: &Path, data: &[u8]) -> Result<String> {
    verify_with(trust, sums, &signature_path(sums, trust.extension()), data)
}

/// Check the signature file `sig` of `sums` (any signed file) over
/// `data`; who signed it.
///
/// # Errors
/// As [`verify`].
pub fn verify_with(trust: &Trust, sums: &Path, sig: &Path, data: &[u8]) -> Result<String> {
    let sig = sig.to_path_buf();
    if !sig.is_file() {
        return Err(Error::Conflict {
            message: format!("`{}` has no signature: `{}` is missing", sums.display(), sig.display()),
            help: "download the signature with the SUMS file; the publisher signs it with `cargo artifact-sum -o SHA256SUMS --sign`".into(),
        });
    }
    match trust {
        Trust::AllowedSigners(allowed) => verify_ssh(allowed, sums, &sig, data),
        Trust::Keyring(keyring) => verify_gpg(keyring, sums, &sig, data),
        Trust::Minisign(public) => {
            super::minisign::verify(public, sums, &sig, std::io::Cursor::new(data))
        }
    }
}

fn verify_ssh(allowed: &Path, sums: &Path, sig: &Path, data: &[u8]) -> Result<String> {
    let mut find = Command::new("ssh-keygen");
    find.args(["-Y", "find-principals", "-s"])
        .arg(sig)
        .arg("-f")
        .arg(allowed);
    let found = run(&mut find, &[])?;
    let principal = String::from_utf8_lossy(&found.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if !found.status.success() || principal.is_empty() {
        return Err(bad(
            sums,
            &format!("no key in `{}` made this signature", allowed.display()),
        ));
    }
    let mut verify = Command::new("ssh-keygen");
    verify
        .args(["-Y", "verify", "-n", "file", "-f"])
        .arg(allowed)
        .args(["-I", &principal, "-s"])
        .arg(sig);
    let out = run(&mut verify, data)?;
    if !out.status.success() {
        return Err(bad(
            sums,
            "the signature does not match the file (it was changed after signing)",
        ));
    }
    Ok(principal)
}

fn verify_gpg(keyring: &Path, sums: &Path, sig: &Path, data: &[u8]) -> Result<String> {
    let home = tempfile::tempdir().map_err(|e| Error::io("create", std::env::temp_dir(), e))?;
    let mut import = Command::new("gpg");
    import
        .arg("--homedir")
        .arg(home.path())
        .args(["--batch", "--quiet", "--import"])
        .arg(keyring);
    let out = run(&mut import, &[])?;
    if !out.status.success() {
        return Err(failed(
            &import,
            &out,
            &format!("`{}` holds no public key gpg can read", keyring.display()),
        ));
    }
    let mut verify = Command::new("gpg");
    verify
        .arg("--homedir")
        .arg(home.path())
        .args(["--batch", "--status-fd", "1", "--verify"])
        .arg(sig)
        .arg("-");
    let out = run(&mut verify, data)?;
    let status = String::from_utf8_lossy(&out.stdout);
    let good = status
        .lines()
        .find_map(|l| l.strip_prefix("[GNUPG:] GOODSIG "));
    match good {
        Some(who) if out.status.success() => {
            Ok(who.split_once(' ').map_or(who, |(_, n)| n).to_string())
        }
        _ if status.contains("NO_PUBKEY") => Err(bad(
            sums,
            &format!("no key in `{}` made this signature", keyring.display()),
        )),
        _ => Err(bad(
            sums,
            "the signature does not match the file (it was changed after signing)",
        )),
    }
}

fn bad(sums: &Path, why: &str) -> Error {
    Error::Conflict {
        message: format!("bad signature on `{}`: {why}", sums.display()),
        help: "do not trust these checksums; get the files again from the publisher".into(),
    }
}

/// Run `cmd` with `input` on stdin.
fn run(cmd: &mut Command, input: &[u8]) -> Result<std::process::Output> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Command {
            program: program.clone(),
            message: format!("cannot run it: {e}"),
            output: String::new(),
            help: Some(format!("install {program}")),
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    child
        .wait_with_output()
        .map_err(|e| Error::io("run", &program, e))
}

fn failed(cmd: &Command, out: &std::process::Output, message: &str) -> Error {
    Error::Command {
        program: cmd.get_program().to_string_lossy().into_owned(),
        message: message.into(),
        output: String::from_utf8_lossy(&out.stderr).into_owned(),
        help: None,
    }
}
