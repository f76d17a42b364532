//! The `link` header: finding `rel="next"` and making sure it stays on the API we were given
//! (the token is never sent anywhere else).

use url::Url;

/// The `rel="next"` target of a `link` header value, if any.
///
/// Format: `<https://api.github.com/...&page=2>; rel="next", <...>; rel="last"`.
pub(crate) fn next_link(header: &str) -> Option<&str> {
    header.split(',').find_map(|part| {
        let mut pieces = part.split(';');
        let target = pieces.next()?.trim();
        let target = target.strip_prefix('<')?.strip_suffix('>')?;
        let is_next = pieces.any(|param| {
            let Some((key, value)) = param.split_once('=') else {
                return false;
            };
            key.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        is_next.then_some(target)
    })
}

/// Resolves a `next` link against the current page and checks it points into `base` (same
/// scheme, host, port, and below the base path).
///
/// # Errors
/// A description of what is wrong with the link.
pub(crate) fn resolve_next(base: &Url, current: &Url, link: &str) -> Result<Url, String> {
    let next = current
        .join(link)
        .map_err(|error| format!("`link` rel=\"next\" is not a valid URL ({error})"))?;
    let same_origin = next.scheme() == base.scheme()
        && next.host_str() == base.host_str()
        && next.port_or_known_default() == base.port_or_known_default();
    let base_path = base.path().trim_end_matches('/');
    let below_base = next.path().starts_with(base_path);
    if !same_origin || !below_base || next.username() != "" || next.password().is_some() {
        return Err(format!(
            "`link` rel=\"next\" points outside the API base URL ({})",
            base.origin().ascii_serialization()
        ));
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_next_among_others() {
        let header = r#"<https://api.github.com/orgs/a/actions/runners?per_page=100&page=1>; rel="prev", <https://api.github.com/orgs/a/actions/runners?per_page=100&page=3>; rel="next", <https://api.github.com/orgs/a/actions/runners?per_page=100&page=5>; rel="last""#;
        assert_eq!(
            next_link(header),
            Some("https://api.github.com/orgs/a/actions/runners?per_page=100&page=3")
        );
        assert_eq!(next_link(r#"<https://x/y?page=1>; rel="first""#), None);
        assert_eq!(next_link(""), None);
        assert_eq!(
            next_link("<https://x/y?page=2>; REL=next"),
            Some("https://x/y?page=2")
        );
    }

    #[test]
    fn next_must_stay_on_the_api() {
        let base = Url::parse("https://ghe.example/api/v3").expect("url");
        let current = Url::parse("https://ghe.example/api/v3/orgs/a/actions/runners").expect("url");
        assert!(
            resolve_next(
                &base,
                &current,
                "https://ghe.example/api/v3/orgs/a/actions/runners?page=2"
            )
            .is_ok()
        );
        assert!(resolve_next(&base, &current, "/api/v3/orgs/a/actions/runners?page=2").is_ok());
        for bad in [
            "https://evil.example/api/v3/orgs/a/actions/runners?page=2",
            "http://ghe.example/api/v3/orgs/a/actions/runners?page=2",
            "https://ghe.example:444/api/v3/orgs/a/actions/runners?page=2",
            "https://ghe.example/other/orgs/a?page=2",
            "https://user:pw@ghe.example/api/v3/orgs/a?page=2",
        ] {
            assert!(resolve_next(&base, &current, bad).is_err(), "{bad}");
        }
    }
}
