//! Receipts for sinks that follow their messages up ([`Notifier::keeps_receipts`]): after an
//! `opened` (or `degraded`) message, one [`MessageReceipt`] with its members still open; a later
//! `resolved` (`restored`) or reminder message is handed the receipts it follows, so the sink
//! knows when a grouped incident is over ([`MessageReceipt::closed_by`]: PagerDuty resolves the
//! group's incident when all its runners are back). Once delivered, the members it resolved are
//! taken out of the stored receipts, and a receipt left with none is deleted.
//!
//! [`Notifier::keeps_receipts`]: crate::Notifier::keeps_receipts

use tracing::warn;

use crate::model::{Message, MessageReceipt, Timestamp};
use crate::monitor::report::DispatchReport;
use crate::monitor::{Monitor, Sink};

use crate::model::{CLOSING_KINDS as CLOSES, OPENING_KINDS as OPENS, REFERRING_KINDS as REFERS};

/// What became of a message, as far as its receipts are concerned.
pub(super) struct SentMessage<'a> {
    /// The receipts it followed, as stored before it.
    pub(super) followed: &'a [MessageReceipt],
    /// Incident keys of its members the sink accepted.
    pub(super) delivered: &'a [String],
    /// The sink's handle for it.
    pub(super) handle: Option<String>,
    /// When it was sent.
    pub(super) at: Timestamp,
}

impl Monitor {
    /// The receipts `message` follows up, as stored (before this message). Store failures are
    /// logged and give none: the message still goes out, without its follow-up context.
    pub(super) async fn receipts_followed(
        &self,
        sink: &Sink,
        message: &Message,
    ) -> Vec<MessageReceipt> {
        let kind = message.kind_name();
        if !CLOSES.contains(&kind) && !REFERS.contains(&kind) {
            return Vec::new();
        }
        match self
            .store
            .receipts_following(&sink.name, &message.member_keys())
            .await
        {
            Ok(receipts) => receipts,
            Err(error) => {
                warn!(sink = %sink.name, message = %message.key, %error, "cannot read message receipts; sending without them");
                Vec::new()
            }
        }
    }

    /// Records what a sent `message` changed: a new receipt for an opening message (its
    /// delivered members), or the receipts it followed with the delivered members closed.
    pub(super) async fn keep_receipts(
        &self,
        sink: &Sink,
        message: &Message,
        sent: SentMessage<'_>,
        report: &mut DispatchReport,
    ) {
        let SentMessage {
            followed,
            delivered,
            handle,
            at: now,
        } = sent;
        let kind = message.kind_name();
        let updates: Vec<MessageReceipt> = if OPENS.contains(&kind) {
            let mut open = delivered.to_vec();
            open.sort_unstable();
            open.dedup();
            vec![MessageReceipt {
                sink: sink.name.clone(),
                key: message.key.clone(),
                open,
                handle: handle.unwrap_or_else(|| message.key.clone()),
                sent_at: now,
            }]
        } else if CLOSES.contains(&kind) {
            after_closing(followed, delivered)
                .into_iter()
                .zip(followed)
                .filter(|(new, old)| new.open != old.open)
                .map(|(new, _)| new)
                .collect()
        } else {
            Vec::new()
        };
        for receipt in &updates {
            if let Err(error) = self.store.put_receipt(receipt).await {
                warn!(sink = %sink.name, receipt = %receipt.key, %error, "cannot store a message receipt");
                report.store_error.get_or_insert(error);
            }
        }
    }
}

/// The receipts as they are once the `closed` incident keys are resolved.
fn after_closing(receipts: &[MessageReceipt], closed: &[String]) -> Vec<MessageReceipt> {
    receipts
        .iter()
        .map(|receipt| {
            let mut receipt = receipt.clone();
            receipt.open.retain(|key| !closed.contains(key));
            receipt
        })
        .collect()
}
