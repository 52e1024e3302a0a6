//! A throwaway PostgreSQL cluster for tests: `initdb` into a temporary
//! folder, a server listening only on a unix socket in that folder, trust
//! authentication, stopped and deleted on drop.
//!
//! PostgreSQL refuses to run as root. When the tests run as root (CI
//! containers), the cluster is made and run as the `postgres` user that
//! Debian's package creates (or `nobody`), by setting the child's uid and
//! gid — no `sudo`, `runuser` or `setpriv` needed.
//!
//! Tests call [`TestPostgres::start_or_skip`]: without PostgreSQL a test is
//! skipped with a message, except when `CI` is set, where that is a failure.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A running throwaway cluster.
pub struct TestPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    run_as: Option<(u32, u32)>,
}

impl TestPostgres {
    /// The folder with `initdb`, `pg_ctl` and `postgres`: `$TAMGA_PG_BINDIR`,
    /// else `pg_config --bindir`, else the newest `/usr/lib/postgresql/*/bin`
    /// (Debian's layout, where `pg_config` comes only with libpq-dev).
    pub fn bin_dir() -> Option<PathBuf> {
        let has_initdb = |d: &Path| d.join("initdb").is_file();
        if let Some(d) = std::env::var_os("TAMGA_PG_BINDIR") {
            return Some(PathBuf::from(d)).filter(|d| has_initdb(d));
        }
        let from_pg_config = Command::new("pg_config")
            .arg("--bindir")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
        if let Some(d) = from_pg_config.filter(|d| has_initdb(d)) {
            return Some(d);
        }
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .filter_map(|e| {
                let v = e.file_name().to_str()?.parse::<u32>().ok()?;
                Some((v, e.path().join("bin")))
            })
            .filter(|(_, d)| has_initdb(d))
            .collect();
        versions.sort();
        versions.pop().map(|(_, d)| d)
    }

    /// Starts a cluster, or `None` (after saying so on stderr) when
    /// PostgreSQL is not installed and `CI` is not set.
    ///
    /// # Panics
    /// When PostgreSQL is missing in CI, or installed but fails to start.
    pub fn start_or_skip(test: &str) -> Option<Self> {
        if Self::bin_dir().is_none() {
            if std::env::var_os("CI").is_some() {
                panic!("{test}: PostgreSQL (initdb) not found, and CI requires it");
            }
            eprintln!("skipping {test}: PostgreSQL (initdb) not found; install postgresql");
            return None;
        }
        match Self::start() {
            Ok(pg) => Some(pg),
            Err(e) => panic!("{test}: PostgreSQL did not start: {e}"),
        }
    }

    /// Makes and starts a cluster.
    pub fn start() -> io::Result<Self> {
        let bin = Self::bin_dir()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "initdb not found"))?;
        // Under /tmp rather than $TMPDIR: the server's user must be able to
        // reach the folder (a TMPDIR under /root is closed to it), and a unix
        // socket path may not exceed 107 bytes.
        let parent = Some(Path::new("/tmp"))
            .filter(|p| p.is_dir())
            .map_or_else(std::env::temp_dir, Path::to_owned);
        let dir = tempfile::Builder::new()
            .prefix("tamga-pg")
            .tempdir_in(parent)?;
        let run_as = if std::fs::metadata("/proc/self")?.uid() == 0 {
            let ids = unprivileged_user()?;
            std::os::unix::fs::chown(dir.path(), Some(ids.0), Some(ids.1))?;
            Some(ids)
        } else {
            None
        };
        let pg = Self { dir, bin, run_as };
        let data = pg.data_dir();
        pg.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--locale=C".as_ref(),
                // No fsync: the cluster lives for one test.
                "-N".as_ref(),
            ],
        )?;
        let socket = pg.socket_dir();
        let options = format!(
            "-k {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off",
            socket.display()
        );
        let log = pg.dir.path().join("server.log");
        pg.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                options.as_ref(),
                "-w".as_ref(),
                "start".as_ref(),
            ],
        )
        .map_err(|e| {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            io::Error::other(format!("{e}\nserver log:\n{log}"))
        })?;
        Ok(pg)
    }

    /// The URL of the cluster's `postgres` database.
    pub fn url(&self) -> String {
        self.url_for("postgres")
    }

    /// The URL of database `name` in this cluster.
    pub fn url_for(&self, name: &str) -> String {
        format!(
            "postgres://postgres@/{name}?host={}",
            self.socket_dir().display()
        )
    }

    /// Creates an empty database and returns its URL: tests sharing one
    /// cluster each get their own.
    pub fn create_database(&self, name: &str) -> Result<String, postgres::Error> {
        let mut client = postgres::Client::connect(&self.url(), postgres::NoTls)?;
        client.batch_execute(&format!("CREATE DATABASE \"{name}\""))?;
        Ok(self.url_for(name))
    }

    /// The folder holding the server's unix socket.
    pub fn socket_dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, tool: &str, args: &[&std::ffi::OsStr]) -> io::Result<Output> {
        let mut cmd = Command::new(self.bin.join(tool));
        cmd.args(args).current_dir(self.dir.path());
        if let Some((uid, gid)) = self.run_as {
            // std drops the supplementary groups too when it sets the uid.
            cmd.uid(uid).gid(gid);
        }
        let out = cmd.output()?;
        if out.status.success() {
            Ok(out)
        } else {
            Err(io::Error::other(format!(
                "{tool} failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )))
        }
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let data = self.data_dir();
        // Immediate: the data is thrown away, no need for a clean shutdown.
        let stopped = self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                "immediate".as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        );
        if let Err(e) = stopped {
            eprintln!("test PostgreSQL in {} did not stop: {e}", data.display());
        }
    }
}

/// The uid and gid of `postgres`, else `nobody`, from /etc/passwd.
fn unprivileged_user() -> io::Result<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd")?;
    let find = |name: &str| {
        passwd.lines().find_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            if f.first() != Some(&name) {
                return None;
            }
            Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?))
        })
    };
    find("postgres").or_else(|| find("nobody")).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            "running as root and no `postgres` or `nobody` user to run PostgreSQL as",
        )
    })
}
