//! The Genesys Cloud Platform API: client, auth, models, errors, regions.

pub mod regions;
