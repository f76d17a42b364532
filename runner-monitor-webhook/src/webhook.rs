//! [`WebhookNotifier`]: POSTs a [`WebhookDocument`] per notification to a configured URL.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use reqwest::Url;
use runner_monitor_core::{Message, Notification, Notifier, NotifyError, Sent};
use runner_monitor_http::{Redactor, UrlRules, check_url};
use secrecy::{ExposeSecret, SecretString};

use crate::client::default_client;
use crate::http_errors::{excerpt, read_body_prefix, status_error, transport_error};
use crate::signature::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use crate::{ConfigError, WebhookDocument, WebhookGroupDocument};

/// Header carrying the notification's idempotency key (the document's `idempotency_key`; bytes
/// outside visible ASCII, and `%`, are percent-encoded).
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// Header carrying the notification kind (`outage_opened`, ...), for routing without parsing.
pub const EVENT_HEADER: &str = "x-runner-monitor-event";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const SERVICE: &str = "the webhook receiver";

/// Headers the notifier sets itself.
const RESERVED: [&str; 5] = [
    "content-type",
    "content-length",
    "host",
    "transfer-encoding",
    IDEMPOTENCY_HEADER,
];

/// Sends each notification as a JSON [`WebhookDocument`] in an HTTP POST.
///
/// Headers: `Content-Type: application/json`, `Idempotency-Key`, `X-Runner-Monitor-Event`, any
/// configured extra headers, and with a signing secret `X-Runner-Monitor-Timestamp` and
/// `X-Runner-Monitor-Signature` (see [`verify_signature`](crate::verify_signature)).
///
/// ```
/// use runner_monitor_webhook::WebhookNotifier;
/// use secrecy::SecretString;
/// let notifier = WebhookNotifier::new(SecretString::from("https://hooks.example.com/rm?token=abc"))?
///     .with_signing_secret(SecretString::from("whsec_123"))
///     .with_header("Authorization", SecretString::from("Bearer xyz"))?
///     .with_timeout(std::time::Duration::from_secs(5));
/// assert!(!format!("{notifier:?}").contains("token=abc"));
/// # Ok::<(), runner_monitor_webhook::ConfigError>(())
/// ```
pub struct WebhookNotifier {
    client: reqwest::Client,
    url: SecretString,
    signing_secret: Option<SecretString>,
    headers: Vec<(HeaderName, SecretString)>,
    timeout: Duration,
    redactor: Redactor,
}

