//! Push notifications (genesys-api.md §6): the hub of channels and sockets, the flow events a
//! publish pushes, one socket's life, and the scenario's `notifications` section.

pub(crate) mod events;
mod hub;
pub(crate) mod socket;
pub(crate) mod spec;

pub(crate) use hub::{Frame, PushHub, TopicAnswer, stopped};
pub use hub::{PushRecord, ReceivedFrame};
