//! [`ScriptedSource`]: a [`RunnerSource`] that answers from a script.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;

use crate::model::{Observation, Scope};
use crate::ports::{RunnerSource, SourceError};

type Answer = Result<Observation, SourceError>;

/// Answers each scope's calls from a queue of observations and errors. The last answer of a scope
/// repeats once its queue is down to one; a scope with no script fails with `NotFound`.
#[derive(Debug, Default)]
pub struct ScriptedSource {
    script: Mutex<HashMap<Scope, VecDeque<Answer>>>,
    calls: AtomicUsize,
}

impl ScriptedSource {
    /// An empty script.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an answer for `scope`.
    pub fn push(&self, scope: &Scope, answer: Answer) -> &Self {
        self.lock()
            .entry(scope.clone())
            .or_default()
            .push_back(answer);
        self
    }

    /// Replaces `scope`'s script with this one answer (repeated).
    pub fn set(&self, scope: &Scope, answer: Answer) -> &Self {
        self.lock().insert(scope.clone(), VecDeque::from([answer]));
        self
    }

    /// How many times `observe` was called.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Scope, VecDeque<Answer>>> {
        self.script
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

#[async_trait]
impl RunnerSource for ScriptedSource {
    async fn observe(&self, scope: &Scope) -> Result<Observation, SourceError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let mut script = self.lock();
        let Some(queue) = script.get_mut(scope) else {
            return Err(SourceError::NotFound {
                message: format!("no script for {scope}"),
            });
        };
        if queue.len() > 1
            && let Some(answer) = queue.pop_front()
        {
            return answer;
        }
        queue.front().cloned().unwrap_or_else(|| {
            Err(SourceError::NotFound {
                message: format!("empty script for {scope}"),
            })
        })
    }
}
