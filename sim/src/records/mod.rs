//! The records the simulator keeps, shaped as RingCentral serializes them.

pub mod call;
pub mod contact;
pub mod directory;
pub mod message;
pub mod ring_out;

use serde::Serialize;
use strum::{EnumString, IntoStaticStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, EnumString, IntoStaticStr)]
pub enum Direction {
    Inbound,
    Outbound,
}
