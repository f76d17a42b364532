//! Put, Get, Delete, BeginList and ContinueList.

use crate::connect::{stream, unary};
use crate::error::ClientError;
use crate::proto::db::{
    BeginListRequest, ContinueListRequest, DeleteItem, DeleteRequest, DeleteResponse,
    FilterCondition, GetItem, GetRequest, GetResponse, Item, ListResponse, ListToken, PutItem,
    PutRequest, PutResponse, SortDirection, filter_condition, list_response,
};

use super::StatelyClient;

/// Options of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Page size; 0 uses the client's page size.
    pub limit: u32,
    /// Descending key order.
    pub descending: bool,
    /// Only these item types (all when empty).
    pub item_types: Vec<String>,
}

/// One page of a list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListPage {
    /// The items of this page.
    pub items: Vec<Item>,
    /// The token; `can_continue` says whether another page may follow.
    pub token: Option<ListToken>,
}

impl ListPage {
    /// The token data to continue with, when more may follow.
    pub fn continuation(&self) -> Option<&[u8]> {
        self.token
            .as_ref()
            .filter(|t| t.can_continue)
            .map(|t| t.token_data.as_slice())
    }

    pub(crate) fn from_responses(responses: Vec<ListResponse>) -> Self {
        let mut page = ListPage::default();
        for response in responses {
            match response.response {
                Some(list_response::Response::Result(result)) => page.items.extend(result.items),
                Some(list_response::Response::Finished(finished)) => page.token = finished.token,
                None => {}
            }
        }
        page
    }
}

pub(crate) fn filters(item_types: &[String]) -> Vec<FilterCondition> {
    item_types
        .iter()
        .map(|t| FilterCondition {
            value: Some(filter_condition::Value::ItemType(t.clone())),
        })
        .collect()
}

impl StatelyClient {
    /// One unary call of `method` with auth, the 401 refresh and retries; counts a round trip per
    /// attempt.
    async fn unary<Req: prost::Message, Resp: prost::Message + Default>(
        &self,
        method: &str,
        request: &Req,
    ) -> Result<Resp, ClientError> {
        let url = self.url(method);
        self.run(|headers| {
            self.count_round_trip();
            unary::call(&self.inner.http, &url, headers, self.inner.timeout, request)
        })
        .await
    }

    /// Creates or replaces items atomically; returns them as stored (generated ids filled in).
    ///
    /// # Errors
    /// A [`ClientError`] once retries are exhausted (ConditionalCheckFailed for a
    /// `must_not_exist` put whose key exists).
    pub async fn put(&self, puts: Vec<PutItem>) -> Result<Vec<Item>, ClientError> {
        let request = PutRequest {
            store_id: self.inner.store_id,
            puts,
            schema_version_id: self.inner.schema_version,
            schema_id: self.inner.schema_id,
        };
        let response: PutResponse = self.unary("Put", &request).await?;
        self.count_write();
        Ok(response.items)
    }

    /// Reads items by key path; missing items are simply absent from the result.
    ///
    /// # Errors
    /// A [`ClientError`] once retries are exhausted.
    pub async fn get(&self, key_paths: &[String]) -> Result<Vec<Item>, ClientError> {
        if key_paths.is_empty() {
            return Ok(Vec::new());
        }
        let request = GetRequest {
            store_id: self.inner.store_id,
            gets: key_paths
                .iter()
                .map(|k| GetItem {
                    key_path: k.clone(),
                })
                .collect(),
            allow_stale: false,
            schema_version_id: self.inner.schema_version,
            schema_id: self.inner.schema_id,
        };
        let response: GetResponse = self.unary("Get", &request).await?;
        Ok(response.items)
    }

    /// Deletes items by key path, atomically; deleting a missing item succeeds.
    ///
    /// # Errors
    /// A [`ClientError`] once retries are exhausted.
    pub async fn delete(&self, key_paths: &[String]) -> Result<(), ClientError> {
        if key_paths.is_empty() {
            return Ok(());
        }
        let request = DeleteRequest {
            store_id: self.inner.store_id,
            deletes: key_paths
                .iter()
                .map(|k| DeleteItem {
                    key_path: k.clone(),
                })
                .collect(),
            schema_version_id: self.inner.schema_version,
            schema_id: self.inner.schema_id,
        };
        let _: DeleteResponse = self.unary("Delete", &request).await?;
        self.count_write();
        Ok(())
    }

    /// The first page of the items under `prefix` (which must include the group key).
    ///
    /// # Errors
    /// A [`ClientError`] once retries are exhausted.
    pub async fn begin_list(
        &self,
        prefix: &str,
        options: &ListOptions,
    ) -> Result<ListPage, ClientError> {
        let request = BeginListRequest {
            store_id: self.inner.store_id,
            key_path_prefix: prefix.to_owned(),
            limit: if options.limit == 0 {
                self.inner.page_size
            } else {
                options.limit
            },
            allow_stale: false,
            sort_direction: if options.descending {
                SortDirection::SortDescending
            } else {
                SortDirection::SortAscending
            } as i32,
            schema_version_id: self.inner.schema_version,
            schema_id: self.inner.schema_id,
            filter_conditions: filters(&options.item_types),
        };
        let url = self.url("BeginList");
        let responses: Vec<ListResponse> = self
            .run(|headers| {
                self.count_round_trip();
                stream::call(
                    &self.inner.http,
                    &url,
                    headers,
                    self.inner.timeout,
                    &request,
                )
            })
            .await?;
        Ok(ListPage::from_responses(responses))
    }

    /// The next page after a page whose token allows continuing.
    ///
    /// # Errors
    /// A [`ClientError`] once retries are exhausted.
    pub async fn continue_list(&self, token_data: &[u8]) -> Result<ListPage, ClientError> {
        let request = ContinueListRequest {
            token_data: token_data.to_vec(),
            direction: 0,
            schema_version_id: self.inner.schema_version,
            schema_id: self.inner.schema_id,
        };
        let url = self.url("ContinueList");
        let responses: Vec<ListResponse> = self
            .run(|headers| {
                self.count_round_trip();
                stream::call(
                    &self.inner.http,
                    &url,
                    headers,
                    self.inner.timeout,
                    &request,
                )
            })
            .await?;
        Ok(ListPage::from_responses(responses))
    }

    /// Every item under `prefix`, following continuation tokens page by page.
    ///
    /// # Errors
    /// A [`ClientError`] once retries are exhausted.
    pub async fn list_all(
        &self,
        prefix: &str,
        options: &ListOptions,
    ) -> Result<Vec<Item>, ClientError> {
        let mut page = self.begin_list(prefix, options).await?;
        let mut items = std::mem::take(&mut page.items);
        while let Some(token) = page.continuation().map(<[u8]>::to_vec) {
            page = self.continue_list(&token).await?;
            if page.items.is_empty() && page.continuation() == Some(token.as_slice()) {
                return Err(ClientError::Protocol(
                    "ContinueList made no progress (same token, no items)".to_owned(),
                ));
            }
            items.append(&mut page.items);
        }
        Ok(items)
    }
}
