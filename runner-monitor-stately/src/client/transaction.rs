//! [`Transaction`]: the bidirectional Transaction stream. Reads see the state as of the start;
//! the commit fails with `ConcurrentModification` if anything read was written meanwhile.

use std::future::Future;
use std::sync::atomic::Ordering;

use reqwest::header::HeaderMap;

use crate::connect::bidi::BidiStream;
use crate::error::ClientError;
use crate::proto::db::{DeleteItem, GetItem, Item, PutItem, SortDirection};
use crate::proto::transaction::{
    Empty, GeneratedId, TransactionBegin, TransactionBeginList, TransactionContinueList,
    TransactionDelete, TransactionFinished, TransactionGet, TransactionPut, TransactionRequest,
    TransactionResponse, transaction_list_response, transaction_request::Command,
    transaction_response::Result as Answer,
};

use super::calls::filters;
use super::{ListOptions, StatelyClient};

/// An open transaction. Obtained inside [`StatelyClient::transaction`]; dropping it without
/// [`commit`](Self::commit) abandons it (nothing is written).
#[derive(Debug)]
pub struct Transaction {
    client: StatelyClient,
    stream: BidiStream,
    next_id: u32,
    begun: bool,
    wrote: bool,
}

impl StatelyClient {
    /// Runs `body` in a transaction. The body gets the open [`Transaction`] and should end it
    /// with [`commit`](Transaction::commit) or [`abort`](Transaction::abort). The whole body is
    /// run again (a fresh transaction) after a retryable failure, including
    /// `ConcurrentModification`, within the retry policy, and once more after a token refresh
    /// when the server answers 401. Map errors inside the body to `Ok` values to stop that.
    ///
    /// # Errors
    /// The body's error once retries are exhausted.
    pub async fn transaction<T, F, Fut>(&self, body: F) -> Result<T, ClientError>
    where
        F: Fn(Transaction) -> Fut,
        Fut: Future<Output = Result<T, ClientError>>,
    {
        self.run(|headers| body(self.open_transaction(headers)))
            .await
    }

    fn open_transaction(&self, headers: HeaderMap) -> Transaction {
        self.inner
            .counters
            .transactions
            .fetch_add(1, Ordering::Relaxed);
        Transaction {
            client: self.clone(),
            stream: BidiStream::open(
                &self.inner.http,
                &self.url("Transaction"),
                headers,
                self.inner.transaction_timeout,
            ),
            next_id: 1,
            begun: false,
            wrote: false,
        }
    }
}

impl Transaction {
    fn send(&mut self, command: Command) -> Result<u32, ClientError> {
        if !self.begun {
            self.begun = true;
            let begin = Command::Begin(TransactionBegin {
                store_id: self.client.inner.store_id,
                schema_version_id: self.client.inner.schema_version,
                schema_id: self.client.inner.schema_id,
            });
            self.send_raw(begin)?;
        }
        self.send_raw(command)
    }

    fn send_raw(&mut self, command: Command) -> Result<u32, ClientError> {
        let message_id = self.next_id;
        self.next_id += 1;
        self.stream.send(&TransactionRequest {
            message_id,
            command: Some(command),
        })?;
        Ok(message_id)
    }

    async fn answer(&mut self, message_id: u32) -> Result<Answer, ClientError> {
        let response: TransactionResponse = self.stream.recv().await?.ok_or_else(|| {
            ClientError::Protocol(format!(
                "the transaction stream ended before answering message {message_id}"
            ))
        })?;
        if response.message_id != message_id {
            return Err(ClientError::Protocol(format!(
                "expected an answer to message {message_id}, got one to {}",
                response.message_id
            )));
        }
        response
            .result
            .ok_or_else(|| ClientError::Protocol(format!("empty answer to message {message_id}")))
    }

    /// Reads items by key path (as of the start of the transaction).
    ///
    /// # Errors
    /// A [`ClientError`]; the transaction is then unusable.
    pub async fn get(&mut self, key_paths: &[String]) -> Result<Vec<Item>, ClientError> {
        let id = self.send(Command::GetItems(TransactionGet {
            gets: key_paths
                .iter()
                .map(|k| GetItem {
                    key_path: k.clone(),
                })
                .collect(),
        }))?;
        self.client.count_round_trip();
        match self.answer(id).await? {
            Answer::GetResults(results) => Ok(results.items),
            other => Err(unexpected("get_results", &other)),
        }
    }

