//! The signed interactivity endpoint: History, Acknowledge and Silence 1 h buttons answered through
//! `response_url` (a real loopback receiver), and stale, forged, replayed and malformed requests
//! refused before the store or the hook is touched.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use runner_monitor_core::Store;
use runner_monitor_core::testing::{CountingStore, at};
use runner_monitor_core::{RunnerStatus, Scope, Timestamp};
use runner_monitor_memory::MemoryStore;
use runner_monitor_slack::blocks::Message;
use runner_monitor_slack::fake::{FakeSlackApi, SlackReceiver, render_plain};
use runner_monitor_slack::interactions::{
    ACK_ACTION, ActionTarget, HISTORY_ACTION, IncidentActions, SILENCE_1H_ACTION, User, buttons,
};
use runner_monitor_slack::signature::sign;
use runner_monitor_slack::web_api::{BotMessage, Posted, SlackWebApi, Tone};
use runner_monitor_slack::{SlashCommands, SlashResponse};
use secrecy::SecretString;
use serde_json::{Value, json};

use common::slash::{now, observed_record, outage, runner, secret, seed};

fn scope() -> Scope {
    Scope::repo("acme", "api")
}

fn target() -> ActionTarget {
    ActionTarget {
        scope: scope(),
        runner: "build-1".to_owned(),
        outage: 2,
    }
}

/// One hook call: what, on which outage, by whom, for how long.
type HookCall = (String, ActionTarget, String, Option<Duration>);

/// Signed headers, the status expected, the error code expected.
type Refusal = (Vec<(String, String)>, u16, &'static str);

/// What the hook was asked to do.
#[derive(Debug, Default)]
struct Recorder {
    calls: Mutex<Vec<HookCall>>,
}

#[async_trait]
impl IncidentActions for Recorder {
    async fn acknowledge(
        &self,
        target: &ActionTarget,
        user: &User,
        _now: Timestamp,
    ) -> Result<Message, String> {
        self.calls.lock().expect("lock").push((
            "ack".into(),
            target.clone(),
            user.id.clone(),
            None,
        ));
        Ok(Message::new(format!(
            "Outage #{} of {} acknowledged by <@{}>",
            target.outage, target.runner, user.id
        )))
    }

    async fn silence(
        &self,
        target: &ActionTarget,
        duration: Duration,
        user: &User,
        _now: Timestamp,
    ) -> Result<Message, String> {
        self.calls.lock().expect("lock").push((
            "silence".into(),
            target.clone(),
            user.id.clone(),
            Some(duration),
        ));
        Err("silences are full <!channel>".to_owned())
    }
}

struct Rig {
    commands: SlashCommands,
    store: Arc<CountingStore>,
    receiver: SlackReceiver,
    hook: Arc<Recorder>,
}

async fn rig(with_hook: bool) -> Rig {
    let memory = MemoryStore::new();
    seed(
        &memory,
        &scope(),
        observed_record(),
        vec![runner("build-1", RunnerStatus::Offline, at(3600))],
        vec![
            outage("build-1", 1, at(0), Some(at(600))),
            outage("build-1", 2, at(3600), None),
        ],
    )
    .await;
    let store = Arc::new(CountingStore::new(Arc::new(memory)));
    let hook = Arc::new(Recorder::default());
    let mut commands = SlashCommands::new(store.clone(), vec![scope()], secret())
        .expect("handler")
        .allow_loopback_response_url(true);
    if with_hook {
        commands = commands.incident_actions(hook.clone());
    }
    Rig {
        commands,
        store,
        receiver: SlackReceiver::start().await.expect("receiver"),
        hook,
    }
}

/// A `block_actions` payload as Slack sends it for a click on the alert of `target()`.
fn payload(receiver: &SlackReceiver, action_id: &str, value: &str) -> Value {
    json!({
        "type": "block_actions",
        "user": { "id": "U0ANA", "username": "ana" },
        "actions": [{ "action_id": action_id, "value": value, "type": "button" }],
        "response_url": receiver.url(),
        "channel": { "id": "C0FAKEALERT" },
        "container": { "type": "message", "channel_id": "C0FAKEALERT", "message_ts": "1700000000.000001" },
        "message": {
            "ts": "1700000000.000001",
            "text": "build-1 offline",
            "attachments": [{ "color": "#E01E5A", "blocks": [
                { "type": "section", "text": { "type": "mrkdwn", "text": "*build-1* is offline" } },
                buttons(&target()),
            ]}],
        },
    })
}

fn body(payload: &Value) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &payload.to_string())
        .finish()
        .into_bytes()
}

