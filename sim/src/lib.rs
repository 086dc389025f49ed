//! The library side of `ringcentral-sim`: only what the tests that run the
//! simulator binary share. The simulator itself is the binary (`main.rs`).

pub mod launcher;
