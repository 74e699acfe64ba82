//! pre