impl std::fmt::Debug for WebhookNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("WebhookNotifier")
            .field("url", &"[redacted]")
            .field("signed", &self.signing_secret.is_some())
            .field("extra_headers", &header_names)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl WebhookNotifier {
    /// A notifier posting to `url` (which may carry a token: it is kept secret), with a 10 s
    /// timeout, no signature and no extra headers.
    ///
    /// # Errors
    /// [`ConfigError::InvalidUrl`] unless `url` is an absolute `https` URL, or `http` to a
    /// loopback host (`127.0.0.1`, `[::1]`, `localhost`);
    /// [`ConfigError::Client`] if the HTTP client cannot be built.
    pub fn new(url: SecretString) -> Result<Self, ConfigError> {
        let parsed = parse_url(&url)?;
        let mut redactor = Redactor::default();
        redactor.add(&url);
        redactor.add_url(&parsed);
        Ok(WebhookNotifier {
            client: default_client()?,
            url,
            signing_secret: None,
            headers: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            redactor,
        })
    }

    /// Signs every request with HMAC-SHA256 under `secret` (headers `X-Runner-Monitor-Timestamp`
    /// and `X-Runner-Monitor-Signature`).
    #[must_use]
    pub fn with_signing_secret(mut self, secret: SecretString) -> Self {
        self.redactor.add(&secret);
        self.signing_secret = Some(secret);
        self
    }

    /// Adds a static header sent with every request, e.g. `Authorization`. The value is secret.
    ///
    /// # Errors
    /// [`ConfigError::InvalidHeaderName`] / [`ConfigError::InvalidHeaderValue`] for what HTTP
    /// does not allow; [`ConfigError::ReservedHeader`] for headers the notifier sets itself
    /// (`Content-Type`, `Idempotency-Key`, `X-Runner-Monitor-*`, ...).
    pub fn with_header(mut self, name: &str, value: SecretString) -> Result<Self, ConfigError> {
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            ConfigError::InvalidHeaderName {
                name: name.to_owned(),
            }
        })?;
        if RESERVED.contains(&header.as_str()) || header.as_str().starts_with("x-runner-monitor-") {
            return Err(ConfigError::ReservedHeader {
                name: name.to_owned(),
            });
        }
        if HeaderValue::from_str(value.expose_secret()).is_err() {
            return Err(ConfigError::InvalidHeaderValue {
                name: name.to_owned(),
            });
        }
        self.redactor.add(&value);
        self.headers.push((header, value));
        Ok(self)
    }

    /// How long a request may take in total (default 10 s); past it the attempt is a transient
    /// failure.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Uses a caller-provided client (connection pool, proxy, ...). Its redirect policy applies;
    /// the crate's own client follows none.
    #[must_use]
    pub fn with_client(mut self, client: reqwest::Client) -> Self {
        self.client = client;
        self
    }

    fn request(&self, notification: &Notification) -> Result<reqwest::RequestBuilder, NotifyError> {
        let document = WebhookDocument::from_notification(notification);
        let body = serde_json::to_vec(&document)
            .map_err(|e| NotifyError::permanent(format!("cannot encode the document: {e}")))?;
        self.request_for(body, &document.idempotency_key, &document.kind)
    }

    fn request_for(
        &self,
        body: Vec<u8>,
        idempotency_key: &str,
        kind: &str,
    ) -> Result<reqwest::RequestBuilder, NotifyError> {
        let url = Url::parse(self.url.expose_secret())
            .map_err(|_| NotifyError::permanent("the webhook URL is invalid"))?;
        let mut request = self
            .client
            .post(url)
            .timeout(self.timeout)
            .header(CONTENT_TYPE, "application/json")
            .header(IDEMPOTENCY_HEADER, header_safe(idempotency_key))
            .header(EVENT_HEADER, kind);
        for (name, value) in &self.headers {
            let mut value = HeaderValue::from_str(value.expose_secret())
                .map_err(|_| NotifyError::permanent(format!("invalid value for header {name}")))?;
            value.set_sensitive(true);
            request = request.header(name, value);
        }
        if let Some(secret) = &self.signing_secret {
            let timestamp = unix_now();
            request = request
                .header(TIMESTAMP_HEADER, timestamp.to_string())
                .header(SIGNATURE_HEADER, sign(secret, timestamp, &body));
        }
        Ok(request.body(body))
    }
}

#[async_trait]
impl Notifier for WebhookNotifier {
    async fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        let request = self.request(notification)?;
        self.post(
            request,
            notification.kind_name(),
            &notification.idempotency_key(),
        )
        .await
    }

    /// A group is one POST of a [`WebhookGroupDocument`] (a message of one is the member's own
    /// document, as [`notify`](Self::notify) sends it).
    async fn send(&self, message: &Message) -> Sent {
        let result = match message.members.as_slice() {
            [one] => self.notify(one).await,
            _ => match serde_json::to_vec(&WebhookGroupDocument::from_message(message)) {
                Ok(body) => match self.request_for(body, &message.key, message.kind_name()) {
                    Ok(request) => self.post(request, message.kind_name(), &message.key).await,
                    Err(error) => Err(error),
                },
                Err(e) => Err(NotifyError::permanent(format!(
                    "cannot encode the document: {e}"
                ))),
            },
        };
        Sent::all(message.members.len(), result)
    }
}