fn headers(body: &[u8], ts: Timestamp, secret: &SecretString) -> Vec<(String, String)> {
    let ts = ts.timestamp().to_string();
    vec![
        ("X-Slack-Request-Timestamp".to_owned(), ts.clone()),
        ("X-Slack-Signature".to_owned(), sign(secret, &ts, body)),
    ]
}

async fn click(rig: &Rig, action_id: &str, value: &str) -> SlashResponse {
    let body = body(&payload(&rig.receiver, action_id, value));
    let answer = rig
        .commands
        .handle_interaction(&headers(&body, now(), &secret()), &body, now())
        .await;
    rig.commands.finish_delayed().await;
    answer
}

#[tokio::test]
async fn history_answers_through_the_history_command_ephemerally() {
    let rig = rig(false).await;
    let answer = click(&rig, HISTORY_ACTION, &target().value()).await;
    assert_eq!((answer.status, answer.body.clone()), (200, json!({})));
    let messages = rig.receiver.messages();
    assert_eq!(messages.len(), 1);
    let text = render_plain(&messages[0]);
    assert!(text.contains("Outage history: build-1"), "{text}");
    assert!(
        text.contains("Outage #2") && text.contains("Outage #1"),
        "{text}"
    );
    assert_eq!(messages[0]["response_type"], "ephemeral");
    assert_eq!(messages[0]["replace_original"], false);
    assert_eq!(rig.store.counts().other_reads, 1, "one outages read");
}

/// The ids of the buttons left on a replaced message.
fn buttons_left(replaced: &Value) -> Vec<String> {
    replaced["attachments"][0]["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .map(|e| e["action_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn acknowledge_and_silence_go_to_the_hook() {
    let rig = rig(true).await;
    click(&rig, ACK_ACTION, &target().value()).await;
    click(&rig, SILENCE_1H_ACTION, &target().value()).await;
    let calls = rig.hook.calls.lock().expect("lock").clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0], ("ack".into(), target(), "U0ANA".into(), None));
    assert_eq!(
        calls[1],
        (
            "silence".into(),
            target(),
            "U0ANA".into(),
            Some(Duration::from_secs(3600))
        )
    );
    let messages = rig.receiver.messages();
    assert_eq!(messages.len(), 3, "{messages:?}");
    // Done: the alert is replaced without its Acknowledge button, then the channel is told.
    assert_eq!(messages[0]["replace_original"], true);
    assert_eq!(
        buttons_left(&messages[0]),
        [SILENCE_1H_ACTION, HISTORY_ACTION]
    );
    assert!(messages[0].to_string().contains("Acknowledged by <@U0ANA>"));
    assert_eq!(messages[1]["response_type"], "in_channel");
    assert_eq!(messages[1]["replace_original"], false);
    let text = messages[1]["text"].as_str().unwrap_or_default();
    assert!(text.contains("acknowledged by <@U0ANA>"), "{text}");
    // The hook's refusal is shown to the clicker only, escaped; the alert stays as it was.
    assert_eq!(messages[2]["response_type"], "ephemeral");
    assert_eq!(messages[2]["replace_original"], false);
    let refused = render_plain(&messages[2]);
    assert!(refused.contains("silences are full"), "{refused}");
    assert!(!messages[2].to_string().contains("<!channel>"));
    assert_eq!(rig.store.counts().loads + rig.store.counts().other_reads, 0);
}

