//! The HTTP plumbing every route shares: the error envelope, the request and auth layers,
//! query strings with repeated keys, paged listings, and the records tests read back.

pub(crate) mod errors;
pub(crate) mod middleware;
pub(crate) mod paging;
pub(crate) mod query;
pub(crate) mod records;
