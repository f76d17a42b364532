//! Finding a runner across the watched scopes (`/runner-history <runner>`).