impl WebhookNotifier {
    async fn post(
        &self,
        request: reqwest::RequestBuilder,
        kind: &str,
        idempotency_key: &str,
    ) -> Result<(), NotifyError> {
        let response = request
            .send()
            .await
            .map_err(|e| transport_error(SERVICE, e, self.timeout, &self.redactor))?;
        let status = response.status();
        if status.is_success() {
            tracing::debug!(
                kind,
                idempotency_key = %idempotency_key,
                status = status.as_u16(),
                "webhook delivered"
            );
            return Ok(());
        }
        let headers = response.headers().clone();
        let body = read_body_prefix(response).await;
        Err(status_error(
            SERVICE,
            status,
            &headers,
            &excerpt(&body),
            &self.redactor,
        ))
    }
}

/// The URL, `https` (or `http` to a loopback host); a query and user info may carry its token.
fn parse_url(url: &SecretString) -> Result<Url, ConfigError> {
    check_url(url.expose_secret(), UrlRules::ENDPOINT).map_err(|error| ConfigError::InvalidUrl {
        what: "webhook",
        reason: error.to_string(),
    })
}

/// Seconds since the Unix epoch (0 if the clock is before 1970).
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The key as a header value: visible ASCII other than `%` is kept, every other byte becomes
/// `%XX`.
fn header_safe(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for byte in key.bytes() {
        if (0x21..=0x7e).contains(&byte) && byte != b'%' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_safe_keys() {
        assert_eq!(
            header_safe("acme/api/runner:b-1/outage:3/outage_opened"),
            "acme/api/runner:b-1/outage:3/outage_opened"
        );
        assert_eq!(header_safe("runner:é 1%"), "runner:%C3%A9%201%25");
    }

    #[test]
    fn rejects_bad_urls_without_echoing_them() {
        for url in [
            "not a url",
            "ftp://x.example/secret-path",
            "file:///secret-path",
            "http://example.com/secret-path",
            "http://10.1.2.3:8080/secret-path",
        ] {
            let err = WebhookNotifier::new(SecretString::from(url)).err();
            let text = format!(
                "{err:?} {}",
                err.as_ref().map(ToString::to_string).unwrap_or_default()
            );
            assert!(err.is_some(), "{url}");
            assert!(
                !text.contains("secret-path") && !text.contains("not a url"),
                "{text}"
            );
        }
    }

    #[test]
    fn plain_http_is_refused_except_for_loopback() {
        let error = WebhookNotifier::new(SecretString::from("http://example.com/hook?token=t0k3n"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.contains("plain http:// is allowed only for a loopback host"),
            "{error}"
        );
        assert!(
            !error.contains("t0k3n") && !error.contains("example.com"),
            "{error}"
        );
        for ok in [
            "http://127.0.0.1:9/x",
            "http://localhost:9/x",
            "http://[::1]:9/x",
            "https://example.com/x?token=1",
        ] {
            assert!(WebhookNotifier::new(SecretString::from(ok)).is_ok(), "{ok}");
        }
    }

    #[test]
    fn header_configuration_is_checked() -> Result<(), ConfigError> {
        let n = WebhookNotifier::new(SecretString::from("http://127.0.0.1:9/x"))?;
        let n = n.with_header("Authorization", SecretString::from("Bearer t0ken-value"))?;
        assert!(matches!(
            n.with_header("Idempotency-Key", SecretString::from("x")),
            Err(ConfigError::ReservedHeader { .. })
        ));
        let n = WebhookNotifier::new(SecretString::from("http://127.0.0.1:9/x"))?;
        assert!(matches!(
            n.with_header("X-Runner-Monitor-Signature", SecretString::from("x")),
            Err(ConfigError::ReservedHeader { .. })
        ));
        let n = WebhookNotifier::new(SecretString::from("http://127.0.0.1:9/x"))?;
        assert!(matches!(
            n.with_header("bad name", SecretString::from("x")),
            Err(ConfigError::InvalidHeaderName { .. })
        ));
        let n = WebhookNotifier::new(SecretString::from("http://127.0.0.1:9/x"))?;
        let err = n.with_header("X-Token", SecretString::from("line\nbreak-secret"));
        assert!(matches!(err, Err(ConfigError::InvalidHeaderValue { .. })));
        assert!(!format!("{err:?}").contains("break-secret"));
        Ok(())
    }
}
