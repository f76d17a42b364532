//! The child's journal: facts known to be committed, one per line, tab-separated.
//!
//! `C cycle` a cycle finished; `O scope runner id` an outage opened; `R scope runner id` resolved;
//! `D scope sink key` a delivery enqueued; `S scope seq` a delivery settled for good.

use std::io::Write;
use std::path::Path;

/// Appends `lines` with one `write` (a kill cannot split a line in the middle of another).
pub fn append(log: &Path, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let mut text = lines.join("\n");
    text.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("open journal");
    file.write_all(text.as_bytes()).expect("write journal");
}

/// The parsed journal.
#[derive(Debug, Default)]
pub struct Journal {
    pub cycles: Vec<u64>,
    pub opened: Vec<(String, String, u64)>,
    pub resolved: Vec<(String, String, u64)>,
    pub enqueued: Vec<(String, String, String)>,
    pub settled: Vec<(String, u64)>,
}

impl Journal {
    pub fn last_cycle(&self) -> Option<u64> {
        self.cycles.iter().copied().max()
    }

    pub fn cycles(&self) -> usize {
        self.cycles.len()
    }
}

/// Reads the journal; a last line without its newline (cut by a kill) is ignored.
pub fn read(log: &Path) -> Journal {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut journal = Journal::default();
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    for line in complete.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let number = |i: usize| fields[i].parse::<u64>().expect("number in journal");
        match fields[0] {
            "C" => journal.cycles.push(number(1)),
            "O" => journal
                .opened
                .push((fields[1].into(), fields[2].into(), number(3))),
            "R" => journal
                .resolved
                .push((fields[1].into(), fields[2].into(), number(3))),
            "D" => journal
                .enqueued
                .push((fields[1].into(), fields[2].into(), fields[3].into())),
            "S" => journal.settled.push((fields[1].into(), number(2))),
            other => panic!("unknown journal line {other:?}"),
        }
    }
    journal
}
