//! A real SMTP server (aiosmtpd, from the pinned venv of scripts/smtpd-venv) started by a test:
//! what it receives is read back as the raw messages and their envelopes.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// The venv's Python: `RAPPORT_SMTPD_PYTHON`, else made (once) by scripts/smtpd-venv.
fn python() -> &'static str {
    static PYTHON: OnceLock<String> = OnceLock::new();
    PYTHON.get_or_init(|| {
        if let Ok(p) = std::env::var("RAPPORT_SMTPD_PYTHON") {
            return p;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/smtpd-venv");
        let out = Command::new("bash")
            .arg(script)
            .stderr(Stdio::inherit())
            .output()
            .expect("scripts/smtpd-venv runs");
        assert!(
            out.status.success(),
            "scripts/smtpd-venv failed: the test SMTP server cannot be installed"
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    })
}

pub struct Smtpd {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
    /// Closing it stops the server.
    _stdin: ChildStdin,
}

/// One message as the server received it.
pub struct Received {
    pub raw: Vec<u8>,
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
}

impl Smtpd {
    /// Starts a server; `args` as smtpd.py takes them (`--auth user:pass`, `--reject @suffix`).
    pub fn start(args: &[&str]) -> Smtpd {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(python())
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/smtpd.py"))
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the test SMTP server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("smtpd.py printed {line:?}"));
        let stdin = child.stdin.take().unwrap();
        Smtpd {
            port,
            dir,
            child,
            _stdin: stdin,
        }
    }

    /// The messages received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mut out = Vec::new();
        for n in 1.. {
            let eml = self.dir.path().join(format!("{n}.eml"));
            let env = self.dir.path().join(format!("{n}.json"));
            let (Ok(raw), Ok(env)) = (std::fs::read(&eml), std::fs::read_to_string(&env)) else {
                break;
            };
            let env: serde_json::Value = serde_json::from_str(&env).unwrap();
            out.push(Received {
                raw,
                mail_from: env["mail_from"].as_str().unwrap_or_default().to_owned(),
                rcpt_tos: env["rcpt_tos"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_owned())
                    .collect(),
            });
        }
        out
    }

    /// Waits (up to 10 s) until `n` messages have arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the SMTP server received {} of {n} messages", self.received().len());
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
