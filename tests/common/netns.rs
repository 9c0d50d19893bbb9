//! Network-namespace labs for the live tests (`ips_nfqueue`, `live_*`):
//! two namespaces, client and server, joined by a veth pair, removed by a
//! `Drop` guard whatever happens; helper processes that run inside a
//! namespace (`ip netns exec NS <this test binary>` with a role in
//! `RULEWIRE_NETNS_ROLE`, answered by [`run_role_if_asked`]); and the
//! reasons a lab cannot be built here, so tests skip loudly instead of
//! failing on machines without root, `ip netns` or iptables.
//!
//! Every name carries the process id and a counter, so runs in parallel
//! never share a namespace. Interfaces are created inside the namespaces
//! (`ip link add … netns …`), never in the root namespace.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The client's address in every lab.
pub const CLIENT_IP: &str = "10.77.0.1";
/// The server's address in every lab.
pub const SERVER_IP: &str = "10.77.0.2";
/// The client's IPv6 address in every lab.
pub const CLIENT_IP6: &str = "fd77::1";
/// The server's IPv6 address in every lab.
pub const SERVER_IP6: &str = "fd77::2";

static NEXT: AtomicU32 = AtomicU32::new(0);

/// Runs `ip ARGS`; `Err` with its stderr when it fails.
pub fn ip(args: &[&str]) -> Result<(), String> {
    run("ip", args)
}

/// Runs `program ARGS`; `Err` with its stderr when it fails.
pub fn run(program: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Why a namespace lab cannot be built here (not root, no `ip`), if so.
pub fn lab_unavailable() -> Option<String> {
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        });
    match uid.as_deref() {
        Some("0") => {}
        Some(u) => return Some(format!("not root (uid {u}): network namespaces need root")),
        None => return Some("cannot tell the user id (no /proc/self/status)".into()),
    }
    if Command::new("ip").arg("-V").output().is_err() {
        return Some("no `ip` command (iproute2)".into());
    }
    None
}

/// Prints the loud skip notice.
pub fn skip(test: &str, why: &str) {
    eprintln!("\n*** {test}: SKIPPED: {why} ***\n");
}

/// A network namespace, deleted on drop.
pub struct Netns {
    /// Its name.
    pub name: String,
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.name]);
    }
}

/// Client and server namespaces joined by a veth pair, both ends up with
/// [`CLIENT_IP`]/24 and [`SERVER_IP`]/24, [`CLIENT_IP6`]/64 and
/// [`SERVER_IP6`]/64.
pub struct Lab {
    /// The client side.
    pub client: Netns,
    /// The server side.
    pub server: Netns,
    /// The veth end inside the client namespace.
    pub client_if: String,
    /// The veth end inside the server namespace.
    pub server_if: String,
}

impl Lab {
    /// Builds a lab; `Err` says which step failed (the namespaces made so
    /// far are removed).
    pub fn new(tag: &str) -> Result<Lab, String> {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}-{n}", std::process::id());
        let client = make_ns(format!("rw-{tag}-{id}-c"))?;
        let server = make_ns(format!("rw-{tag}-{id}-s"))?;
        let (client_if, server_if) = ("rwc0".to_string(), "rws0".to_string());
        ip(&[
            "link",
            "add",
            &client_if,
            "netns",
            &client.name,
            "type",
            "veth",
            "peer",
            "name",
            &server_if,
            "netns",
            &server.name,
        ])?;
        for (ns, ifname, addr, addr6) in [
            (&client, &client_if, CLIENT_IP, CLIENT_IP6),
            (&server, &server_if, SERVER_IP, SERVER_IP6),
        ] {
            let (a4, a6) = (format!("{addr}/24"), format!("{addr6}/64"));
            ip(&["-n", &ns.name, "addr", "add", &a4, "dev", ifname])?;
            // nodad: usable at once, no duplicate address detection wait.
            ip(&["-n", &ns.name, "addr", "add", &a6, "dev", ifname, "nodad"])?;
            ip(&["-n", &ns.name, "link", "set", ifname, "up"])?;
            ip(&["-n", &ns.name, "link", "set", "lo", "up"])?;
        }
        Ok(Lab {
            client,
            server,
            client_if,
            server_if,
        })
    }
}

