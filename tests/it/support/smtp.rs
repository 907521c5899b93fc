//! A real SMTP server for the tests: `scripts/smtp_catcher.py` (PyPI aiosmtpd), started by the
//! test, writing each accepted message to a folder that the test reads back.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct Catcher {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

/// The Python that has aiosmtpd (`METIERS_SMTP_PYTHON`, set by scripts/test.sh), or `None`
/// (the test is skipped and says so) outside CI; in CI its absence fails the test.
pub fn python() -> Option<String> {
    let py = std::env::var("METIERS_SMTP_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok =
        Command::new(&py).args(["-c", "import aiosmtpd"]).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    if !ok {
        assert!(std::env::var("CI").is_err(), "aiosmtpd must be available in CI (scripts/test.sh installs it)");
        eprintln!("SMTP test skipped: no Python with aiosmtpd (set METIERS_SMTP_PYTHON; scripts/test.sh does)");
        return None;
    }
    Some(py)
}

impl Catcher {
    /// Starts the server on `port` (0: a free one) writing into `dir`.
    pub fn start(python: &str, dir: &Path, port: u16) -> Self {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/smtp_catcher.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg("--dir")
            .arg(dir)
            .arg("--port")
            .arg(port.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("SMTP catcher starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("READY line");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("catcher said {line:?}"));
        Self { child, port, dir: dir.to_path_buf() }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Every message received so far, decoded (headers and quoted-printable bodies).
    pub fn messages(&self) -> Vec<String> {
        read_all(&self.dir)
    }
}

impl Drop for Catcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn read_all(dir: &Path) -> Vec<String> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect()
        })
        .unwrap_or_default();
    names.sort();
    names.iter().map(|p| decode_qp(&std::fs::read_to_string(p).expect("eml"))).collect()
}

/// Undoes quoted-printable (soft breaks and =XX bytes), enough to read links and French text.
pub fn decode_qp(s: &str) -> String {
    let joined = s.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
