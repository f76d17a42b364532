//! Closest runner names for a name that was not found.

/// At most this many suggestions.
const MAX_SUGGESTIONS: usize = 3;
/// Minimum similarity (0..1) for a name to be suggested.
const MIN_SIMILARITY: f64 = 0.5;

/// The names closest to `wanted`, best first: same name in another case, names containing it (or
/// contained in it), then names at a small edit distance.
pub(crate) fn closest<'a>(wanted: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let wanted = wanted.to_lowercase();
    let mut scored: Vec<(f64, &str)> = names
        .into_iter()
        .filter_map(|name| {
            let lower = name.to_lowercase();
            let score = if lower == wanted {
                2.0
            } else if lower.contains(&wanted) || wanted.contains(&lower) {
                1.0 + strsim::normalized_levenshtein(&lower, &wanted)
            } else {
                strsim::normalized_damerau_levenshtein(&lower, &wanted)
                    .max(strsim::jaro_winkler(&lower, &wanted) - 0.2)
            };
            (score >= MIN_SIMILARITY).then_some((score, name))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, name)| name.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 6] = [
        "build-1",
        "build-2",
        "build-10",
        "gpu-runner",
        "mac-mini-1",
        "windows-x64",
    ];

    #[test]
    fn typo_finds_the_intended_runner_first() {
        assert_eq!(closest("buidl-1", NAMES)[0], "build-1");
        assert_eq!(closest("gpu-runer", NAMES), vec!["gpu-runner"]);
    }

    #[test]
    fn case_and_partial_names_match() {
        assert_eq!(closest("BUILD-2", NAMES)[0], "build-2");
        assert_eq!(closest("mac", NAMES), vec!["mac-mini-1"]);
        assert_eq!(closest("build", NAMES).len(), 3);
    }

    #[test]
    fn nothing_similar_suggests_nothing() {
        assert!(closest("zzzzzzzz", NAMES).is_empty());
    }
}