fn make_ns(name: String) -> Result<Netns, String> {
    ip(&["netns", "add", &name])?;
    Ok(Netns { name })
}

/// A child process killed and reaped on drop.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `ip netns exec NS PROGRAM ARGS` (ip execs the program, so the child's
/// pid is the program's).
pub fn in_ns(ns: &Netns, program: &Path, args: &[&str]) -> Command {
    let mut c = Command::new("ip");
    c.args(["netns", "exec", &ns.name]).arg(program).args(args);
    c
}

/// `rulewire` inside `ns` with `args`, then `-S DIR/test.rules -l DIR`:
/// `rules` is written to `DIR/test.rules`, DIR a fresh temporary folder
/// (given back: it holds the logs, and goes on drop).
pub fn rulewire_in(ns: &Netns, args: &[&str], rules: &str) -> (tempfile::TempDir, Command) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("test.rules"), rules).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_rulewire"));
    let mut cmd = in_ns(ns, bin, args);
    cmd.arg("-S")
        .arg(dir.path().join("test.rules"))
        .arg("-l")
        .arg(dir.path());
    (dir, cmd)
}

/// This test binary again inside `ns`, playing `role` (see
/// [`run_role_if_asked`]); `helper` is the name of the test function that
/// calls it.
pub fn role(ns: &Netns, helper: &str, role: &str, env: &[(&str, &str)]) -> Command {
    let exe = std::env::current_exe().expect("test binary path");
    let mut c = in_ns(
        ns,
        &exe,
        &["--exact", helper, "--nocapture", "--test-threads", "1"],
    );
    c.env("RULEWIRE_NETNS_ROLE", role);
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// Runs a role command to its end and gives the `ROLE:` line it printed.
pub fn role_output(mut cmd: Command) -> String {
    let out = cmd.output().expect("role process");
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .find_map(|l| l.find("ROLE:").map(|i| l[i + 5..].to_string()))
        .unwrap_or_else(|| {
            format!(
                "no result (status {}): {} {}",
                out.status,
                stdout,
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

/// Starts a role command that prints `ROLE:READY` when it is listening;
/// waits for that line (at most 10 s).
pub fn start_role(mut cmd: Command) -> Guard {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("role process");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // libtest may print "test NAME ... " on the same line first.
            if line.contains("ROLE:READY") {
                let _ = tx.send(());
            }
        }
    });
    let guard = Guard(child);
    rx.recv_timeout(Duration::from_secs(10))
        .expect("helper did not get ready within 10 s");
    guard
}

/// A `rulewire run` started in the background, its stderr collected.
pub struct Rulewire {
    guard: Guard,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Rulewire {
    /// Starts `cmd` (a `rulewire run` command) with stderr captured.
    pub fn start(mut cmd: Command) -> Rulewire {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("rulewire");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Rulewire {
            guard: Guard(child),
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// Waits until a stderr line contains `needle`; `Err` with everything
    /// it printed when it exits or 20 s pass first.
    pub fn wait_for(&mut self, needle: &str) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            match self.lines.recv_timeout(Duration::from_millis(100)) {
                Ok(l) => {
                    let hit = l.contains(needle);
                    self.seen.push(l);
                    if hit {
                        return Ok(());
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        Err(self.seen.join("\n"))
    }

    /// Sends `kill -SIG` (`STOP`, `CONT` ...) to the process.
    pub fn signal(&self, sig: &str) {
        run(
            "kill",
            &[&format!("-{sig}"), &self.guard.0.id().to_string()],
        )
        .expect("kill");
    }

    /// Sends SIGINT and waits (at most 20 s) for a clean exit; gives its
    /// stderr. Panics on a timeout or a failed exit.
    pub fn interrupt(mut self) -> String {
        let pid = self.guard.0.id().to_string();
        run("kill", &["-INT", &pid]).expect("kill -INT");
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(s) = self.guard.0.try_wait().expect("wait") {
                break s;
            }
            assert!(Instant::now() < deadline, "rulewire ignored SIGINT");
            std::thread::sleep(Duration::from_millis(50));
        };
        while let Ok(l) = self.lines.recv_timeout(Duration::from_millis(500)) {
            self.seen.push(l);
        }
        let text = self.seen.join("\n");
        assert!(status.success(), "rulewire exited with {status}:\n{text}");
        text
    }
}

/// The helper roles, selected by `RULEWIRE_NETNS_ROLE` (nothing happens
/// when it is unset, so the helper "test" passes in a normal run):
///
/// * `echo-server` (`RULEWIRE_PORT`): echoes every TCP connection on
///   [::]:PORT (IPv4 too); prints `ROLE:READY` once listening; ends after 60 s.
/// * `tcp-client` (`RULEWIRE_ADDR`, `RULEWIRE_PAYLOAD`): connects, sends
///   the payload, waits 3 s for the echo; prints `ROLE:ECHO <text>`,
///   `ROLE:RESET`, `ROLE:TIMEOUT` or `ROLE:ERROR <what>`.
/// * `connect-burst` (`RULEWIRE_ADDR`, `RULEWIRE_COUNT`): COUNT connection
///   attempts at once, each given up after 300 ms (their SYNs fill a
///   stalled queue); prints `ROLE:DONE`.
/// * `udp-send` (`RULEWIRE_ADDR`, `RULEWIRE_PAYLOAD`, `RULEWIRE_COUNT`):
///   sends the payload COUNT times, 20 ms apart; prints `ROLE:SENT`.
pub fn run_role_if_asked() {
    let Ok(role) = std::env::var("RULEWIRE_NETNS_ROLE") else {
        return;
    };
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    match role.as_str() {
        "echo-server" => echo_server(var("RULEWIRE_PORT").parse().expect("port")),
        "tcp-client" => {
            let addr: SocketAddr = var("RULEWIRE_ADDR").parse().expect("addr");
            println!(
                "ROLE:{}",
                tcp_client(addr, var("RULEWIRE_PAYLOAD").as_bytes())
            );
        }
        "connect-burst" => {
            let addr: SocketAddr = var("RULEWIRE_ADDR").parse().expect("addr");
            let n = var("RULEWIRE_COUNT").parse::<u32>().unwrap_or(8);
            let tries: Vec<_> = (0..n)
                .map(|_| {
                    std::thread::spawn(move || {
                        TcpStream::connect_timeout(&addr, Duration::from_millis(300))
                    })
                })
                .collect();
            for t in tries {
                let _ = t.join();
            }
            println!("ROLE:DONE");
        }
        "udp-send" => {
            let addr: SocketAddr = var("RULEWIRE_ADDR").parse().expect("addr");
            let sock = UdpSocket::bind("0.0.0.0:0").expect("bind");
            for _ in 0..var("RULEWIRE_COUNT").parse::<u32>().unwrap_or(10) {
                let _ = sock.send_to(var("RULEWIRE_PAYLOAD").as_bytes(), addr);
                std::thread::sleep(Duration::from_millis(20));
            }
            println!("ROLE:SENT");
        }
        other => panic!("unknown role {other}"),
    }
}

fn echo_server(port: u16) {
    // Linux's default (bindv6only = 0) takes IPv4 connections on [::] too.
    let listener = TcpListener::bind(("::", port)).expect("listen");
    listener.set_nonblocking(true).expect("nonblocking");
    println!("ROLE:READY");
    let _ = std::io::stdout().flush();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match listener.accept() {
            Ok((mut conn, _)) => {
                std::thread::spawn(move || {
                    let _ = conn.set_nonblocking(false);
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
                    let mut buf = [0u8; 2048];
                    while let Ok(n) = conn.read(&mut buf) {
                        if n == 0 || conn.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                });
            }
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

fn tcp_client(addr: SocketAddr, payload: &[u8]) -> String {
    let mut s = match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
        Ok(s) => s,
        Err(e) => return format!("ERROR connect: {e}"),
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
    if let Err(e) = s.write_all(payload) {
        return format!("ERROR send: {e}");
    }
    let mut got = Vec::new();
    let mut buf = [0u8; 2048];
    while got.len() < payload.len() {
        match s.read(&mut buf) {
            Ok(0) => return format!("ERROR closed after {} bytes", got.len()),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return "RESET".into(),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return "TIMEOUT".into()
            }
            Err(e) => return format!("ERROR read: {e}"),
        }
    }
    format!("ECHO {}", String::from_utf8_lossy(&got))
}
