//! Benchmark drivers (filled in below).
fn main() {}