    /// Every item under `prefix`, following continuation within the transaction.
    ///
    /// # Errors
    /// A [`ClientError`]; the transaction is then unusable.
    pub async fn list_all(
        &mut self,
        prefix: &str,
        options: &ListOptions,
    ) -> Result<Vec<Item>, ClientError> {
        let mut command = Command::BeginList(TransactionBeginList {
            key_path_prefix: prefix.to_owned(),
            limit: if options.limit == 0 {
                self.client.inner.page_size
            } else {
                options.limit
            },
            sort_direction: if options.descending {
                SortDirection::SortDescending
            } else {
                SortDirection::SortAscending
            } as i32,
            filter_conditions: filters(&options.item_types),
        });
        let mut items = Vec::new();
        let mut previous: Option<Vec<u8>> = None;
        loop {
            let before = items.len();
            let id = self.send(command)?;
            self.client.count_round_trip();
            let token = loop {
                match self.answer(id).await? {
                    Answer::ListResults(list) => match list.result {
                        Some(transaction_list_response::Result::Result(part)) => {
                            items.extend(part.items);
                        }
                        Some(transaction_list_response::Result::Finished(finished)) => {
                            break finished.token;
                        }
                        None => {}
                    },
                    other => return Err(unexpected("list_results", &other)),
                }
            };
            match token.filter(|t| t.can_continue) {
                Some(token)
                    if items.len() == before && previous.as_ref() == Some(&token.token_data) =>
                {
                    return Err(ClientError::Protocol(
                        "continue_list made no progress (same token, no items)".to_owned(),
                    ));
                }
                Some(token) => {
                    previous = Some(token.token_data.clone());
                    command = Command::ContinueList(TransactionContinueList {
                        token_data: token.token_data,
                        direction: 0,
                    });
                }
                None => return Ok(items),
            }
        }
    }

    /// Puts items; returns the generated ids, one per put in order (empty ones for puts without).
    ///
    /// # Errors
    /// A [`ClientError`]; the transaction is then unusable.
    pub async fn put(&mut self, puts: Vec<PutItem>) -> Result<Vec<GeneratedId>, ClientError> {
        if puts.is_empty() {
            return Ok(Vec::new());
        }
        let id = self.send(Command::PutItems(TransactionPut { puts }))?;
        self.wrote = true;
        self.client.count_round_trip();
        match self.answer(id).await? {
            Answer::PutAck(ack) => Ok(ack.generated_ids),
            other => Err(unexpected("put_ack", &other)),
        }
    }

    /// Deletes items (no answer is awaited).
    ///
    /// # Errors
    /// [`ClientError::Transport`] if the stream is closed.
    pub fn delete(&mut self, key_paths: &[String]) -> Result<(), ClientError> {
        if key_paths.is_empty() {
            return Ok(());
        }
        self.send(Command::DeleteItems(TransactionDelete {
            deletes: key_paths
                .iter()
                .map(|k| DeleteItem {
                    key_path: k.clone(),
                })
                .collect(),
        }))?;
        self.wrote = true;
        Ok(())
    }

    /// Commits.
    ///
    /// # Errors
    /// `ConcurrentModification` ([`ClientError::is_concurrent_modification`]) when something the
    /// transaction read was written meanwhile; other [`ClientError`]s.
    pub async fn commit(mut self) -> Result<TransactionFinished, ClientError> {
        let finished = self.finish(Command::Commit(Empty {})).await?;
        if !finished.committed {
            return Err(ClientError::Protocol(
                "the server finished the transaction without committing it".to_owned(),
            ));
        }
        if self.wrote {
            self.client.count_write();
        }
        Ok(finished)
    }

    /// Aborts (nothing is written). Errors are ignored: an abandoned transaction writes nothing.
    pub async fn abort(mut self) {
        if self.begun
            && let Err(error) = self.finish(Command::Abort(Empty {})).await
        {
            tracing::debug!(%error, "aborting a StatelyDB transaction failed");
        }
    }

    async fn finish(&mut self, command: Command) -> Result<TransactionFinished, ClientError> {
        let id = self.send(command)?;
        self.client.count_round_trip();
        let answer = self.answer(id).await;
        self.stream.close_send();
        let finished = match answer? {
            Answer::Finished(finished) => finished,
            other => return Err(unexpected("finished", &other)),
        };
        // The server closes with an end-of-stream message; an error there still counts.
        while self.stream.recv::<TransactionResponse>().await?.is_some() {}
        Ok(finished)
    }
}

fn unexpected(expected: &str, got: &Answer) -> ClientError {
    let got = match got {
        Answer::GetResults(_) => "get_results",
        Answer::PutAck(_) => "put_ack",
        Answer::ListResults(_) => "list_results",
        Answer::Finished(_) => "finished",
    };
    ClientError::Protocol(format!("expected {expected}, got {got}"))
}
