//! The PostgreSQL server the tests use: `TEST_DATABASE_URL`, or a private throwaway cluster.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub struct PgServer {
    /// URL of the server without a database name, e.g. `postgres://postgres:pw@127.0.0.1:5432`.
    base: String,
    pub template: String,
}

impl PgServer {
    pub fn admin_url(&self) -> String {
        format!("{}/postgres", self.base)
    }

    pub fn url_for(&self, db: &str) -> String {
        format!("{}/{db}", self.base)
    }
}

static SERVER: OnceLock<PgServer> = OnceLock::new();
static CLUSTER_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Runs a future to completion on a fresh runtime in its own thread (usable from sync code and
/// from inside another runtime).
pub fn run_blocking<F: std::future::Future + Send + 'static>(fut: F) -> F::Output
where
    F::Output: Send + 'static,
{
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(fut)
    })
    .join()
    .expect("setup thread panicked")
}

pub fn server() -> &'static PgServer {
    SERVER.get_or_init(|| {
        let base = match std::env::var("TEST_DATABASE_URL").ok().filter(|s| !s.is_empty()) {
            Some(url) => strip_db(&url),
            None => start_cluster(),
        };
        let template = format!("tpl_{}", uuid::Uuid::now_v7().simple());
        let b = base.clone();
        let t = template.clone();
        run_blocking(async move {
            use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
            let mut admin = AsyncPgConnection::establish(&format!("{b}/postgres"))
                .await
                .expect("connect to PostgreSQL");
            diesel::sql_query(format!("CREATE DATABASE {t}"))
                .execute(&mut admin)
                .await
                .expect("create template");
            rapport::db::run_migrations(&format!("{b}/{t}"))
                .await
                .expect("migrate template");
        });
        PgServer { base, template }
    })
}

fn strip_db(url: &str) -> String {
    let without_query = url.split('?').next().unwrap_or(url);
    match without_query.rfind('/') {
        Some(i) if i > "postgres://".len() => without_query[..i].to_owned(),
        _ => without_query.to_owned(),
    }
}

fn pg_bin(name: &str) -> PathBuf {
    if let Ok(dir) = std::env::var("PG_BIN_DIR") {
        return Path::new(&dir).join(name);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .filter(|p| p.join(name).exists())
                .collect()
        })
        .unwrap_or_default();
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
    });
    versions
        .pop()
        .map(|d| d.join(name))
        .unwrap_or_else(|| PathBuf::from(name))
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Runs a PostgreSQL tool, as the `postgres` user when we are root (initdb refuses root).
fn pg_command(bin: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(pg_bin(bin));
        c
    } else {
        Command::new(pg_bin(bin))
    }
}

extern "C" fn stop_cluster() {
    if let Some(dir) = CLUSTER_DIR.get() {
        let _ = pg_command("pg_ctl")
            .arg("-D")
            .arg(dir.join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A private directory for clusters (the socket, a password file), owned by the server's user.
fn cluster_dir(prefix: &str) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!(
        "{prefix}-{}-{}",
        std::process::id(),
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    // Like the clusters of scripts/: the socket for the owner only, a password over TCP.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let password = uuid::Uuid::new_v4().simple().to_string();
    let pwfile = dir.join("password");
    std::fs::write(&pwfile, &password).unwrap();
    std::fs::set_permissions(&pwfile, std::fs::Permissions::from_mode(0o600)).unwrap();
    if is_root() {
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .unwrap();
        assert!(status.success(), "chown of the test cluster dir failed");
    }
    (dir, password)
}

fn initdb(dir: &Path, data: &Path) {
    let out = pg_command("initdb")
        .arg("-D")
        .arg(data)
        .arg(format!("--pwfile={}", dir.join("password").display()))
        .args([
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C.UTF-8",
        ])
        .output()
        .expect("run initdb (install PostgreSQL or set TEST_DATABASE_URL)");
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts the server of `data` on `port` (its log next to it); waits until it takes connections.
/// `pg_stat_statements` keeps an entry per statement and database, and every test has a database
/// of its own: with its default of 5,000 entries the cluster ran out while the tests ran, and
/// evicted entries a statement-count test had just made (a request counted 0 statements). It
/// keeps 100,000 (about 50 MB of shared memory).
fn pg_start(dir: &Path, data: &Path, port: u16) {
    let opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c unix_socket_permissions=0700 -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=300 \
         -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all \
         -c pg_stat_statements.max=100000",
        dir.display()
    );
    let log = data.with_extension("log");
    let out = pg_command("pg_ctl")
        .arg("-D")
        .arg(data)
        .arg("-l")
        .arg(log)
        .args(["-o", &opts, "-w", "start"])
        .output()
        .expect("run pg_ctl");
    assert!(
        out.status.success(),
        "pg_ctl start failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pg_ctl(data: &Path, args: &[&str]) -> bool {
    pg_command("pg_ctl")
        .arg("-D")
        .arg(data)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn start_cluster() -> String {
    let (dir, password) = cluster_dir("rapport-test-pg");
    let data = dir.join("data");
    initdb(&dir, &data);
    let port = free_port();
    pg_start(&dir, &data, port);
    CLUSTER_DIR.set(dir).ok();
    // SAFETY: registering a plain extern "C" function that captures no state.
    unsafe {
        libc::atexit(stop_cluster);
    }
    format!("postgres://postgres:{password}@127.0.0.1:{port}")
}

/// A primary and its hot standby (streaming replication), private to one test; both are stopped
/// and removed when it is dropped.
pub struct ReplicaPair {
    dir: PathBuf,
    password: String,
    primary_port: u16,
    standby_port: u16,
}

impl ReplicaPair {
    pub fn start() -> ReplicaPair {
        let (dir, password) = cluster_dir("rapport-test-replica");
        let primary = dir.join("primary");
        initdb(&dir, &primary);
        let primary_port = free_port();
        pg_start(&dir, &primary, primary_port);
        let standby = dir.join("standby");
        let out = pg_command("pg_basebackup")
            .arg("-d")
            .arg(format!(
                "host=127.0.0.1 port={primary_port} user=postgres password={password}"
            ))
            .arg("-D")
            .arg(&standby)
            .args(["-R", "-X", "stream", "--no-sync", "-c", "fast"])
            .output()
            .expect("run pg_basebackup");
        assert!(
            out.status.success(),
            "pg_basebackup failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let standby_port = free_port();
        pg_start(&dir, &standby, standby_port);
        ReplicaPair {
            dir,
            password,
            primary_port,
            standby_port,
        }
    }

    pub fn primary_url(&self, db: &str) -> String {
        format!(
            "postgres://postgres:{}@127.0.0.1:{}/{db}",
            self.password, self.primary_port
        )
    }

    pub fn standby_url(&self, db: &str) -> String {
        format!(
            "postgres://postgres:{}@127.0.0.1:{}/{db}",
            self.password, self.standby_port
        )
    }

    /// Promotes the standby: it stops replaying and takes writes of its own.
    pub fn promote_standby(&self) {
        assert!(pg_ctl(&self.dir.join("standby"), &["-w", "promote"]), "promote failed");
    }

    /// Stops the standby at once, as a crash would.
    pub fn stop_standby(&self) {
        assert!(
            pg_ctl(&self.dir.join("standby"), &["-m", "immediate", "stop"]),
            "stop failed"
        );
    }
}

impl Drop for ReplicaPair {
    fn drop(&mut self) {
        for data in ["standby", "primary"] {
            pg_ctl(&self.dir.join(data), &["-m", "immediate", "stop"]);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