#[tokio::test]
async fn the_default_actions_store_the_acknowledgement_and_the_silence() {
    let rig = rig(false).await;
    click(&rig, ACK_ACTION, &target().value()).await;
    let state = rig.store.load(&scope()).await.expect("load");
    let ack = state.open_outages["build-1"]
        .acknowledged
        .clone()
        .expect("acknowledged");
    assert_eq!((ack.by.as_str(), ack.at), ("U0ANA", now()));
    let messages = rig.receiver.messages();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[0]["replace_original"], true);
    assert!(messages[0].to_string().contains("Acknowledged by <@U0ANA>"));
    let told = render_plain(&messages[1]);
    assert!(
        told.contains("@U0ANA acknowledged outage #2 of build-1 in acme/api"),
        "{told}"
    );

    // A second click keeps the first acknowledgement.
    let later = now() + chrono::Duration::seconds(30);
    let second = body(&payload(&rig.receiver, ACK_ACTION, &target().value()));
    rig.commands
        .handle_interaction(&headers(&second, later, &secret()), &second, later)
        .await;
    rig.commands.finish_delayed().await;
    let again = rig.store.load(&scope()).await.expect("load");
    assert_eq!(again.open_outages["build-1"].acknowledged, Some(ack));
    let last = rig.receiver.messages().last().cloned().expect("told");
    assert!(
        render_plain(&last).contains("already acknowledged"),
        "{last}"
    );

    // The button of an outage that is over changes nothing and says so, to the clicker only.
    let before = rig.receiver.messages().len();
    let over = ActionTarget {
        outage: 1,
        ..target()
    };
    click(&rig, ACK_ACTION, &over.value()).await;
    let messages = rig.receiver.messages();
    assert_eq!(messages.len(), before + 1);
    let last = messages.last().expect("notice");
    assert_eq!(last["response_type"], "ephemeral");
    assert!(
        render_plain(last).contains("current outage is #2"),
        "{}",
        render_plain(last)
    );

    // Silence 1 h: a stored silence of the runner, ending in an hour.
    click(&rig, SILENCE_1H_ACTION, &target().value()).await;
    let silences = rig.store.silences().await.expect("silences");
    assert_eq!(silences.len(), 1);
    assert_eq!(silences[0].target.to_string(), "build-1");
    assert_eq!(silences[0].created_by, "U0ANA");
    assert!(silences[0].is_active(now() + chrono::Duration::minutes(59)));
    assert!(!silences[0].is_active(now() + chrono::Duration::minutes(61)));
    let messages = rig.receiver.messages();
    let replaced = &messages[messages.len() - 2];
    assert_eq!(replaced["replace_original"], true);
    assert_eq!(buttons_left(replaced), [ACK_ACTION, HISTORY_ACTION]);
    assert!(replaced.to_string().contains("Silenced for 1h by <@U0ANA>"));
}

/// The fake Slack Web API, a client for it, and an alert posted there.
async fn bot_alert() -> (FakeSlackApi, Arc<SlackWebApi>, Posted) {
    let slack = FakeSlackApi::start().await.expect("fake");
    let api = Arc::new(
        SlackWebApi::builder(slack.token(), slack.channel_secret())
            .base_url(slack.base_url())
            .build()
            .expect("client"),
    );
    let alert = api
        .post(
            &BotMessage::new(Message::new("build-1 offline"), Tone::Alert),
            "k",
        )
        .await
        .expect("alert posted");
    (slack, api, alert)
}

#[tokio::test]
async fn in_bot_mode_the_outcome_goes_in_the_alert_thread() {
    let (slack, api, alert) = bot_alert().await;
    let mut rig = rig(false).await;
    rig.commands = rig.commands.thread_replies("slack", api.clone());
    let mut clicked = payload(&rig.receiver, ACK_ACTION, &target().value());
    clicked["container"]["channel_id"] = json!(alert.channel);
    clicked["container"]["message_ts"] = json!(alert.ts);
    let body = body(&clicked);
    rig.commands
        .handle_interaction(&headers(&body, now(), &secret()), &body, now())
        .await;
    rig.commands.finish_delayed().await;
    let thread = slack.thread(&alert.channel, &alert.ts);
    assert_eq!(thread.len(), 1, "one reply in the alert's thread");
    assert!(
        thread[0].posted.text.contains("acknowledged outage #2"),
        "{}",
        thread[0].posted.text
    );
    // The alert is updated with the bot token (chat.update), not through response_url, and
    // the channel gets no second message.
    assert!(
        rig.receiver.messages().is_empty(),
        "{:?}",
        rig.receiver.messages()
    );
    assert_eq!(slack.top_level().len(), 1);
    let updated = slack.message(&alert.channel, &alert.ts).expect("alert");
    assert_eq!(updated.edits.len(), 1);
    let shown = updated.current().shown_blocks().to_string();
    assert!(shown.contains("Acknowledged by <@U0ANA>"), "{shown}");
    assert!(
        !shown.contains(ACK_ACTION),
        "the Acknowledge button is gone: {shown}"
    );
    assert!(shown.contains(HISTORY_ACTION), "{shown}");
    assert_eq!(
        updated.current().color(),
        Some("#E01E5A"),
        "still red: still down"
    );
}

