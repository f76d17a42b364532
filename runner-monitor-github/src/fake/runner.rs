//! [`FakeRunner`]: a runner to register in the fake's fleet.

/// A runner to add to a [`FakeGitHub`](super::FakeGitHub) fleet. Defaults: online, idle,
/// `linux`, labels `self-hosted`, `linux`, `x64`, runner group 1, not ephemeral.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct FakeRunner {
    pub(crate) name: String,
    pub(crate) os: String,
    pub(crate) online: bool,
    pub(crate) busy: bool,
    pub(crate) labels: Vec<String>,
    pub(crate) ephemeral: bool,
    pub(crate) group_id: Option<u64>,
}

impl FakeRunner {
    /// An online, idle Linux runner called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        FakeRunner {
            name: name.into(),
            os: "linux".into(),
            online: true,
            busy: false,
            labels: vec!["self-hosted".into(), "linux".into(), "x64".into()],
            ephemeral: false,
            group_id: Some(1),
        }
    }

    /// The operating system (`linux`, `macos`, `windows`).
    pub fn os(mut self, os: impl Into<String>) -> Self {
        self.os = os.into();
        self
    }

    /// Online or offline.
    pub fn online(mut self, online: bool) -> Self {
        self.online = online;
        self
    }

    /// Offline.
    pub fn offline(self) -> Self {
        self.online(false)
    }

    /// Running a job or not.
    pub fn busy(mut self, busy: bool) -> Self {
        self.busy = busy;
        self
    }

    /// Replaces the labels.
    pub fn labels<I, S>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.labels = labels.into_iter().map(Into::into).collect();
        self
    }

    /// Adds one label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.labels.push(label.into());
        self
    }

    /// Ephemeral (one job, then deregistered).
    pub fn ephemeral(mut self, ephemeral: bool) -> Self {
        self.ephemeral = ephemeral;
        self
    }

    /// The runner group id (`None`: the field is left out).
    pub fn group(mut self, group_id: Option<u64>) -> Self {
        self.group_id = group_id;
        self
    }
}
