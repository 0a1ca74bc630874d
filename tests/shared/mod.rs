//! What both test binaries (`tests/it`, the pipeline in-process and the binary; `tests/e2e`,
//! the binary against the sandbox) read the same way: the runner's file commands and the
//! lines a run printed. Each binary includes it with `#[path = "../shared/mod.rs"]`.

#![allow(dead_code)]

use std::collections::HashMap;

/// Parses `$GITHUB_OUTPUT` with the runner's rules (`name=value`, or `name<<DELIMITER` …
/// `DELIMITER`), panicking on what the runner would refuse.
pub fn parse_outputs(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        match (line.find('='), line.find("<<")) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                out.insert(line[..e].to_string(), line[e + 1..].to_string());
            }
            (_, Some(h)) => {
                let (name, delimiter) = (&line[..h], &line[h + 2..]);
                let mut value = Vec::new();
                let mut closed = false;
                for next in lines.by_ref() {
                    if next == delimiter {
                        closed = true;
                        break;
                    }
                    value.push(next);
                }
                assert!(closed, "no delimiter for {name}");
                out.insert(name.to_string(), value.join("\n"));
            }
            _ => panic!("invalid output line {line:?}"),
        }
    }
    out
}

/// The printed text without the `::add-mask::` lines: the one place a secret must appear,
/// for the runner to hide it.
pub fn without_masks(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("::add-mask::"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where a secret showed up among the named texts, if anywhere; the message gives its
/// length, never the secret itself.
pub fn leak(texts: &[(&str, &str)], secrets: &[String]) -> Option<String> {
    texts.iter().find_map(|(what, text)| {
        secrets
            .iter()
            .filter(|s| !s.is_empty())
            .find(|s| text.contains(s.as_str()))
            .map(|s| format!("a secret ({} chars) leaked into {what}", s.len()))
    })
}