#[tokio::test]
async fn in_bot_mode_a_click_without_response_url_is_still_carried_out() {
    let (slack, api, alert) = bot_alert().await;
    let mut rig = rig(false).await;
    rig.commands = rig.commands.thread_replies("slack", api.clone());
    let mut clicked = payload(&rig.receiver, ACK_ACTION, &target().value());
    clicked["response_url"] = json!("https://example.com/not-slack");
    clicked["container"]["channel_id"] = json!(alert.channel);
    clicked["container"]["message_ts"] = json!(alert.ts);
    let body = body(&clicked);
    let answer = rig
        .commands
        .handle_interaction(&headers(&body, now(), &secret()), &body, now())
        .await;
    rig.commands.finish_delayed().await;
    assert_eq!(answer.status, 200);
    let state = rig.store.load(&scope()).await.expect("load");
    assert!(state.open_outages["build-1"].acknowledged.is_some());
    assert_eq!(slack.thread(&alert.channel, &alert.ts).len(), 1);
    assert_eq!(slack.calls_of("chat.update"), 1);
    assert!(rig.receiver.received().is_empty());
}

#[tokio::test]
async fn unknown_buttons_and_values_get_a_notice() {
    let rig = rig(true).await;
    click(&rig, "something_else", &target().value()).await;
    click(&rig, HISTORY_ACTION, "not a target at all").await;
    let texts: Vec<String> = rig.receiver.messages().iter().map(render_plain).collect();
    assert!(
        texts[0].contains("not known to this version"),
        "{}",
        texts[0]
    );
    assert!(texts[1].contains("does not name an outage"), "{}", texts[1]);
    assert!(rig.hook.calls.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn forged_stale_replayed_and_malformed_requests_are_refused() {
    let rig = rig(true).await;
    let body = body(&payload(&rig.receiver, ACK_ACTION, &target().value()));
    let forged = SecretString::from("not-the-signing-secret");
    let cases: Vec<Refusal> = vec![
        (headers(&body, now(), &forged), 401, "invalid_signature"),
        (
            headers(&body, now() - chrono::Duration::seconds(301), &secret()),
            401,
            "stale_request",
        ),
        (Vec::new(), 401, "missing_timestamp"),
    ];
    for (headers, status, code) in cases {
        let answer = rig
            .commands
            .handle_interaction(&headers, &body, now())
            .await;
        assert_eq!(answer.status, status, "{code}: {:?}", answer.body);
        assert_eq!(answer.body["error"], code);
    }
    // Signed, accepted once, then the very same request again.
    let signed = headers(&body, now(), &secret());
    let first = rig.commands.handle_interaction(&signed, &body, now()).await;
    assert_eq!(first.status, 200);
    let again = rig
        .commands
        .handle_interaction(&signed, &body, now() + chrono::Duration::seconds(5))
        .await;
    assert_eq!(
        (again.status, again.body["error"].clone()),
        (401, json!("replayed"))
    );
    // Signed but no payload.
    let bare = b"token=x&type=block_actions".to_vec();
    let answer = rig
        .commands
        .handle_interaction(&headers(&bare, now(), &secret()), &bare, now())
        .await;
    assert_eq!(
        (answer.status, answer.body["error"].clone()),
        (400, json!("malformed_request"))
    );
    // Too large.
    let huge = vec![b'a'; 70 * 1024];
    let answer = rig
        .commands
        .handle_interaction(&headers(&huge, now(), &secret()), &huge, now())
        .await;
    assert_eq!(answer.status, 413);
    rig.commands.finish_delayed().await;
    assert_eq!(
        rig.hook.calls.lock().expect("lock").len(),
        1,
        "only the first signed click"
    );
    // The first click's replaced alert and its in-channel answer; nothing for the others.
    assert_eq!(rig.receiver.received().len(), 2);
    assert_eq!(rig.store.counts().loads + rig.store.counts().other_reads, 0);
}

#[tokio::test]
async fn other_payload_types_are_acknowledged_and_ignored() {
    let rig = rig(true).await;
    let mut view = payload(&rig.receiver, ACK_ACTION, &target().value());
    view["type"] = json!("view_submission");
    let body = body(&view);
    let answer = rig
        .commands
        .handle_interaction(&headers(&body, now(), &secret()), &body, now())
        .await;
    rig.commands.finish_delayed().await;
    assert_eq!(answer.status, 200);
    assert!(rig.receiver.received().is_empty());
    assert!(rig.hook.calls.lock().expect("lock").is_empty());
}

#[test]
fn the_buttons_block_names_the_outage() {
    let block = buttons(&target());
    assert_eq!(block["type"], "actions");
    let values: Vec<_> = block["elements"]
        .as_array()
        .expect("elements")
        .iter()
        .map(|e| ActionTarget::parse(e["value"].as_str().unwrap_or_default()))
        .collect();
    assert!(values.iter().all(|v| v.as_ref() == Some(&target())));
}
