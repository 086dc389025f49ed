//! Helpers live in tests/common.
