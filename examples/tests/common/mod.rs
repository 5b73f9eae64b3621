//! What every `gateway` command-line test needs: run the built binary, read its output, and
//! keep scratch files in a directory removed when the test ends.

// Each test file uses the part of this module it needs.
#![allow(dead_code)]

pub mod loopback;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the built `gateway` binary with `args`, in `dir` when given.
pub fn run_gateway(args: &[&str], dir: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gateway"));
    command.args(args);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command.output().expect("the gateway binary runs")
}

/// The standard output, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The standard error, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A scratch directory for one test's files, removed on drop.
pub struct Scratch(PathBuf);

impl Scratch {
    /// A fresh directory named for the test file (`tag`), this process and the test (`name`).
    pub fn new(tag: &str, name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("gateway-cli-{tag}-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the scratch directory");
        Scratch(dir)
    }

    /// The path `name` would have in the directory (the file need not exist).
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }

    /// Writes `contents` to `name` in the directory and returns its path.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write a scratch file");
        path.to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A `gateway serve <api> --port 0 <args>` process with standard output piped, once it says
/// `listening on URL`: the process, the URL (`http://127.0.0.1:PORT/STAGE`) and the rest of
/// its standard output. The caller kills the process.
pub fn start_serve(
    api: &Path,
    args: &[&str],
) -> (
    std::process::Child,
    String,
    std::io::BufReader<std::process::ChildStdout>,
) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_gateway"))
        .arg("serve")
        .arg(api)
        .args(["--port", "0"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("gateway serve starts");
    let mut stdout = child.stdout.take().map(std::io::BufReader::new);
    let url = stdout.as_mut().and_then(|out| {
        loop {
            let mut line = String::new();
            match out.read_line(&mut line) {
                Ok(n) if n > 0 => {
                    if let Some(url) = line.trim_end().strip_prefix("listening on ") {
                        break Some(url.to_owned());
                    }
                }
                _ => break None,
            }
        }
    });
    match (url, stdout) {
        (Some(url), Some(stdout)) => (child, url, stdout),
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("gateway serve stopped before listening");
        }
    }
}

/// The lines of `reader`, read on a thread and sent to the returned channel.
pub fn line_channel(
    reader: impl std::io::BufRead + Send + 'static,
) -> std::sync::mpsc::Receiver<String> {
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in reader.lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    lines
}
