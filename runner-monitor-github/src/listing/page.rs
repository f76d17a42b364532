//! One page of a runners listing: `{"total_count": N, "runners": [...]}` and its `next` link.

use reqwest::header::LINK;
use runner_monitor_core::{ObservedRunner, SourceError};
use url::Url;

use crate::client::Answer;
use crate::pagination::{next_link, resolve_next};

/// What one page said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    /// The scope's runner count when the page was produced.
    pub(crate) total_count: u64,
    /// This page's runners, in GitHub's order.
    pub(crate) runners: Vec<ObservedRunner>,
    /// The `rel="next"` page, absent on the last.
    pub(crate) next: Option<Url>,
}

impl Page {
    /// Whether `other` lists the same runners (ids and names, in any order), the same
    /// `total_count` and the same `next` page. Status, busy flags and labels are not compared:
    /// in a busy fleet they change between any two reads.
    pub(crate) fn same_members(&self, other: &Page) -> bool {
        fn members(page: &Page) -> Vec<(u64, &str)> {
            let mut members: Vec<(u64, &str)> = page
                .runners
                .iter()
                .map(|runner| (runner.id, runner.name.as_str()))
                .collect();
            members.sort_unstable();
            members
        }
        self.total_count == other.total_count
            && self.next == other.next
            && self.runners.len() == other.runners.len()
            && members(self) == members(other)
    }
}

#[derive(serde::Deserialize)]
struct Body {
    total_count: u64,
    runners: Vec<ObservedRunner>,
}

/// Parses a 200 answer. Unknown fields are ignored; a missing or mistyped field is named by its
/// path (`runners[3].status`).
///
/// # Errors
/// [`SourceError::InvalidResponse`] naming the field, or a bad `link`.
pub(crate) fn parse(
    answer: &Answer,
    base: &Url,
    url: &Url,
    what: &str,
) -> Result<Page, SourceError> {
    let invalid = |detail: String| SourceError::InvalidResponse {
        message: format!("{what}: {detail}"),
    };
    let deserializer = &mut serde_json::Deserializer::from_slice(&answer.body);
    let body: Body = serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        if path == "." {
            invalid(format!("not the expected JSON: {}", error.inner()))
        } else {
            invalid(format!("field `{path}`: {}", error.inner()))
        }
    })?;
    let next = match answer.headers.get(LINK) {
        Some(link) => {
            let link = link
                .to_str()
                .map_err(|_| invalid("the `link` header is not text".into()))?;
            next_link(link)
                .map(|next| resolve_next(base, url, next).map_err(invalid))
                .transpose()?
        }
        None => None,
    };
    Ok(Page {
        total_count: body.total_count,
        runners: body.runners,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use reqwest::StatusCode;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn answer(body: &'static str, link: Option<&'static str>) -> Answer {
        let mut headers = HeaderMap::new();
        if let Some(link) = link {
            headers.insert(LINK, HeaderValue::from_static(link));
        }
        Answer {
            status: StatusCode::OK,
            headers,
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    fn base() -> Url {
        Url::parse("http://127.0.0.1:1").expect("url")
    }

    #[test]
    fn names_the_bad_field() {
        let bad = answer(
            r#"{"total_count": 2, "runners": [
                {"id": 1, "name": "a", "os": "linux", "status": "online", "busy": false, "labels": []},
                {"id": 2, "name": "b", "os": "linux", "status": "sleepy", "busy": false, "labels": []}]}"#,
            None,
        );
        let error = parse(&bad, &base(), &base(), "page 1").expect_err("bad status");
        assert!(error.to_string().contains("runners[1].status"), "{error}");
        let missing = answer(r#"{"runners": []}"#, None);
        let error = parse(&missing, &base(), &base(), "page 1").expect_err("no total");
        assert!(error.to_string().contains("total_count"), "{error}");
        let garbage = answer("<html>", None);
        let error = parse(&garbage, &base(), &base(), "page 1").expect_err("not json");
        assert!(
            error.to_string().contains("not the expected JSON"),
            "{error}"
        );
    }

    #[test]
    fn membership_ignores_status_but_not_ids_names_or_counts() {
        let runner = |id: u64, name: &str, busy: bool| ObservedRunner {
            id,
            name: name.into(),
            os: "linux".into(),
            status: runner_monitor_core::ListedStatus::Online,
            busy,
            labels: vec![],
            ephemeral: false,
            group_id: None,
        };
        let page = |total, runners| Page {
            total_count: total,
            runners,
            next: None,
        };
        let first = page(2, vec![runner(1, "a", false), runner(2, "b", false)]);
        let flipped = page(2, vec![runner(2, "b", true), runner(1, "a", true)]);
        assert!(first.same_members(&flipped), "busy and order do not count");
        assert!(!first.same_members(&page(2, vec![runner(1, "a", false), runner(3, "b", false)])));
        assert!(!first.same_members(&page(2, vec![runner(1, "a", false), runner(2, "c", false)])));
        assert!(!first.same_members(&page(3, vec![runner(1, "a", false), runner(2, "b", false)])));
        let mut linked = first.clone();
        linked.next = Some(base());
        assert!(!first.same_members(&linked));
    }

    #[test]
    fn follows_next_and_refuses_foreign_links() {
        let ok = answer(
            r#"{"total_count": 0, "runners": []}"#,
            Some(r#"<http://127.0.0.1:1/orgs/a/actions/runners?page=2>; rel="next""#),
        );
        let page = parse(&ok, &base(), &base(), "page 1").expect("parses");
        assert_eq!(
            page.next.map(|u| u.to_string()).as_deref(),
            Some("http://127.0.0.1:1/orgs/a/actions/runners?page=2")
        );
        let foreign = answer(
            r#"{"total_count": 0, "runners": []}"#,
            Some(r#"<http://127.0.0.2:1/orgs/a/actions/runners?page=2>; rel="next""#),
        );
        assert!(parse(&foreign, &base(), &base(), "page 1").is_err());
    }
}
