//! Benchmark drivers and data generators for cratesmith.
//!
//! ```text
//! cratesmith-bench bump [--members N] [--runs R] [--dir DIR]
//! cratesmith-bench sum [--runs R] [--dir DIR]
//! cratesmith-bench changelog [--runs R] [--dir DIR] [--big N] [--small N] [--only default,all,path,lint,shape,cliff]
//! cratesmith-bench verify [--runs R] [--dir DIR] [--only bin,binlib]
//! cratesmith-bench workspace [--members N] [--commits N] [--runs R] [--dir DIR]
//! cratesmith-bench ship [--crates N] [--runs R] [--dir DIR]
//! cratesmith-bench image [--runs R] [--target-dir DIR]
//! cratesmith-bench api [--runs R]
//! cratesmith-bench release [--runs R] [--crate NAME@VERSION] [--dir DIR]
//! cratesmith-bench sign [--runs R] [--dir DIR]
//! ```
//!
//! Every figure is a median of R runs, with the compared commands run
//! interleaved in the same loop so that machine noise hits them alike.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a report-printing driver

mod api;
mod bump;
mod changelog;
mod generate;
mod image;
mod release;
mod release_shape;
mod ship;
mod sign;
mod sum;
mod timing;
mod verify;
mod workspace;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bump") => bump::run(&args[1..]),
        Some("sum") => sum::run(&args[1..]),
        Some("changelog") => changelog::run(&args[1..]),
        Some("verify") => verify::run(&args[1..]),
        Some("workspace") => workspace::run(&args[1..]),
        Some("ship") => ship::run(&args[1..]),
        Some("image") => image::run(&args[1..]),
        Some("api") => api::run(&args[1..]),
        Some("release") => release::run(&args[1..]),
        Some("sign") => sign::run(&args[1..]),
        _ => Err("usage: cratesmith-bench bump [--members N] [--runs R] [--dir DIR] | sum [--runs R] [--dir DIR] | changelog [--runs R] [--dir DIR] [--big N] [--small N] [--only default,all,path,lint,shape,cliff] | verify [--runs R] [--dir DIR] [--only bin,binlib] | workspace [--members N] [--commits N] [--runs R] [--dir DIR] | ship [--crates N] [--runs R] [--dir DIR] | image [--runs R] [--target-dir DIR] | api [--runs R] | release [--runs R] [--crate NAME@VERSION] [--dir DIR] | sign [--runs R] [--dir DIR]".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cratesmith-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
